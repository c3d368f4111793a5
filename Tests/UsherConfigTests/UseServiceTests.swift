import Testing

@testable import UsherConfig

/// `http-request use-service`, checked against what HAProxy 2.6.12's `haproxy -c` says of the same
/// lines: accepted in an http-mode frontend, listen or backend; "rules ignored" (a warning) in a
/// TCP proxy; an alert at the line for an unknown or Lua service, a missing name, or extra words.
@Suite("http-request use-service")
struct UseServiceTests {
    @Test func prometheusExporterInFrontendListenAndBackend() throws {
        let frontend = parseHTTPFrontend(["http-request use-service prometheus-exporter if { path /metrics }"])
        #expect(frontend.alerts.isEmpty, "\(frontend.alerts)")
        let rule = try #require(try frontend.proxy("fe").httpRequestRules.first)
        #expect(rule.action == .useService(.prometheusExporter))
        #expect(rule.location.line == 8)
        #expect(rule.condition != nil)

        let listen = parseHTTP("listen li\n    bind :80\n    server s 127.0.0.1:80", ["http-request use-service prometheus-exporter"])
        #expect(listen.alerts.isEmpty, "\(listen.alerts)")
        #expect(try listen.proxy("li").httpRequestRules.map(\.action) == [.useService(.prometheusExporter)])

        let backend = parseHTTPBackend(["http-request use-service prometheus-exporter unless { src 10.0.0.0/8 }"])
        #expect(backend.alerts.isEmpty, "\(backend.alerts)")
        #expect(try backend.proxy("be").httpRequestRules.map(\.action) == [.useService(.prometheusExporter)])
    }

    @Test func unknownServiceIsRefusedAtItsLine() throws {
        try parseHTTPFrontend(["http-request use-service foo"]).expectSingleAlert(line: 8, ["unknown service 'foo'", "prometheus-exporter"])
        try parseHTTPFrontend(["http-request use-service prometheus-exporte"])
            .expectSingleAlert(line: 8, ["did you mean 'prometheus-exporter'"])
        try parseHTTPFrontend(["http-request use-service lua.hello"]).expectSingleAlert(line: 8, ["'lua.hello'", "Lua"])
        try parseHTTPFrontend(["http-request use-service"]).expectSingleAlert(line: 8, ["expects a service name"])
        try parseHTTPFrontend(["http-request use-service if TRUE"]).expectSingleAlert(line: 8, ["expects a service name"])
        try parseHTTPFrontend(["http-request use-service prometheus-exporter foo"]).expectSingleAlert(line: 8, ["foo"])
    }

    /// HAProxy 2.6 does not refuse `http-request` rules in a TCP proxy: it warns that they are
    /// ignored. usher says the same, at the rule's line, and the rule is never applied.
    @Test func tcpModeRulesAreIgnoredWithAWarning() throws {
        let outcome = parse(quietDefaults + "\nfrontend fe\n    mode tcp\n    bind :80\n    http-request use-service prometheus-exporter\n    default_backend be\nbackend be\n    mode tcp\n    server s 127.0.0.1:80\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let warning = try #require(outcome.warnings.first { $0.message.contains("http-request") })
        #expect(warning.message.contains("require HTTP mode"))
        #expect(warning.location?.line == 8)
    }

    /// HAProxy: "Prometheus exporter service only available on 'http-request' rulesets".
    @Test func tcpRequestContentUseServiceIsRefused() throws {
        let outcome = parseHTTPFrontend(["tcp-request content use-service prometheus-exporter"])
        #expect(outcome.alerts.count == 1, "\(outcome.alerts)")
        #expect(outcome.alerts.first?.location?.line == 8)
    }

    /// The services usher has are HAProxy's built-in ones, under HAProxy's names.
    @Test func serviceNames() {
        #expect(HTTPService.allCases.map(\.rawValue) == ["prometheus-exporter"])
    }
}
