import Foundation
import Testing

/// The exporter against HAProxy 2.6's own, on the same configuration and the same traffic: the
/// same metric names with the same TYPE and HELP lines, the same label sets on every metric (the
/// one value that differs by design is `build_info`'s version), and the same counts of the known
/// traffic. Values that depend on timing (ages, rates, averages, limits HAProxy derives from
/// `ulimit`) are not compared.
@Suite(.serialized, .enabled(if: (DifferentialSettings.haproxyAvailable && Lighttpd.isInstalled) || ExporterRun.isCI, "needs haproxy and lighttpd"))
struct PrometheusDifferentialTests {
    struct Observation {
        var full: Exposition
        var before: Exposition
        var scopes: [String: Set<String>]
        var contentType: [String]
        var badScopeStatus: Int
        var withoutMaintenance: [String]
    }

    static func observe(_ kind: ProxyKind) throws -> Observation {
        try #require(DifferentialSettings.haproxyAvailable, "HAProxy 2.6 (/usr/sbin/haproxy) is required (CI=true)")
        let run = try PrometheusExporterTests.start(kind)
        defer { run.stop() }
        let before = Exposition(try run.scrape())
        try run.sendTraffic(ok: 10, missing: 3, tcp: 1)
        let full = Exposition(try run.scrape())
        var scopes: [String: Set<String>] = [:]
        for query in ["?scope=global", "?scope=frontend", "?scope=backend&scope=server", "?scope=", "?scope=&scope=server", "?no-maint"] {
            scopes[query] = Set(Exposition(try run.scrape(query)).types.keys)
        }
        let withoutMaintenance = Exposition(try run.scrape("?scope=backend&scope=server&no-maint")).series
        let response = try run.request("GET", "/metrics?scope=global")
        return Observation(
            full: full, before: before, scopes: scopes, contentType: response.values("content-type"),
            badScopeStatus: try run.request("GET", "/metrics?scope=bogus").status, withoutMaintenance: withoutMaintenance)
    }

    @Test func sameMetricsLabelsAndCountsAsHAProxy() throws {
        let haproxy = try Self.observe(.haproxy)
        let usher = try Self.observe(.usher)

        // Names, types and HELP texts.
        #expect(usher.full.types.count == haproxy.full.types.count)
        for (name, type) in haproxy.full.types.sorted(by: { $0.key < $1.key }) {
            #expect(usher.full.types[name] == type, "TYPE of \(name)")
            #expect(usher.full.helps[name] == haproxy.full.helps[name], "HELP of \(name)")
        }
        for name in Set(usher.full.types.keys).subtracting(haproxy.full.types.keys).sorted() {
            Issue.record("usher has \(name), HAProxy does not")
        }

        // Label sets, metric by metric, in HAProxy's order.
        let labelled = { (exposition: Exposition) in
            exposition.samples.filter { $0.name != "haproxy_process_build_info" }.map { $0.name + $0.labels }
        }
        let ours = labelled(usher.full)
        let theirs = labelled(haproxy.full)
        #expect(Set(ours).subtracting(theirs).sorted() == [], "series only usher has")
        #expect(Set(theirs).subtracting(ours).sorted() == [], "series only HAProxy has")
        #expect(ours == theirs, "order of the series")
        #expect(usher.full.samples.filter { $0.name == "haproxy_process_build_info" }.map { $0.labels.split(separator: "=")[0] } == ["{version"])

        // Known traffic: the same counts.
        for series in Self.countedSeries {
            #expect(usher.full[series] != nil && usher.full[series] == haproxy.full[series], "\(series): usher \(usher.full[series] ?? "-"), HAProxy \(haproxy.full[series] ?? "-")")
        }
        // The frontend also counts the scrapes; between two scrapes both saw the same.
        for series in [
            #"haproxy_frontend_http_requests_total{proxy="fe_main"}"#,
            #"haproxy_frontend_sessions_total{proxy="fe_main"}"#,
            #"haproxy_frontend_connections_total{proxy="fe_main"}"#,
            #"haproxy_frontend_intercepted_requests_total{proxy="fe_main"}"#,
            #"haproxy_frontend_http_responses_total{proxy="fe_main",code="2xx"}"#,
            #"haproxy_frontend_http_responses_total{proxy="fe_main",code="4xx"}"#,
        ] {
            let delta = { (observation: Observation) in
                Int(observation.full[series] ?? "").flatMap { after in Int(observation.before[series] ?? "").map { after - $0 } }
            }
            #expect(delta(usher) != nil && delta(usher) == delta(haproxy), "\(series): usher +\(delta(usher) ?? -1), HAProxy +\(delta(haproxy) ?? -1)")
        }

        // `no-maint`: the same series left.
        #expect(usher.withoutMaintenance == haproxy.withoutMaintenance)
        #expect(!usher.withoutMaintenance.contains { $0.contains(#"server="o1""#) })

        // Scopes and the response's type.
        #expect(usher.scopes == haproxy.scopes)
        #expect(usher.contentType == haproxy.contentType)
        #expect(usher.badScopeStatus == 400 && haproxy.badScopeStatus == 400)
    }

    /// The series whose values the known traffic fixes (and the health checks, once settled).
    static var countedSeries: [String] {
        var series = [
            #"haproxy_backend_http_requests_total{proxy="be_app"}"#,
            #"haproxy_backend_sessions_total{proxy="be_app"}"#,
            #"haproxy_backend_loadbalanced_total{proxy="be_app"}"#,
            #"haproxy_server_sessions_total{proxy="be_app",server="s1"}"#,
            #"haproxy_server_loadbalanced_total{proxy="be_app",server="s1"}"#,
            #"haproxy_server_sessions_total{proxy="be_app",server="s2"}"#,
            #"haproxy_server_sessions_total{proxy="be_app",server="s3"}"#,
            #"haproxy_frontend_sessions_total{proxy="fe_tcp"}"#,
            #"haproxy_frontend_connections_total{proxy="fe_tcp"}"#,
            #"haproxy_backend_sessions_total{proxy="be_tcp"}"#,
            #"haproxy_server_sessions_total{proxy="be_tcp",server="t1"}"#,
            #"haproxy_backend_active_servers{proxy="be_app"}"#,
            #"haproxy_backend_backup_servers{proxy="be_app"}"#,
            #"haproxy_server_limit_sessions{proxy="be_app",server="s1"}"#,
            #"haproxy_server_check_failures_total{proxy="be_app",server="s3"}"#,
        ]
        for code in ["1xx", "2xx", "3xx", "4xx", "5xx", "other"] {
            series.append(#"haproxy_backend_http_responses_total{proxy="be_app",code="\#(code)"}"#)
            series.append(#"haproxy_server_http_responses_total{proxy="be_app",server="s1",code="\#(code)"}"#)
        }
        for state in ["DOWN", "UP", "MAINT", "DRAIN", "NOLB"] {
            for server in ["s1", "s2", "s3"] {
                series.append(#"haproxy_server_status{proxy="be_app",server="\#(server)",state="\#(state)"}"#)
            }
            series.append(#"haproxy_server_status{proxy="be_off",server="o1",state="\#(state)"}"#)
            series.append(#"haproxy_backend_agg_server_status{proxy="be_off",state="\#(state)"}"#)
        }
        for state in ["DOWN", "UP"] {
            series.append(#"haproxy_backend_status{proxy="be_off",state="\#(state)"}"#)
        }
        for state in ["L4OK", "L4CON", "L4TOUT"] {
            series.append(#"haproxy_backend_agg_check_status{proxy="be_app",state="\#(state)"}"#)
        }
        return series
    }
}
