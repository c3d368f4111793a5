import Testing
@testable import UsherConfig
@testable import UsherRouting

/// A server's `sni` expression: compiled with the backend's routes, evaluated per connection or
/// request into the name sent in the ClientHello.
@Suite struct ServerNameTests {
    typealias F = RoutingFixtures

    func compile(_ body: String) throws -> (RoutingTable?, [Diagnostic]) {
        let outcome = ConfigurationParser().parse(F.quietDefaults + "\n" + body, file: "t.cfg")
        let configuration = try #require(outcome.configuration, "\(outcome.alerts)")
        return RoutingTable.compile(configuration, loadPatternFile: { _ in [] })
    }

    func backend(_ lines: [String], mode: String = "http") throws -> BackendRoutes {
        let (table, diagnostics) = try compile("backend be\n    mode \(mode)\n" + lines.map { "    \($0)\n" }.joined())
        let compiled = try #require(table, "\(diagnostics)")
        return compiled.backends[0]
    }

    @Test func eachServerEvaluatesItsOwnExpression() throws {
        let routes = try backend([
            "server fixed 127.0.0.1:443 ssl verify none sni str(app.example)",
            "server host 127.0.0.1:444 ssl verify none sni req.hdr(host),lower",
            "server none 127.0.0.1:445 ssl verify none",
        ])
        #expect(routes.hasServerNameSamples)
        var context = F.httpContext(F.request("GET / HTTP/1.1", ["Host: WWW.Example.COM"]))
        #expect(routes.serverName(0, &context) == "app.example")
        #expect(routes.serverName(1, &context) == "www.example.com")
        #expect(routes.serverName(2, &context) == nil)
        var noHost = F.httpContext(F.request("GET / HTTP/1.0"))
        #expect(routes.serverName(1, &noHost) == nil, "no value: no SNI, as HAProxy")
        var empty = F.httpContext(F.request("GET / HTTP/1.1", ["Host: "]))
        #expect(routes.serverName(1, &empty) == nil, "an empty name is no SNI")
    }

    @Test func backendsWithoutSNIKeepNothing() throws {
        #expect(try !backend(["server s 127.0.0.1:443 ssl verify none"]).hasServerNameSamples)
    }

    @Test func unknownFetchIsRefusedAtTheServerLine() throws {
        let (table, diagnostics) = try compile("backend be\n    mode http\n    server s 127.0.0.1:443 ssl verify none sni foo(bar)\n")
        #expect(table == nil)
        let alert = try #require(diagnostics.first { $0.severity == .alert })
        #expect(alert.location?.line == 7, "\(alert)")
        #expect(alert.message.contains("'sni' expression of server 'be/s'") && alert.message.contains("unknown sample fetch 'foo'"), "\(alert)")
    }

    /// In mode tcp an HTTP fetch reads the request bytes as an HTTP head.
    @Test func httpFetchInModeTCPReadsThePayload() throws {
        let (table, diagnostics) = try compile("backend be\n    mode tcp\n    server s 127.0.0.1:443 ssl verify none sni req.hdr(host)\n")
        #expect(table != nil, "\(diagnostics)")
    }

    @Test func layer4FetchesWorkInModeTCP() throws {
        let routes = try backend(["server s 127.0.0.1:443 ssl verify none sni req.ssl_sni"], mode: "tcp")
        var context = F.context(payload: F.clientHello(serverName: "passed.example"), final: true)
        #expect(routes.serverName(0, &context) == "passed.example")
    }
}
