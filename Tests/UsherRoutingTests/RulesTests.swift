import Testing
@testable import UsherConfig
@testable import UsherRouting

/// The seed's `https-in` rules:
///
///     tcp-request inspect-delay 5s
///     tcp-request content accept if { req_ssl_hello_type 1 }
///     use_backend pumpio-ssl if { req_ssl_sni -i pump2.thisshitistemp.com }
///     default_backend servers-ssl
@Suite("Frontend and backend rules")
struct RulesTests {
    typealias F = RoutingFixtures

    struct Decision: Equatable, CustomStringConvertible {
        var verdict: InspectionVerdict
        var backend: String?
        var description: String { "\(verdict) → \(backend ?? "nil")" }
    }

    /// What the proxy does with these bytes: the content rules' verdict, then (unless waiting) the
    /// backend.
    func decide(_ payload: [UInt8], final: Bool, table: RoutingTable, frontend: String = "https-in") throws -> Decision {
        let routes = try table.frontend(frontend)
        var context = F.context(payload: payload, final: final)
        let verdict = routes.evaluateContentRules(&context)
        guard verdict == .accept else { return Decision(verdict: verdict, backend: nil) }
        return Decision(verdict: verdict, backend: table.backendName(routes.chooseBackend(&context, backendsByName: table.backendsByName)))
    }

    @Test func seedFrontendNeedsInspection() throws {
        let table = try F.seedTable()
        let https = try table.frontend("https-in")
        #expect(https.needsInspection)
        #expect(https.inspectDelay == .seconds(5))
        let http = try table.frontend("http-in")
        #expect(!http.needsInspection)
        #expect(table.backendName(http.defaultBackend) == "servers")
    }

    @Test func noDataYetWaits() throws {
        #expect(try decide([], final: false, table: F.seedTable()).verdict == .waitForData)
    }

    @Test func incompleteTLSWaits() throws {
        let table = try F.seedTable()
        let hello = F.clientHello(serverName: "pump2.thisshitistemp.com")
        for prefix in [[0x16], [0x16, 0x03, 0x01, 0x02, 0x00], Array(hello.prefix(11)), Array(hello.dropLast())] {
            #expect(try decide(prefix, final: false, table: table).verdict == .waitForData, "\(prefix.count) bytes")
        }
    }

    @Test func nonTLSBytesAreAcceptedAtOnceToTheDefaultBackend() throws {
        let table = try F.seedTable()
        for bytes in ["GET / HTTP/1.0\r\n\r\n", "GET / ", "\u{1}"] {
            let decision = try decide(Array(bytes.utf8), final: false, table: table)
            #expect(decision == Decision(verdict: .accept, backend: "servers-ssl"), "\(bytes.debugDescription)")
        }
    }

    @Test func clientHelloForPumpInUpperCaseGoesToPumpio() throws {
        let hello = F.clientHello(serverName: "PUMP2.THISSHITISTEMP.COM")
        let decision = try decide(hello, final: false, table: F.seedTable())
        #expect(decision == Decision(verdict: .accept, backend: "pumpio-ssl"))
    }

    @Test func clientHelloForAnotherNameGoesToTheDefaultBackend() throws {
        let table = try F.seedTable()
        #expect(try decide(F.clientHello(serverName: "other.example"), final: false, table: table) == Decision(verdict: .accept, backend: "servers-ssl"))
        #expect(try decide(F.clientHello(serverName: nil), final: false, table: table) == Decision(verdict: .accept, backend: "servers-ssl"))
        #expect(try decide(F.clientHello(serverName: "pump2.thisshitistemp.com.evil"), final: false, table: table).backend == "servers-ssl")
    }

    @Test func finalWithNoDataGoesToTheDefaultBackend() throws {
        let table = try F.seedTable()
        #expect(try decide([], final: true, table: table) == Decision(verdict: .accept, backend: "servers-ssl"))
        #expect(try decide([0x16, 0x03], final: true, table: table) == Decision(verdict: .accept, backend: "servers-ssl"))
    }

    @Test func seedUseServerRule() throws {
        let table = try F.seedTable()
        let pumpio = try #require(table.backends.first { $0.name == "pumpio-ssl" })
        var matching = F.context(payload: F.clientHello(serverName: "Pump2.ThisShitIsTemp.com"), final: false)
        #expect(pumpio.forcedServer(&matching) == 0)
        var other = F.context(payload: F.clientHello(serverName: "x.example"), final: false)
        #expect(pumpio.forcedServer(&other) == nil)
        var empty = F.context(final: false)
        #expect(pumpio.forcedServer(&empty) == nil)
        #expect(empty.isFinal == false, "the caller's context is left as it was")
    }

    /// `use-server %[…]`: the name is computed per request; a name that is no server's leaves the
    /// choice to the balancing (HAProxy stops at such a rule).
    @Test func dynamicUseServer() throws {
        let table = try F.table(F.quietDefaults + """

            frontend fe
                mode http
                bind :80
                default_backend be
            backend be
                mode http
                use-server %[req.hdr(x-server)] if { req.hdr(x-server) -m found }
                use-server b if TRUE
                server a 127.0.0.1:8001
                server b 127.0.0.1:8002
                server c 127.0.0.1:8003

            """)
        let backend = try #require(table.backends.first { $0.name == "be" })
        var toC = F.httpContext(F.request("GET / HTTP/1.1", ["Host: x", "X-Server: c"]))
        #expect(backend.forcedServer(&toC) == 2)
        var toNone = F.httpContext(F.request("GET / HTTP/1.1", ["Host: x", "X-Server: nosuch"]))
        #expect(backend.forcedServer(&toNone) == nil)
        var without = F.httpContext(F.request("GET / HTTP/1.1", ["Host: x"]))
        #expect(backend.forcedServer(&without) == 1)
    }

    /// A mode tcp frontend's computed backend name may pick a mode http backend (the connection
    /// is then upgraded to HTTP, as in HAProxy); a mode http frontend's may not pick a mode tcp one.
    @Test func dynamicUseBackendSkipsOnlyATCPBackendForHTTP() throws {
        let table = try F.table(F.quietDefaults + """

            frontend fe
                mode tcp
                bind :443
                tcp-request inspect-delay 1s
                use_backend %[req.ssl_sni]
                default_backend fallback
            backend web
                mode http
                server s 127.0.0.1:8001
            backend tls
                mode tcp
                server s 127.0.0.1:8002
            backend fallback
                mode tcp
                server s 127.0.0.1:8003

            """)
        let frontend = try #require(table.frontends.first)
        var toHTTP = F.context(payload: F.clientHello(serverName: "web"), final: true)
        #expect(frontend.chooseBackend(&toHTTP, backendsByName: table.backendsByName) == table.backendsByName["web"])
        var toTCP = F.context(payload: F.clientHello(serverName: "tls"), final: true)
        #expect(frontend.chooseBackend(&toTCP, backendsByName: table.backendsByName) == table.backendsByName["tls"])

        let http = try F.table(F.quietDefaults + """

            frontend fe
                mode http
                bind :80
                use_backend %[req.hdr(x-to)]
                default_backend web
            backend web
                mode http
                server s 127.0.0.1:8001
            backend tls
                mode tcp
                server s 127.0.0.1:8002

            """)
        let httpFrontend = try #require(http.frontends.first)
        var request = F.httpContext(F.request("GET / HTTP/1.1", ["X-To: tls"]))
        #expect(httpFrontend.chooseBackend(&request, backendsByName: http.backendsByName) == http.backendsByName["web"])
    }

    /// `http-request return … hdr NAME FMT`: the value is a log-format string, filled in per
    /// request (it used to be sent as written).
    @Test func returnHeaderValuesAreLogFormat() throws {
        let table = try F.table(F.quietDefaults + """

            frontend fe
                mode http
                bind :80
                http-request return status 200 hdr X-Path %[path] hdr X-Method %HM
                default_backend be
            backend be
                mode http
                server s 127.0.0.1:8001

            """)
        let frontend = try #require(table.frontends.first)
        var head = F.request("GET /where HTTP/1.1", ["Host: x"])
        var context = F.httpContext(head)
        guard case .reply(let status, let bytes) = frontend.httpRequestRules.apply(to: &head, &context) else {
            Issue.record("no reply")
            return
        }
        let text = String(decoding: bytes, as: UTF8.self).lowercased()
        #expect(status == 200)
        #expect(text.contains("x-path: /where\r\n"), "\(text)")
        #expect(text.contains("x-method: get\r\n"), "\(text)")
    }

    static let dynamicConfig = F.quietDefaults + """

        frontend fe
            bind :443
            tcp-request inspect-delay 5s
            tcp-request content accept if { req.ssl_hello_type 1 }
            use_backend %[req.ssl_sni,lower]
            default_backend fallback
        backend a.example.com
            server s 127.0.0.1:8001
        backend b.example.com
            server s 127.0.0.1:8002
        backend fallback
            server s 127.0.0.1:8003
        """

    @Test func dynamicUseBackendByLowercasedSNI() throws {
        let table = try F.table(Self.dynamicConfig)
        #expect(try decide(F.clientHello(serverName: "A.Example.COM"), final: false, table: table, frontend: "fe").backend == "a.example.com")
        #expect(try decide(F.clientHello(serverName: "b.example.com"), final: false, table: table, frontend: "fe").backend == "b.example.com")
        // A computed name that matches no backend lets the next rule or default_backend decide.
        #expect(try decide(F.clientHello(serverName: "c.example.com"), final: false, table: table, frontend: "fe").backend == "fallback")
        #expect(try decide(F.clientHello(serverName: nil), final: false, table: table, frontend: "fe").backend == "fallback")
        #expect(try decide([], final: true, table: table, frontend: "fe").backend == "fallback")
    }

    @Test func useBackendRulesInOrderFirstMatchWins() throws {
        let table = try F.table(F.quietDefaults + """

            frontend fe
                bind :443
                acl office src 192.0.2.0/24
                use_backend one if office
                use_backend two if office
                use_backend three
                default_backend four
            backend one
            backend two
            backend three
            backend four
            """)
        var context = F.context(source: "192.0.2.9")
        let routes = try table.frontend("fe")
        #expect(table.backendName(routes.chooseBackend(&context, backendsByName: table.backendsByName)) == "one")
        var outsider = F.context(source: "203.0.113.9")
        #expect(table.backendName(routes.chooseBackend(&outsider, backendsByName: table.backendsByName)) == "three")
    }

    /// Switching rules never wait, as in HAProxy: with no bytes, `unless { req_ssl_sni … }` holds.
    @Test func switchingRulesSeeTheBytesAsFinal() throws {
        let table = try F.table(F.quietDefaults + """

            frontend fe
                bind :443
                use_backend plain unless { req_ssl_sni -m found }
                default_backend tls
            backend plain
            backend tls
            """)
        var context = F.context(payload: [], final: false)
        let routes = try table.frontend("fe")
        #expect(table.backendName(routes.chooseBackend(&context, backendsByName: table.backendsByName)) == "plain")
        #expect(context.isFinal == false)
        var hello = F.context(payload: F.clientHello(serverName: "x"), final: false)
        #expect(table.backendName(routes.chooseBackend(&hello, backendsByName: table.backendsByName)) == "tls")
    }

    @Test func rejectRules() throws {
        let table = try F.table(F.quietDefaults + """

            frontend fe
                bind :443
                tcp-request connection reject if { src 203.0.113.0/24 }
                tcp-request inspect-delay 2s
                tcp-request content reject if { req.payload(0,3) -m bin 474554 }
                tcp-request content accept if { req_ssl_hello_type 1 }
                default_backend be
            backend be
            """)
        let routes = try table.frontend("fe")
        var banned = F.context(source: "203.0.113.7")
        #expect(routes.evaluateConnectionRules(&banned) == .reject(rule: 0))
        var welcome = F.context(source: "192.0.2.7")
        #expect(routes.evaluateConnectionRules(&welcome) == .accept)
        var get = F.context(payload: Array("GET /".utf8))
        #expect(routes.evaluateContentRules(&get) == .reject(rule: 0))
        var hello = F.context(payload: F.clientHello(serverName: "x"))
        #expect(routes.evaluateContentRules(&hello) == .accept)
        // Two bytes: the first rule cannot decide yet, so the whole evaluation waits.
        var short = F.context(payload: [0x47, 0x45], final: false)
        #expect(routes.evaluateContentRules(&short) == .waitForData)
        var shortFinal = F.context(payload: [0x47, 0x45], final: true)
        #expect(routes.evaluateContentRules(&shortFinal) == .accept)
    }

    @Test func noInspectionWithoutADelayOrWithoutPayloadRules() throws {
        let noDelay = try F.table(F.quietDefaults + "\nfrontend fe\n    bind :443\n    tcp-request content accept if { req_ssl_hello_type 1 }\n    default_backend be\nbackend be\n")
        #expect(try !noDelay.frontend("fe").needsInspection)
        let noPayload = try F.table(F.quietDefaults + "\nfrontend fe\n    bind :443\n    tcp-request inspect-delay 5s\n    tcp-request content reject if { src 10.0.0.0/8 }\n    default_backend be\nbackend be\n")
        #expect(try !noPayload.frontend("fe").needsInspection)
    }
}
