import Testing
@testable import UsherConfig
@testable import UsherRouting

/// Expected values are HAProxy 2.6.12's (`%[str(…),converter]`) where noted, else its documentation's
/// examples.
@Suite("Converters")
struct ConverterTests {
    func convert(_ input: String, _ converters: String) throws -> FetchResult<SampleValue> {
        let request = RoutingFixtures.request("GET / HTTP/1.1", ["x: \(input)"])
        var context = RoutingFixtures.httpContext(request)
        return try CompiledSample(SampleExpression.parse("req.fhdr(x),\(converters)").get()).evaluate(&context)
    }

    func text(_ input: String, _ converters: String, ) throws -> String? {
        guard case .value(let value) = try convert(input, converters) else { return nil }
        return value.text
    }

    @Test func word() throws {
        let input = "f1_f2_f3__f5"
        #expect(try text(input, "word(4,_)") == "f5")
        #expect(try text(input, "word(2,_,0)") == "f2_f3__f5")
        #expect(try text(input, "word(3,_,2)") == "f3__f5")
        #expect(try text(input, "word(-2,_,3)") == "f1_f2_f3")
        #expect(try text(input, "word(-3,_,0)") == "f1_f2")
        #expect(try text("/f1/f2/f3/f4", "word(1,/)") == "f1")
        #expect(try text("c_d/e", "word(2,/_)") == "d")
        // A missing word is an empty string, not "no value".
        #expect(try text("a_b", "word(5,_)") == "")
    }

    @Test func field() throws {
        let input = "f1_f2_f3__f5"
        #expect(try text(input, "field(5,_)") == "f5")
        #expect(try text(input, "field(2,_,0)") == "f2_f3__f5")
        #expect(try text(input, "field(2,_,2)") == "f2_f3")
        #expect(try text(input, "field(-2,_,3)") == "f2_f3_")
        #expect(try text(input, "field(-3,_,0)") == "f1_f2_f3")
        #expect(try text("c_d/e", "field(2,/_)") == "d")
        #expect(try text("_a_", "field(1,_)") == "")
        #expect(try text("www.example.com:8080", "field(1,:)") == "www.example.com")
        // A missing field is no value: later converters do not run.
        #expect(try convert("a_b", "field(5,_),length") == .noValue)
    }

    @Test func regsub() throws {
        #expect(try text("/////a///b/c/xzxyz/", "regsub(/+,/,g)") == "/a/b/c/xzxyz/")
        #expect(try text("/////a///b/", "regsub(/+,/)") == "/a///b/")
        #expect(try text("Hello World", "regsub(o,0,gi)") == "Hell0 W0rld")
        #expect(try text("HellO WOrld", "regsub(o,0,g)") == "HellO WOrld")
        #expect(try text("HellO WOrld", "regsub(o,0,gi)") == "Hell0 W0rld")
        #expect(try text("abc", "regsub(x*,-,g)") == "-a-b-c-")
        #expect(try text("key=val", #"regsub(^([a-z]+)=(.*)$,\2:\1)"#) == "val:key")
        #expect(try text("abc", #"regsub(b,\x41)"#) == "aAc")
        #expect(try text("abc", #"regsub(b,[\9])"#) == "a[]c")
    }

    @Test func textConverters() throws {
        #expect(try text("hello", "length") == "5")
        #expect(try text("AZ", "hex") == "415A")
        #expect(try text("abcdef", "bytes(2,3)") == "cde")
        #expect(try text("abcdef", "bytes(4)") == "ef")
        #expect(try text("abc", "bytes(5)") == "")
        #expect(try text("xxabcxx", "ltrim(x)") == "abcxx")
        #expect(try text("xxabcxx", "rtrim(x)") == "xxabc")
        #expect(try text("aB", "upper") == "AB")
        #expect(try text("aB", "lower") == "ab")
    }

    @Test func hostAndPort() throws {
        #expect(try text("WWW.Example.com:8080", "host_only") == "www.example.com")
        #expect(try text("WWW.Example.com:8080", "port_only") == "8080")
        #expect(try text("[::1]:80", "host_only") == "[::1]")
        #expect(try text("[::1]:80", "port_only") == "80")
        #expect(try text("[::1]", "host_only") == "[::1]")
        #expect(try text("[::1]", "port_only") == "0")
        #expect(try text("h:", "port_only") == "0")
    }

    @Test func badArguments() {
        for converters in ["word(0,_)", "word(1,)", "field(x,_)", "field(1,_,x)", "regsub(a)", "regsub(a,b,x)", "regsub([,b)", "bytes(-1)", "bytes(a)", "lower(x)", "ltrim", "nosuch"] {
            #expect(throws: RoutingError.self, "\(converters)") {
                try CompiledSample(SampleExpression.parse("req.fhdr(x),\(converters)").get())
            }
        }
    }
}
