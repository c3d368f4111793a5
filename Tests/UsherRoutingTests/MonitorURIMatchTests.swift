import Testing
@testable import UsherConfig
@testable import UsherRouting

/// `monitor-uri`: which request targets ask for it (HAProxy's http-monitor-uri reg-test).
struct MonitorURIMatchTests {
    func frontend(_ uri: String) throws -> FrontendRoutes {
        try RoutingFixtures.table(RoutingFixtures.quietDefaults + "\n    mode http\nfrontend fe\n    bind :80\n    monitor-uri \(uri)\n").frontend("fe")
    }

    func asks(_ routes: FrontendRoutes, _ target: String) -> Bool {
        routes.isMonitorRequest(HTTPRequestHead(method: "GET", target: target, version: .http1_1, headers: HTTPHeaders([("Host", "www.haproxy.org")])))
    }

    @Test func aPathMonitorURIMatchesTheOriginFormAndTheAbsoluteFormsPath() throws {
        let routes = try frontend("/health")
        #expect(asks(routes, "/health"))
        #expect(asks(routes, "http://www.haproxy.org/health"))
        #expect(!asks(routes, "/hEAlth"))
        #expect(!asks(routes, "/health?x"))
        #expect(!asks(routes, "http://www.haproxy.org/health?x"))
        #expect(!asks(routes, "http://www.haproxy.org/"))
    }

    @Test func anAbsoluteMonitorURIMatchesOnlyItself() throws {
        let routes = try frontend("http://www.haproxy.org/health")
        #expect(asks(routes, "http://www.haproxy.org/health"))
        #expect(!asks(routes, "/health"))
    }

    @Test func absoluteFormPaths() {
        #expect(FrontendRoutes.absoluteFormPath("http://h/p?q") == "/p?q")
        #expect(FrontendRoutes.absoluteFormPath("https://h") == "/")
        #expect(FrontendRoutes.absoluteFormPath("/p") == nil)
        #expect(FrontendRoutes.absoluteFormPath("/a://b") == nil)
    }
}
