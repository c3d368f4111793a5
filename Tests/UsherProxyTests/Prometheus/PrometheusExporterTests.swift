import Foundation
import Testing

/// `http-request use-service prometheus-exporter` end to end: usher in front of a real lighttpd,
/// known traffic, then scrapes.
@Suite(.serialized, .enabled(if: Lighttpd.isInstalled || ExporterRun.isCI, "needs lighttpd"))
struct PrometheusExporterTests {
    static let template = """
        global
            nbthread 1
        defaults
            mode http
            timeout connect 5s
            timeout client 30s
            timeout server 30s
        frontend fe_main
            bind 127.0.0.1:{{PORT}}
            http-request use-service prometheus-exporter if { path /metrics }
            default_backend be_app
        backend be_app
            balance roundrobin
            server s1 {{WEB}} check inter 200ms
            server s2 {{DEAD}} check inter 200ms fall 2 rise 1
            server s3 {{WEB}} backup
        backend be_off
            server o1 {{WEB}} disabled
        frontend fe_tcp
            mode tcp
            bind 127.0.0.1:{{TCP}}
            default_backend be_tcp
        backend be_tcp
            mode tcp
            server t1 {{WEB}} check inter 200ms
        """

    static func start(_ kind: ProxyKind = .usher) throws -> ExporterRun {
        try #require(Lighttpd.isInstalled, "lighttpd is required (CI=true)")
        let web = try Lighttpd(pages: ["index.html": "<p>hello</p>\n"])
        let run: ExporterRun
        do {
            run = try ExporterRun(kind, template: template, web: web)
        } catch {
            web.stop()
            throw error
        }
        // Traffic waits for the checks to take s2 (where nothing listens) out of the rotation.
        do {
            _ = try run.scrape(until: #"haproxy_server_status{proxy="be_app",server="s2",state="DOWN"} 1"#)
        } catch {
            run.stop()
            throw error
        }
        return run
    }

    @Test func countsKnownTraffic() throws {
        let run = try Self.start()
        defer { run.stop() }
        let before = Exposition(try run.scrape())
        try run.sendTraffic(ok: 10, missing: 3, tcp: 1)
        let metrics = Exposition(try run.scrape())
        // The frontend also counts the scrapes: what changed is the traffic and one scrape.
        let delta = { (series: String) in Int(metrics[series] ?? "") .map { $0 - (Int(before[series] ?? "") ?? 0) } }
        #expect(delta(#"haproxy_frontend_http_responses_total{proxy="fe_main",code="2xx"}"#) == 11)
        #expect(delta(#"haproxy_frontend_http_responses_total{proxy="fe_main",code="4xx"}"#) == 3)
        #expect(delta(#"haproxy_frontend_http_requests_total{proxy="fe_main"}"#) == 14)
        #expect(delta(#"haproxy_frontend_sessions_total{proxy="fe_main"}"#) == 14)
        #expect(delta(#"haproxy_frontend_intercepted_requests_total{proxy="fe_main"}"#) == 1)
        let expected = [
            #"haproxy_backend_http_requests_total{proxy="be_app"}"#: "13",
            #"haproxy_backend_http_responses_total{proxy="be_app",code="2xx"}"#: "10",
            #"haproxy_backend_http_responses_total{proxy="be_app",code="4xx"}"#: "3",
            #"haproxy_backend_http_responses_total{proxy="be_app",code="5xx"}"#: "0",
            #"haproxy_server_http_responses_total{proxy="be_app",server="s1",code="2xx"}"#: "10",
            #"haproxy_server_sessions_total{proxy="be_app",server="s1"}"#: "13",
            #"haproxy_server_sessions_total{proxy="be_app",server="s2"}"#: "0",
            #"haproxy_frontend_sessions_total{proxy="fe_tcp"}"#: "1",
            #"haproxy_backend_sessions_total{proxy="be_tcp"}"#: "1",
            #"haproxy_server_sessions_total{proxy="be_tcp",server="t1"}"#: "1",
            #"haproxy_server_status{proxy="be_app",server="s1",state="UP"}"#: "1",
            #"haproxy_server_status{proxy="be_app",server="s2",state="DOWN"}"#: "1",
            #"haproxy_server_status{proxy="be_app",server="s3",state="UP"}"#: "1",
            #"haproxy_server_check_status{proxy="be_app",server="s1",state="L4OK"}"#: "1",
            #"haproxy_server_check_status{proxy="be_app",server="s2",state="L4CON"}"#: "1",
            #"haproxy_backend_agg_server_status{proxy="be_app",state="UP"}"#: "2",
            #"haproxy_backend_agg_server_status{proxy="be_app",state="DOWN"}"#: "1",
            #"haproxy_server_limit_sessions{proxy="be_app",server="s1"}"#: "NaN",
            #"haproxy_server_last_session_seconds{proxy="be_app",server="s2"}"#: "-1",
            #"haproxy_process_nbthread"#: "1",
            #"haproxy_process_build_info{version="0.1.0"}"#: "1",
        ]
        for (series, value) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(metrics[series] == value, "\(series)")
        }
        // TCP proxies have no HTTP metrics; the unchecked backup has no check metrics.
        #expect(metrics[#"haproxy_frontend_http_requests_total{proxy="fe_tcp"}"#] == nil)
        #expect(metrics[#"haproxy_backend_http_requests_total{proxy="be_tcp"}"#] == nil)
        #expect(!metrics.series.contains { $0.contains(#"server="s3""#) && $0.hasPrefix("haproxy_server_check_") && !$0.contains("check_last_change") && !$0.contains("check_failures") && !$0.contains("check_up_down") })
        #expect(metrics[#"haproxy_server_check_failures_total{proxy="be_app",server="s3"}"#] == "NaN")
        #expect(metrics.types.count == 187)
    }

    @Test func responseHeadersAndMethods() throws {
        let run = try Self.start()
        defer { run.stop() }
        let before = Exposition(try run.scrape("?scope=frontend&scope=backend"))
        let get = try run.request("GET", "/metrics")
        #expect(get.status == 200)
        #expect(get.values("content-type") == ["text/plain; version=0.0.4"])
        #expect(get.values("cache-control") == ["no-cache"])
        #expect(HTTPWire.text(get.body).hasPrefix("# HELP haproxy_process_nbthread Number of started threads (global.nbthread)\n# TYPE haproxy_process_nbthread gauge\n"))
        let head = try run.request("HEAD", "/metrics")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(head.values("content-type") == ["text/plain; version=0.0.4"])
        // The exporter answers whatever the method, as HAProxy's does.
        let post = try run.request("POST", "/metrics")
        #expect(post.status == 200 && !post.body.isEmpty)
        // Only where the rule's condition holds: anything else goes to the server.
        #expect(try run.request("GET", "/index.html").status == 200)
        #expect(try run.request("GET", "/metricsX").status == 404)
        // The scrapes count as intercepted requests of the frontend, not as the backend's.
        let after = Exposition(try run.scrape("?scope=frontend&scope=backend"))
        let delta = { (series: String) in Int(after[series] ?? "").map { $0 - (Int(before[series] ?? "") ?? 0) } }
        #expect(delta(#"haproxy_frontend_intercepted_requests_total{proxy="fe_main"}"#) == 4)
        #expect(delta(#"haproxy_backend_http_requests_total{proxy="be_app"}"#) == 2)
    }

    /// `no-maint` leaves servers in maintenance (`disabled`) out of the server metrics; their
    /// backend still counts them.
    @Test func noMaint() throws {
        let run = try Self.start()
        defer { run.stop() }
        let all = Exposition(try run.scrape())
        #expect(all[#"haproxy_server_status{proxy="be_off",server="o1",state="MAINT"}"#] == "1")
        #expect(all[#"haproxy_server_check_status{proxy="be_app",server="s1",state="L4OK"}"#] == "1")
        let filtered = Exposition(try run.scrape("?no-maint"))
        #expect(!filtered.series.contains { $0.contains(#"server="o1""#) })
        #expect(filtered.series.contains { $0.contains(#"server="s1""#) })
        #expect(filtered[#"haproxy_backend_agg_server_status{proxy="be_off",state="MAINT"}"#] == "1")
        #expect(filtered[#"haproxy_backend_status{proxy="be_off",state="DOWN"}"#] == "1")
    }

    @Test func scopes() throws {
        let run = try Self.start()
        defer { run.stop() }
        func prefixes(_ query: String) throws -> Set<String> {
            Set(Exposition(try run.scrape(query)).types.keys.map { String($0.split(separator: "_")[1]) })
        }
        #expect(try prefixes("") == ["process", "frontend", "backend", "server"])
        #expect(try prefixes("?scope=global") == ["process"])
        #expect(try prefixes("?scope=backend&scope=server") == ["backend", "server"])
        #expect(try prefixes("?scope=&scope=frontend") == ["frontend"])
        #expect(try prefixes("?scope=*") == ["process", "frontend", "backend", "server"])
        #expect(try run.scrape("?scope=").isEmpty)
        #expect(try run.scrape("?scope=frontend&scope=").isEmpty)
        #expect(try run.scrape("?scope=listener").isEmpty)
        #expect(try run.scrape("?scope=sticktable").isEmpty)
        let bad = try run.request("GET", "/metrics?scope=bogus")
        #expect(bad.status == 400)
        #expect(bad.values("connection") == ["close"])
        // Still serving afterwards.
        #expect(try run.request("GET", "/metrics?scope=global").status == 200)
    }
}
