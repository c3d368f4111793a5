import Testing
@testable import UsherConfig
@testable import UsherRouting

/// Expected values are what HAProxy 2.6.12 returned for the same requests (`http-request return`
/// with `lf-string "%[…]"`).
@Suite("HTTP sample fetches")
struct HTTPFetchTests {
    typealias F = RoutingFixtures

    static let browsing = F.request("GET /a/b/c?a=1&b=2&a=2 HTTP/1.1", [
        "Host: WWW.Example.com:8080", "User-Agent: curl/7.88.1", "Accept: */*", "x: a, b", "x: c_d/e", "Cookie: s=1; t=2", "Cookie: s=2",
    ])

    func value(_ expression: String, _ request: HTTPRequestHead? = browsing, response: HTTPResponseHead? = nil) throws -> String {
        try F.render(expression, request, response: response)
    }

    @Test func requestLine() throws {
        #expect(try value("method") == "GET")
        #expect(try value("path") == "/a/b/c")
        #expect(try value("pathq") == "/a/b/c?a=1&b=2&a=2")
        #expect(try value("url") == "/a/b/c?a=1&b=2&a=2")
        #expect(try value("query") == "a=1&b=2&a=2")
        #expect(try value("base") == "WWW.Example.com:8080/a/b/c")
        #expect(try value("baseq") == "WWW.Example.com:8080/a/b/c?a=1&b=2&a=2")
        #expect(try value("req.ver") == "1.1")
        #expect(try value("req_ver", F.request("GET / HTTP/1.0")) == "1.0")
        #expect(try value("req.proto_http") == "1")
    }

    @Test func absoluteAsteriskAndAuthorityTargets() throws {
        let absolute = F.request("GET http://h.example/p?q HTTP/1.1", ["Host: h.example"])
        #expect(try value("path", absolute) == "/p")
        #expect(try value("base", absolute) == "h.example/p")
        #expect(try value("query", absolute) == "q")
        #expect(try value("url", absolute) == "http://h.example/p?q")
        let bare = F.request("GET http://h.example HTTP/1.1", ["Host: h.example"])
        try expectNoValue("path", bare)
        try expectNoValue("pathq", bare)
        #expect(try value("base", bare) == "h.example")
        let star = F.request("OPTIONS * HTTP/1.1", ["Host: 127.0.0.1:18199"])
        try expectNoValue("path", star)
        #expect(try value("url", star) == "*")
        #expect(try value("base", star) == "127.0.0.1:18199")
        let connect = F.request("CONNECT h.example:443 HTTP/1.1")
        try expectNoValue("path", connect)
        try expectNoValue("base", connect)
    }

    func expectNoValue(_ expression: String, _ request: HTTPRequestHead? = browsing, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        var context = F.httpContext(request)
        let sample = try CompiledSample(SampleExpression.parse(expression).get())
        #expect(sample.evaluate(&context) == .noValue, "\(expression)", sourceLocation: sourceLocation)
    }

    @Test func queryPresenceAndEmptiness() throws {
        try expectNoValue("query", F.request("GET /a HTTP/1.1"))
        #expect(try value("query", F.request("GET /a? HTTP/1.1")) == "")
        try expectNoValue("query", F.request("GET /a HTTP/1.1"))
    }

    @Test func headersAreSplitAtCommasAndTheLastCountsOutsideACLs() throws {
        #expect(try value("req.hdr(x)") == "c_d/e")
        #expect(try value("hdr(X)") == "c_d/e")
        #expect(try value("req.hdr(x,1)") == "a")
        #expect(try value("req.hdr(x,2)") == "b")
        #expect(try value("req.hdr(x,-1)") == "c_d/e")
        #expect(try value("req.hdr(x,-3)") == "a")
        try expectNoValue("req.hdr(x,4)")
        #expect(try value("req.fhdr(x)") == "c_d/e")
        #expect(try value("req.fhdr(x,1)") == "a, b")
        #expect(try value("req.hdr_cnt(x)") == "3")
        #expect(try value("hdr_cnt(x)") == "3")
        #expect(try value("req.fhdr_cnt(x)") == "2")
        #expect(try value("req.hdr_cnt") == "8")
        #expect(try value("req.hdr_cnt(nope)") == "0")
        try expectNoValue("req.hdr(nope)")
        try expectNoValue("req.hdr")
        #expect(try value("req.hdr_names") == "host,user-agent,accept,x,x,cookie,cookie")
        #expect(try value("req.hdr_names(;)") == "host;user-agent;accept;x;x;cookie;cookie")
    }

    @Test func emptyListElementsCount() throws {
        let request = F.request("GET / HTTP/1.1", ["x: 7, ,8"])
        #expect(try value("req.hdr_cnt(x)", request) == "3")
        #expect(try value("req.hdr(x,2)", request) == "")
        #expect(try value("req.fhdr(x)", request) == "7, ,8")
        let empty = F.request("GET / HTTP/1.1", ["x: -12abc, 4", "x:"])
        #expect(try value("req.hdr_cnt(x)", empty) == "3")
        #expect(try value("req.hdr(x)", empty) == "")
        #expect(try value("req.hdr_val(x,1)", empty) == "-12")
        #expect(try value("hdr_val(x,2)", empty) == "4")
    }

    @Test func cookies() throws {
        #expect(try value("req.cook(s)") == "2")
        #expect(try value("cook(t)") == "2")
        #expect(try value("req.cook") == "1")
        #expect(try value("req.cook_cnt(s)") == "2")
        #expect(try value("req.cook_cnt") == "3")
        try expectNoValue("req.cook(u)")
        let odd = F.request("GET / HTTP/1.1", ["Cookie: a = b ; s= 3 ;$x=1; c"])
        #expect(try value("req.cook(s)", odd) == "3")
        #expect(try value("req.cook", odd) == "b")
        #expect(try value("req.cook_cnt", odd) == "2")
        #expect(try value("req.cook_cnt", F.request("GET / HTTP/1.1", ["Cookie: a=1; c; d=2"])) == "2")
        #expect(try value("req.cook_cnt", F.request("GET / HTTP/1.1", ["Cookie: $x=1"])) == "0")
        #expect(try value("req.cook(s),word(1,x)", F.request("GET / HTTP/1.1", ["Cookie: s=1x2"])) == "1")
        #expect(try value("req.cook_val(s)", F.request("GET / HTTP/1.1", ["Cookie: s=42abc"])) == "42")
        // An empty cookie is a value; HAProxy misses it only as the very last item of the field.
        #expect(try value("req.cook(e)", F.request("GET / HTTP/1.1", ["Cookie: e=; f=1"])) == "")
        for (cookie, count) in [("f=1;e=", "0"), ("f=1; e=", "1"), ("e=", "0"), ("e=; f=1", "1")] {
            #expect(try value("req.cook_cnt(e)", F.request("GET / HTTP/1.1", ["Cookie: \(cookie)"])) == count, "\(cookie)")
        }
        try expectNoValue("req.cook(e)", F.request("GET / HTTP/1.1", ["Cookie: f=1;e="]))
    }

    @Test func urlParameters() throws {
        #expect(try value("url_param(a)") == "1")
        #expect(try value("urlp(b)") == "2")
        #expect(try value("urlp") == "1")
        let odd = F.request("GET /p;x?a&a=5;b=6?c=1 HTTP/1.1")
        #expect(try value("urlp(a)", odd) == "5")
        #expect(try value("urlp", odd) == "5")
        #expect(try value("urlp(b)", odd) == "6")
        #expect(try value("url_param(a,;)", F.request("GET /p;a=3?a=4 HTTP/1.1")) == "3?a=4")
        #expect(try value("urlp_val(n)", F.request("GET /?n=12 HTTP/1.1")) == "12")
        try expectNoValue("urlp(a)", F.request("GET /p HTTP/1.1"))
    }

    @Test func responseFetches() throws {
        let response = F.response(302, ["Location: /x", "Set-Cookie: SRV=A; path=/", "Set-Cookie: b=2, c=3", "Vary: a, b"])
        #expect(try value("status", response: response) == "302")
        #expect(try value("res.ver", response: response) == "1.1")
        #expect(try value("res.hdr(vary)", response: response) == "b")
        #expect(try value("shdr(vary,1)", response: response) == "a")
        #expect(try value("res.hdr_cnt(vary)", response: response) == "2")
        #expect(try value("res.fhdr(set-cookie)", response: response) == "b=2, c=3")
        #expect(try value("res.cook(SRV)", response: response) == "A")
        #expect(try value("scook", response: response) == "A")
        #expect(try value("res.cook(b)", response: response) == "2")
        #expect(try value("res.cook_cnt", response: response) == "2")
        // `hdr()` reads the response once there is one.
        #expect(try value("hdr(vary)", response: response) == "b")
        try expectNoValue("status")
    }

    @Test func withoutARequestThereIsNoValue() throws {
        for expression in ["method", "path", "url", "base", "query", "req.ver", "req.hdr(host)", "req.hdr_cnt", "req.cook(s)", "urlp(a)", "req.proto_http"] {
            try expectNoValue(expression, nil)
        }
    }

    @Test func fetchesNeverWait() throws {
        var context = F.httpContext(Self.browsing)
        context.isFinal = false
        for expression in ["path", "req.hdr(nope)", "req.cook(nope)", "status"] {
            let sample = try CompiledSample(SampleExpression.parse(expression).get())
            #expect(sample.evaluate(&context) != .needMoreData)
            #expect(!sample.readsPayload)
            #expect(sample.readsHTTP)
        }
    }

    @Test func badArguments() {
        for expression in ["req.hdr(host,x)", "req.hdr(a,1,2)", "path(x)", "req.cook(a,b)", "url_param(a,b,c)", "req.hdr_cnt(a,b)"] {
            #expect(throws: RoutingError.self, "\(expression)") { try CompiledSample(SampleExpression.parse(expression).get()) }
        }
    }
}
