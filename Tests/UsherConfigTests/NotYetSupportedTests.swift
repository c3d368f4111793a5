import Testing

@testable import UsherConfig

/// Settings usher cannot honour yet are refused at their line, never accepted and ignored.
@Suite struct NotYetSupportedTests {
    static func alerts(_ body: String) -> [Diagnostic] {
        ConfigurationParser().parse("""
            defaults
                mode tcp
                timeout client 1s
                timeout server 1s
                timeout connect 1s
            \(body)
            """, file: "t.cfg").alerts
    }

    @Test(arguments: [
        ("backend b\n    http-check connect port 8080", 7, "'http-check connect'"),
        ("frontend f\n    bind :80\n    http-request send-spoe-group agents grp", 8, "'http-request send-spoe-group'"),
        ("frontend f\n    bind :80\n    capture cookie SESSION len 32", 8, "'capture cookie'"),
        ("frontend f\n    bind :80 maxconn 10", 7, "bind option 'maxconn'"),
        ("backend b\n    server s 127.0.0.1:80 pool-max-conn 5", 7, "server option 'pool-max-conn'"),
        ("backend b\n    option spop-check", 7, "'option spop-check'"),
        ("frontend f\n    bind :80\n    option http-use-proxy-header", 8, "'option http-use-proxy-header'"),
        ("backend b\n    reqadd X-Foo:\\ bar", 7, "HAProxy 1.x keyword, removed in HAProxy 2.x"),
    ])
    func refusedAtItsLine(body: String, line: Int, text: String) {
        let alerts = Self.alerts(body)
        #expect(alerts.count == 1, "\(alerts)")
        #expect(alerts.first?.location?.line == line, "\(alerts)")
        #expect(alerts.first?.message.contains(text) == true, "\(alerts)")
        #expect(alerts.first?.message.contains("not supported by usher yet") == true, "\(alerts)")
    }

    @Test func globalTuningUsherDoesNotHaveIsRefused() {
        for keyword in ["tune.maxaccept 64", "spread-checks 5"] {
            let alerts = ConfigurationParser().parse("global\n    \(keyword)\n", file: "g.cfg").alerts
            #expect(alerts.first?.location?.line == 2, "\(keyword): \(alerts)")
            #expect(alerts.first?.message.contains("not supported by usher yet") == true, "\(keyword): \(alerts)")
        }
    }
}
