import Testing
@testable import UsherConfig
@testable import UsherRouting

@Suite("RoutingTable.compile")
struct RoutingTableTests {
    typealias F = RoutingFixtures

    /// Parses (which must succeed) and compiles; returns the compile diagnostics.
    func compileDiagnostics(_ body: String) throws -> (RoutingTable?, [Diagnostic]) {
        let outcome = ConfigurationParser().parse(F.quietDefaults + "\n" + body, file: "t.cfg")
        let configuration = try #require(outcome.configuration, "\(outcome.alerts)")
        return RoutingTable.compile(configuration, loadPatternFile: { _ in [] })
    }

    func expectAlert(_ body: String, line: Int, contains needles: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let (table, diagnostics) = try compileDiagnostics(body)
        #expect(table == nil, sourceLocation: sourceLocation)
        let alerts = diagnostics.filter { $0.severity == .alert }
        let first = try #require(alerts.first, sourceLocation: sourceLocation)
        #expect(first.location == UsherConfig.SourceLocation(file: "t.cfg", line: line), "\(alerts)", sourceLocation: sourceLocation)
        for needle in needles {
            #expect(first.message.contains(needle), "'\(needle)' not in: \(first.message)", sourceLocation: sourceLocation)
        }
    }

    @Test func seedCompiles() throws {
        let table = try F.seedTable()
        #expect(table.frontends.map(\.proxy.name) == ["http-in", "https-in"])
        #expect(table.backends.map(\.name) == ["servers", "servers-ssl", "pumpio-ssl"])
        #expect(table.backendsByName == ["servers": 0, "servers-ssl": 1, "pumpio-ssl": 2])
        #expect(table.backendName(try table.frontend("https-in").defaultBackend) == "servers-ssl")
    }

    @Test func unknownFetchInANamedACL() throws {
        try expectAlert("""
            frontend fe
                bind :443
                acl sni req.ssl_snii -i example.com
                use_backend be if sni
            backend be
            """, line: 7, contains: ["ACL 'sni'", "frontend 'fe'", "unknown sample fetch 'req.ssl_snii'", "did you mean 'req.ssl_sni'"])
    }

    @Test func unknownFetchInAnAnonymousACL() throws {
        try expectAlert("""
            frontend fe
                bind :443
                tcp-request inspect-delay 5s
                tcp-request content accept if { req_ssl_hello_typ 1 }
            """, line: 8, contains: ["unknown sample fetch 'req_ssl_hello_typ'", "did you mean 'req_ssl_hello_type'"])
    }

    @Test func badIPPattern() throws {
        try expectAlert("frontend fe\n    bind :80\n    acl bad src 10.0.0.300\n", line: 7, contains: ["'10.0.0.300'", "IPv4 or IPv6"])
    }

    @Test func badRegex() throws {
        try expectAlert("frontend fe\n    bind :443\n    use_backend be if { req_ssl_sni -m reg ^(pump }\nbackend be\n", line: 7, contains: ["invalid regular expression"])
    }

    @Test func badInteger() throws {
        try expectAlert("frontend fe\n    bind :443\n    acl v req_ssl_ver three\n", line: 7, contains: ["'three'", "integer"])
    }

    @Test func badDynamicBackend() throws {
        try expectAlert("frontend fe\n    bind :443\n    use_backend %[req.ssl_sni,lowr]\n", line: 7, contains: ["'lowr'"])
        try expectAlert("frontend fe\n    bind :443\n    use_backend %[req.ssl_sni\n", line: 7, contains: ["missing ']'"])
    }

    @Test func badACLInABackendUseServerRule() throws {
        try expectAlert("backend be\n    use-server s if { src 1.2.3 }\n    server s 127.0.0.1:80\n", line: 6, contains: ["'1.2.3'"])
    }

    @Test func httpOnlyPredefinedACLIsReported() throws {
        try expectAlert("frontend fe\n    bind :80\n    tcp-request connection set-var(sess.m) method\n", line: 7, contains: ["'method'"])
    }

    @Test func listenIsItsOwnDefaultBackend() throws {
        let table = try F.table(F.quietDefaults + "\nlisten both\n    bind :8080\n    server s 127.0.0.1:80\nbackend other\n")
        let routes = try table.frontend("both")
        #expect(table.backendName(routes.defaultBackend) == "both")
        var context = F.context()
        #expect(table.backendName(routes.chooseBackend(&context, backendsByName: table.backendsByName)) == "both")
    }

    @Test func disabledFrontendsAreLeftOut() throws {
        let table = try F.table(F.quietDefaults + "\nfrontend off\n    disabled\n    bind :80\n    default_backend be\nfrontend on\n    bind :81\n    default_backend be\nbackend be\n")
        #expect(table.frontends.map(\.proxy.name) == ["on"])
    }

    @Test func backendIndexesFollowDeclarationOrder() throws {
        let table = try F.table(F.quietDefaults + "\nbackend z\nfrontend fe\n    bind :80\n    default_backend a\nbackend a\nlisten m\n    bind :81\n")
        #expect(table.backends.map(\.name) == ["z", "a", "m"])
        #expect(table.backendName(try table.frontend("fe").defaultBackend) == "a")
    }
}
