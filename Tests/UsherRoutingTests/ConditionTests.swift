import Testing
@testable import UsherConfig
@testable import UsherRouting

@Suite("Conditions: and, or, not, unless, named and predefined ACLs")
struct ConditionTests {
    typealias F = RoutingFixtures

    static let named: [(String, String)] = [
        ("lan", "src 10.0.0.0/8"),
        ("office", "src 192.0.2.0/24"),
        ("https", "dst_port 443"),
        ("tls", "req_ssl_hello_type 1"),
        ("pump", "req_ssl_sni -i pump.example"),
    ]

    func evaluate(_ condition: String, source: String = "192.0.2.10", payload: [UInt8] = [], final: Bool = true) throws -> ACLResult {
        var context = F.context(source: source, payload: payload, final: final)
        return try F.condition(condition, named: Self.named).evaluate(&context)
    }

    @Test func singleNamedACL() throws {
        #expect(try evaluate("if office") == .pass)
        #expect(try evaluate("if lan") == .fail)
    }

    @Test func negation() throws {
        #expect(try evaluate("if !lan") == .pass)
        #expect(try evaluate("if !office") == .fail)
        #expect(try evaluate("if ! office") == .fail)
        #expect(try evaluate("if !!office") == .pass)
    }

    @Test func implicitAnd() throws {
        #expect(try evaluate("if office https") == .pass)
        #expect(try evaluate("if office lan") == .fail)
        #expect(try evaluate("if office !lan https") == .pass)
    }

    @Test func orAndDoublePipe() throws {
        #expect(try evaluate("if lan or office") == .pass)
        #expect(try evaluate("if lan || office") == .pass)
        #expect(try evaluate("if lan or !https") == .fail)
        // AND binds tighter than OR: (lan AND https) OR (office AND https)
        #expect(try evaluate("if lan https or office https") == .pass)
        #expect(try evaluate("if office lan or lan https") == .fail)
    }

    @Test func unless() throws {
        #expect(try evaluate("unless lan") == .pass)
        #expect(try evaluate("unless office") == .fail)
        #expect(try evaluate("unless lan or office") == .fail)
    }

    @Test func anonymousACLs() throws {
        #expect(try evaluate("if { src 192.0.2.0/24 } { dst_port 443 }") == .pass)
        #expect(try evaluate("if !{ src 192.0.2.0/24 }") == .fail)
        #expect(try evaluate("if { src 10.0.0.1 } || { dst_port 443 }") == .pass)
    }

    /// An ACL name declared on several lines matches when any of its lines does.
    @Test func namedACLOnSeveralLinesIsAnOr() throws {
        let named = [("trusted", "src 10.0.0.0/8"), ("trusted", "src 192.0.2.0/24")]
        for (client, expected) in [("10.1.1.1", ACLResult.pass), ("192.0.2.7", .pass), ("203.0.113.1", .fail)] {
            var context = F.context(source: client, final: true)
            #expect(try F.condition("if trusted", named: named).evaluate(&context) == expected, "\(client)")
            #expect(try F.condition("if !trusted", named: named).evaluate(&context) == !expected, "\(client)")
        }
    }

    @Test func predefinedACLs() throws {
        #expect(try evaluate("if TRUE") == .pass)
        #expect(try evaluate("if FALSE") == .fail)
        #expect(try evaluate("if !FALSE") == .pass)
        #expect(try evaluate("if LOCALHOST", source: "127.0.0.1") == .pass)
        #expect(try evaluate("if LOCALHOST", source: "127.200.0.1") == .pass)
        #expect(try evaluate("if LOCALHOST", source: "::1") == .pass)
        #expect(try evaluate("if LOCALHOST", source: "192.0.2.10") == .fail)
        #expect(try evaluate("if REQ_CONTENT", payload: [1]) == .pass)
        #expect(try evaluate("if REQ_CONTENT", payload: [], final: false) == .miss)
        // WAIT_END waits for the end of the inspect delay.
        #expect(try evaluate("if WAIT_END", final: false) == .miss)
        #expect(try evaluate("if WAIT_END", final: true) == .pass)
    }

    // MARK: - Three-valued

    @Test func missPropagatesUntilSomethingDecides() throws {
        // Not final, no bytes: the TLS ACLs do not know yet.
        #expect(try evaluate("if tls", final: false) == .miss)
        #expect(try evaluate("if !tls", final: false) == .miss)
        #expect(try evaluate("unless tls", final: false) == .miss)
        // A false term decides an AND whatever the other one is…
        #expect(try evaluate("if tls lan", final: false) == .fail)
        #expect(try evaluate("if tls office", final: false) == .miss)
        // …and a true term decides an OR.
        #expect(try evaluate("if tls or office", final: false) == .pass)
        #expect(try evaluate("if tls or lan", final: false) == .miss)
        // Once final, missing data is no value: fail.
        #expect(try evaluate("if tls", final: true) == .fail)
        #expect(try evaluate("unless tls", final: true) == .pass)
    }

    @Test func tlsBytesDecide() throws {
        let hello = F.clientHello(serverName: "PUMP.example")
        #expect(try evaluate("if tls pump", payload: hello, final: false) == .pass)
        #expect(try evaluate("if tls !pump", payload: hello, final: false) == .fail)
    }

    @Test func unknownNamedACLIsACompileError() {
        #expect(throws: RoutingError.self) { try F.condition("if nosuch") }
    }

    @Test func noConditionAlwaysPasses() {
        var context = F.context()
        let none: CompiledCondition? = nil
        #expect(none.evaluate(&context) == .pass)
    }

    @Test func readsPayload() throws {
        #expect(try F.condition("if tls", named: Self.named).readsPayload)
        #expect(try !F.condition("if lan office", named: Self.named).readsPayload)
        #expect(try F.condition("if lan or { req_ssl_sni x }", named: Self.named).readsPayload)
    }
}
