import Testing
@testable import UsherConfig
@testable import UsherRouting

/// `concat`, `add_item`, `be2dec`, `be2hex`, and quoted converter arguments. Every expected value
/// is what HAProxy 2.6.12 printed for the same expression.
@Suite struct ConcatenationConverterTests {
    func text(_ expression: String) throws -> String? {
        let variables = TestVariables()
        variables.sessionVariables.beginTransaction()
        variables.set("txn.a", .string("alpha"))
        variables.set("txn.e", .string(""))
        var context = RoutingFixtures.httpContext(RoutingFixtures.request("GET / HTTP/1.1", []))
        context.variables = variables
        guard case .value(let value) = try CompiledSample(SampleExpression.parse(expression).get()).evaluate(&context) else { return nil }
        return value.text
    }

    @Test(arguments: [
        ("bin(01020304050607),be2dec(:,2)", "258:772:1286:7"), ("bin(01020304050607),be2dec(-,2,1)", "258-772-1286"),
        ("bin(01020304050607),be2dec(,2,1)", "2587721286"), ("bin(7f000001),be2dec(.,1)", "127.0.0.1"),
        ("str(abc),be2dec(:,1)", "97:98:99"), ("bin(0102030405060708090a),be2dec(:,8)", "72623859790382856:2314"),
        ("bin(01020304050607),be2hex", "01020304050607"), ("bin(01020304050607),be2hex(:,2)", "0102:0304:0506:07"),
        ("bin(01020304050607),be2hex(--,2,1)", "0102--0304--0506"), ("bin(0102030405060708),be2hex(,3,1)", "010203040506"),
        ("str(x),concat(<,txn.a,>)", "x<alpha>"), ("str(x),concat(,txn.nope,)", "x"),
        ("str(),add_item(\",\",txn.a)", "alpha"), ("str(x),add_item(\",\",txn.a)", "x,alpha"), ("str(x),add_item(\",\",txn.e)", "x"),
        ("str(x),add_item(\",\",,sfx)", "x,sfx"), ("str(x),add_item(\",\",txn.nope,sfx)", "x,sfx"),
        ("str(a),concat('(,)')", "a(,)"), ("str(hello),sha1,hex", "AAF4C61DDCC5E8A2DABEDE0F3B482CD9AEA9434D"),
        ("str(hello),base64", "aGVsbG8="), ("str(he),base64", "aGU="), ("str(aGVsbG8=),b64dec,hex", "68656C6C6F"),
        ("bin(fbff),base64", "+/8="), ("bin(fbff),ub64enc", "-_8"), ("str(-_8),ub64dec,hex", "FBFF"),
        ("str(a b/c?d=é&x~_.-),url_enc", "a%20b%2Fc%3Fd%3D%C3%A9%26x~_.-"), ("str(a%20b+c?d+e),url_dec", "a b+c?d e"), ("str(a+b),url_dec(1)", "a b"),
    ])
    func sameAsHAProxy(_ expression: String, _ expected: String) throws {
        #expect(try text(expression) == expected, "\(expression)")
    }

    /// Input a decoder cannot read gives no value (HAProxy prints nothing for these).
    @Test(arguments: ["str(bad%2),url_dec", "str(a%zz),url_dec", "str(aGVsbG8),b64dec", "str(a*b=),b64dec"])
    func undecodable(_ expression: String) throws {
        #expect(try text(expression) == nil, "\(expression)")
    }

    @Test(arguments: ["be2dec(:)", "be2dec(:,9)", "be2dec(:,0)", "be2hex(:)", "be2hex(:,x)", "add_item(\",\")", "add_item(\",\",,)", "concat(a,b,c,d)", "concat(a,no.scope)"])
    func badArguments(_ converter: String) {
        #expect(throws: RoutingError.self, "\(converter)") { _ = try text("str(x),\(converter)") }
    }

    @Test func unclosedQuote() {
        guard case .failure(let error) = SampleExpression.parse("str(x),concat(\"a)") else {
            Issue.record("parsed")
            return
        }
        #expect(error.message.contains("missing closing"))
    }
}
