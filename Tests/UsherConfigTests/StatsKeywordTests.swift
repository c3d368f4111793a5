import Testing
@testable import UsherConfig

/// `stats …` in proxy sections: each form parsed into the page's settings, bad ones refused at
/// their line.
@Suite struct StatsKeywordTests {
    func parse(_ text: String) -> ConfigurationParser.Outcome {
        ConfigurationParser().parse(text, file: "t.cfg")
    }

    @Test func everyFormIsRead() throws {
        let result = parse("""
        defaults
          mode http
          stats refresh 5s
        listen st
          bind 127.0.0.1:8404
          stats uri /monitor
          stats realm My\\ Realm
          stats auth admin:se:cret
          stats auth viewer
          stats hide-version
          stats show-legends
          stats show-node edge1
          stats show-desc Primary load balancer
          stats scope .
          stats scope be_app
          stats admin if LOCALHOST
        backend be_app
          server s1 127.0.0.1:8080
        """)
        #expect(result.diagnostics.filter { $0.severity == .alert }.isEmpty)
        let stats = try #require(result.configuration?.proxies.first { $0.name == "st" }?.settings.stats)
        #expect(stats.uri == "/monitor" && stats.realm == "My Realm")
        #expect(stats.credentials == [.init(user: "admin", password: "se:cret"), .init(user: "viewer", password: "")])
        #expect(stats.refresh == .seconds(5) && stats.hideVersion && stats.showLegends)
        #expect(stats.node == "edge1" && stats.description == "Primary load balancer")
        #expect(stats.scopes == ["st", "be_app"] && stats.adminConditions.count == 1)
        // Inherited by the backend too (HAProxy shares defaults' stats settings).
        #expect(result.configuration?.proxies.first { $0.name == "be_app" }?.settings.stats?.refresh == .seconds(5))
    }

    @Test(arguments: [
        ("stats admin", "expects 'if' or 'unless'"),
        ("stats uri", "expects a URI prefix"),
        ("stats auth", "expects a user:password"),
        ("stats refresh soon", "expects a delay"),
        ("stats bogus", "unknown 'stats' parameter 'bogus'"),
        ("stats socket /run/x.sock", "belongs in the global section"),
        ("stats http-request auth realm", "'realm' in 'stats http-request auth' expects a value"),
        ("stats http-request auth realm X extra", "unexpected 'extra'"),
        ("stats http-request permit", "expects 'allow', 'deny' or 'auth"),
    ])
    func badLinesAreRefusedAtTheirLine(line: String, message: String) {
        let result = parse("listen st\n  mode http\n  bind 127.0.0.1:8404\n  \(line)\n")
        let alert = result.diagnostics.first { $0.severity == .alert }
        #expect(alert?.location?.line == 4, "\(result.diagnostics)")
        #expect(alert?.message.contains(message) == true, "\(String(describing: alert?.message))")
    }

    @Test func authAndHTTPRequestRulesExcludeEachOther() {
        let result = parse("listen st\n  mode http\n  bind 127.0.0.1:8404\n  stats auth a:b\n  stats http-request deny\n")
        #expect(result.diagnostics.contains { $0.severity == .alert && $0.location?.line == 5 })
    }

    @Test func statsInATCPProxyIsAnError() {
        let result = parse("listen st\n  mode tcp\n  bind 127.0.0.1:8404\n  stats uri /stats\n")
        let alert = result.diagnostics.first { $0.severity == .alert }
        #expect(alert?.location?.line == 4)
        #expect(alert?.message.contains("mode http") == true)
    }
}
