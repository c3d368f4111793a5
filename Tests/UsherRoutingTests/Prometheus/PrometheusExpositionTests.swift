import Foundation
import Testing
import UsherRouting

/// The exporter's text from statistics rows, pure. The reference is HAProxy 2.6.12 itself: its
/// `show stat` CSV and its exporter's answer, captured together on one configuration (a frontend
/// with the exporter, a `listen stats`, a TCP frontend with `option socket-stats`, an HTTP backend
/// with an up, a down and an unchecked backup server, a TCP backend), in `Fixtures/`.
@Suite struct PrometheusExpositionTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// HAProxy's rows, read back from its CSV.
    static func haproxyRows() throws -> [StatRow] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("haproxy-2.6-show-stat.csv"), encoding: .utf8)
        var lines = text.split(separator: "\n")
        let header = lines.removeFirst().dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return try lines.map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let cell = { (name: String) in cells[header.firstIndex(of: name)!] }
            let kind = try #require(StatRow.Kind(rawValue: Int(cell("type"))!))
            var row = StatRow(
                kind: kind, proxyName: cell("pxname"), serviceName: cell("svname"), proxyID: Int(cell("iid"))!,
                objectID: Int(cell("sid"))!, isHTTP: cell("mode") == "http")
            for (name, value) in zip(header, cells) where !name.isEmpty && !value.isEmpty {
                guard let field = StatField(name: name) else { continue }
                row[field] = Int(value).map(StatValue.int) ?? .string(value)
            }
            return row
        }
    }

    static func haproxyMetrics() throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent("haproxy-2.6-metrics.txt"), encoding: .utf8)
    }

    /// Every line without its value: HELP and TYPE lines whole, samples as name and labels.
    static func skeleton(_ text: String) -> [String] {
        text.split(separator: "\n").map { line in
            line.hasPrefix("#") ? String(line) : String(line[..<line.lastIndex(of: " ")!])
        }
    }

    static func process(version: String = "2.6.12-1+deb12u4") -> PrometheusProcessValues {
        PrometheusProcessValues(values: ["nbthread": .integer(1), "uptime_seconds": .integer(43)], version: version)
    }

    /// The same rows give the same metrics, in the same order, with the same types, HELP texts and
    /// label sets, and NaN in the same places, as HAProxy 2.6's exporter.
    @Test func sameMetricsTypesLabelsAndOrderAsHAProxy() throws {
        let ours = PrometheusExposition.render(PrometheusQuery(), process: Self.process(), rows: try Self.haproxyRows())
        let theirs = try Self.haproxyMetrics()
        let ourSkeleton = Self.skeleton(ours)
        let theirSkeleton = Self.skeleton(theirs)
        #expect(ourSkeleton.count == theirSkeleton.count)
        for (index, (mine, reference)) in zip(ourSkeleton, theirSkeleton).enumerated() where mine != reference {
            Issue.record("line \(index + 1): usher '\(mine)', HAProxy '\(reference)'")
            break
        }
        #expect(ours.split(separator: "\n").filter { $0.hasPrefix("# TYPE") }.count == 201)
        let nan = { (text: String) in text.split(separator: "\n").filter { $0.hasSuffix(" NaN") && !$0.hasPrefix("haproxy_process_") } }
        #expect(nan(ours) == nan(theirs))
    }

    /// Values that did not move between HAProxy's CSV and its scrape a moment later are the same.
    @Test func valuesFollowTheRows() throws {
        let text = PrometheusExposition.render(PrometheusQuery(), process: Self.process(), rows: try Self.haproxyRows())
        let samples = Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") })
        for expected in [
            #"haproxy_backend_http_requests_total{proxy="be_app"} 13"#,
            #"haproxy_backend_http_responses_total{proxy="be_app",code="2xx"} 10"#,
            #"haproxy_backend_http_responses_total{proxy="be_app",code="4xx"} 3"#,
            #"haproxy_server_sessions_total{proxy="be_app",server="s1"} 13"#,
            #"haproxy_server_loadbalanced_total{proxy="be_app",server="s1"} 13"#,
            #"haproxy_server_status{proxy="be_app",server="s2",state="DOWN"} 1"#,
            #"haproxy_server_status{proxy="be_app",server="s3",state="UP"} 1"#,
            #"haproxy_server_check_status{proxy="be_app",server="s2",state="L4CON"} 1"#,
            #"haproxy_server_check_status{proxy="be_app",server="s1",state="L4OK"} 1"#,
            #"haproxy_server_last_session_seconds{proxy="be_app",server="s2"} -1"#,
            #"haproxy_server_max_response_time_seconds{proxy="be_app",server="s1"} 0.010000"#,
            #"haproxy_backend_agg_server_status{proxy="be_app",state="UP"} 2"#,
            #"haproxy_backend_agg_server_status{proxy="be_app",state="DOWN"} 1"#,
            #"haproxy_backend_agg_check_status{proxy="be_app",state="L4OK"} 1"#,
            #"haproxy_backend_agg_check_status{proxy="be_app",state="L4CON"} 1"#,
            #"haproxy_frontend_status{proxy="fe_main",state="UP"} 1"#,
            #"haproxy_listener_status{proxy="fe_tcp",listener="sock-1",state="OPEN"} 1"#,
            #"haproxy_process_nbthread 1"#,
            #"haproxy_process_build_info{version="2.6.12-1+deb12u4"} 1"#,
            #"haproxy_process_pool_used_bytes NaN"#,
        ] {
            #expect(samples.contains(Substring(expected)), "\(expected)")
        }
    }

    @Test func scopesSelectSections() throws {
        let rows = try Self.haproxyRows()
        func prefixes(_ query: PrometheusQuery) -> Set<String> {
            let text = PrometheusExposition.render(query, process: Self.process(), rows: rows)
            return Set(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE") }.map { String($0.split(separator: "_")[1]) })
        }
        #expect(prefixes(PrometheusQuery()) == ["process", "frontend", "listener", "backend", "server"])
        #expect(prefixes(PrometheusQuery(scopes: .global)) == ["process"])
        #expect(prefixes(PrometheusQuery(scopes: [.backend, .server])) == ["backend", "server"])
        #expect(prefixes(PrometheusQuery(scopes: .stickTable)).isEmpty)
        #expect(PrometheusExposition.render(PrometheusQuery(scopes: []), process: Self.process(), rows: rows).isEmpty)
        // HAProxy's own answers for the same scopes: 60, 28, 14, 50 and 49 metrics.
        for (scope, count) in [(PrometheusScopes.global, 60), (.frontend, 28), (.listener, 14), (.backend, 50), (.server, 49)] {
            let text = PrometheusExposition.render(PrometheusQuery(scopes: scope), process: Self.process(), rows: rows)
            #expect(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE") }.count == count)
        }
    }

    /// `no-maint` drops servers in maintenance from the server metrics; the backends' aggregates
    /// still count them. A server in maintenance has no check status or code, but keeps its last
    /// check's duration (HAProxy 2.6's `m-maint` captures).
    @Test func maintenance() throws {
        var rows = try Self.haproxyRows()
        let index = try #require(rows.firstIndex { $0.serviceName == "s2" })
        rows[index][.status] = .string("MAINT")
        let all = PrometheusExposition.render(PrometheusQuery(), process: Self.process(), rows: rows)
        #expect(all.contains(#"haproxy_server_status{proxy="be_app",server="s2",state="MAINT"} 1"#))
        #expect(!all.contains(#"haproxy_server_check_status{proxy="be_app",server="s2""#))
        #expect(!all.contains(#"haproxy_server_check_code{proxy="be_app",server="s2"}"#))
        #expect(all.contains(#"haproxy_server_check_duration_seconds{proxy="be_app",server="s2"}"#))
        let withoutMaintenance = PrometheusExposition.render(PrometheusQuery(excludesMaintenance: true), process: Self.process(), rows: rows)
        #expect(!withoutMaintenance.contains(#"server="s2""#))
        #expect(withoutMaintenance.contains(#"haproxy_backend_agg_server_status{proxy="be_app",state="MAINT"} 1"#))
        let lines = { (text: String) in text.split(separator: "\n").count }
        // HAProxy 2.6: 56 lines of the server in maintenance go.
        #expect(lines(all) - lines(withoutMaintenance) == 56)
    }

    @Test func statusStates() {
        func state(_ status: String) -> String? {
            var row = StatRow(kind: .server, proxyName: "b", serviceName: "s", proxyID: 2, objectID: 1, isHTTP: false)
            row[.status] = .string(status)
            let text = PrometheusExposition.render(PrometheusQuery(scopes: .server), process: Self.process(), rows: [row])
            return text.split(separator: "\n").first { $0.hasPrefix("haproxy_server_status") && $0.hasSuffix(" 1") }
                .flatMap { $0.split(separator: "\"").dropLast().last.map(String.init) }
        }
        #expect(state("UP") == "UP")
        #expect(state("UP 1/3") == "UP")
        #expect(state("no check") == "UP")
        #expect(state("DOWN") == "DOWN")
        #expect(state("DOWN 1/2") == "DOWN")
        #expect(state("MAINT") == "MAINT")
        #expect(state("DRAIN") == "DRAIN")
        #expect(state("NOLB") == "NOLB")
    }

    @Test func values() {
        #expect(PrometheusValue.integer(-1).text == "-1")
        #expect(PrometheusValue.milliseconds(0).text == "0.000000")
        #expect(PrometheusValue.milliseconds(1).text == "0.001000")
        #expect(PrometheusValue.milliseconds(10).text == "0.010000")
        #expect(PrometheusValue.milliseconds(1_500).text == "1.500000")
        #expect(PrometheusValue.milliseconds(123_456).text == "123.456000")
        #expect(PrometheusValue.notANumber.text == "NaN")
    }

    @Test func labelValuesAreEscaped() {
        var row = StatRow(kind: .frontend, proxyName: #"a"b\c"#, serviceName: "FRONTEND", proxyID: 2, objectID: 0, isHTTP: false)
        row[int: .scur] = 1
        let text = PrometheusExposition.render(PrometheusQuery(scopes: .frontend), process: Self.process(), rows: [row])
        #expect(text.contains(#"haproxy_frontend_current_sessions{proxy="a\"b\\c"} 1"#))
    }

    @Test func contentType() {
        #expect(PrometheusExposition.contentType == "text/plain; version=0.0.4")
    }
}

/// The query string, as HAProxy 2.6.12 answered each of these (200 with the scopes, or 400).
@Suite struct PrometheusQueryTests {
    static let cases: [(query: String?, scopes: PrometheusScopes?, noMaint: Bool)] = [
        (nil, .all, false),
        ("", .all, false),
        ("foo", .all, false),
        ("=x", .all, false),
        ("SCOPE=global", .all, false),
        ("scope=global", .global, false),
        ("scope=global&scope=global", .global, false),
        ("scope=backend&scope=server", [.backend, .server], false),
        ("scope=frontend&foo=bar", .frontend, false),
        ("&scope=global", .global, false),
        ("scope=global&", .global, false),
        ("scope=%66rontend", .frontend, false),
        ("scope=", [], false),
        ("scope=frontend&scope=", [], false),
        ("scope=&scope=frontend", .frontend, false),
        ("scope=*", .all, false),
        ("scope=*x", .all, false),
        ("scope=%2A", .all, false),
        ("scope=frontend&scope=*", .all, false),
        ("scope=listener", .listener, false),
        ("scope=sticktable", .stickTable, false),
        ("no-maint", .all, true),
        ("no-maint=0", .all, true),
        ("scope=server&no-maint", .server, true),
        ("no-maint&scope=", [], true),
        ("scope", nil, false),
        ("scope=global&scope", nil, false),
        ("scope=Frontend", nil, false),
        ("scope=bogus", nil, false),
        ("scope=global;x", nil, false),
        ("scope=frontend,backend", nil, false),
        ("scope=global+", nil, false),
        ("scope=backend%26scope%3Dserver", nil, false),
        ("scope=frontend%", nil, false),
        ("scope=global&scope=bogus&scope=", nil, false),
    ]

    @Test(arguments: 0..<cases.count)
    func query(_ index: Int) {
        let (text, scopes, noMaint) = Self.cases[index]
        let query = PrometheusQuery(query: text.map { Substring($0) })
        #expect(query?.scopes == scopes, "\(text ?? "nil")")
        if let query { #expect(query.excludesMaintenance == noMaint, "\(text ?? "nil")") }
    }
}
