import Foundation
import Testing

/// The statistics CSV, differentially: HAProxy 2.6 and usher run the same configuration, get the
/// same known traffic, and their `;csv` pages must have the same header, the same rows in the same
/// order, the same cells filled and empty in every row, and the same values wherever the value is
/// fixed by the traffic and the configuration (not by timing or by page sizes).
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct StatsDifferentialTests {
    static let template = """
    global
      maxconn 1000
    \(TestConfigurations.httpDefaults)
    frontend fe
      bind 127.0.0.1:{{PORT}}
      option socket-stats
      stats enable
      stats uri /stats
      http-request deny if { path /forbidden }
      default_backend be
    backend be
      balance roundrobin
      http-response deny if { res.hdr(X-Deny) -m found }
      server s1 {{ORIGIN0}} check inter 200ms
      server s2 {{DEAD}} check inter 200ms
      server s3 {{ORIGIN1}} backup
    """

    /// Columns whose value depends on timing, page sizes or the process (compared for presence only).
    static let timingOrSize: Set<String> = [
        "bout", "lastchg", "downtime", "lastsess", "qtime", "ctime", "rtime", "ttime", "qtime_max", "ctime_max", "rtime_max",
        "ttime_max", "rate", "rate_max", "req_rate", "req_rate_max", "conn_rate", "conn_rate_max", "check_duration", "last_chk",
        "h1_bytes_in", "h1_bytes_out", "smax", "need_conn_est", "chkfail",
    ]

    /// Cells where usher differs on purpose; each reason is in docs/differences-from-haproxy.md.
    static let deliberate: [String: String] = [
        "bin": "usher counts the bytes as they came on the wire; HAProxy 2.6 counts its internal (HTX) form of the head, a few bytes more per request",
        "srv_icur": "usher keeps a server connection with the client session that opened it (no idle pool shared across clients yet)",
        "idle_conn_cur": "as srv_icur",
        "h1_open_connections": "on a backend, HAProxy counts its idle pooled connections too (see srv_icur)",
        "h1_total_connections": "HTTP/1 module counters are derived from usher's session counters",
        "h1_total_streams": "HTTP/1 module counters are derived from usher's session counters",
    ]

    @Test func csvAfterKnownTraffic() throws {
        var pages: [String: StatsTestSupport.CSV] = [:]
        for kind in DifferentialSettings.kinds {
            let run = try ProxyRun(kind, template: Self.template, replies: [.ok, .ok, .status(404, "Not Found", body: "no\n"), .ok("refused\n", [.init("X-Deny", "1")])])
            defer { run.stop() }
            // Let s2's checks take it down.
            Thread.sleep(forTimeInterval: 1.5)
            let base = "http://127.0.0.1:\(run.port)"
            for path in ["/a", "/b", "/c", "/d"] {
                _ = try StatsTestSupport.curl([base + path])
            }
            let denied = try StatsTestSupport.curl([base + "/forbidden"])
            #expect(denied.status == 403, "\(kind)")
            let page = try StatsTestSupport.curl([base + "/stats;csv"])
            #expect(page.status == 200, "\(kind): \(page.body)")
            pages[kind.rawValue] = StatsTestSupport.CSV(run.normalizer(page.body))
        }
        let reference = try #require(pages["haproxy"])
        // The start-up probe (a connection that sends nothing) counts as a session, a request and a
        // 400 in both; then 4 proxied requests (200, 200, 404, a 200 refused by http-response: a 502
        // to the client, a 2xx for the server), 1 request denied (403), and the stats request itself.
        let expectations: [(String, String, String)] = [
            ("fe/FRONTEND", "stot", "7"), ("fe/FRONTEND", "req_tot", "7"), ("fe/FRONTEND", "hrsp_2xx", "2"),
            ("fe/FRONTEND", "hrsp_4xx", "3"), ("fe/FRONTEND", "hrsp_5xx", "1"), ("fe/FRONTEND", "intercepted", "1"),
            ("fe/FRONTEND", "dresp", "1"), ("fe/sock-1", "stot", "7"), ("fe/sock-1", "dreq", "1"), ("fe/sock-1", "dresp", "1"), ("be/BACKEND", "dresp", "1"), ("be/s1", "dresp", "1"), ("fe/FRONTEND", "dreq", "1"), ("fe/FRONTEND", "status", "OPEN"),
            ("be/s1", "hrsp_2xx", "3"), ("be/s1", "hrsp_4xx", "1"), ("be/s1", "status", "UP"), ("be/s2", "status", "DOWN"),
            ("be/s3", "status", "no check"), ("be/BACKEND", "act", "1"), ("be/BACKEND", "bck", "1"), ("be/s1", "check_status", "L4OK"),
            ("be/s2", "check_status", "L4CON"),
        ]
        for (key, column, value) in expectations {
            #expect(reference[key]?[column] == value, "HAProxy's \(key) \(column): the test's own expectation")
        }
        guard let usher = pages["usher"] else { return }
        #expect(usher.header == reference.header)
        #expect(usher.rows.map(\.key) == reference.rows.map(\.key))
        for (key, expected) in reference.rows {
            guard let actual = usher[key] else { continue }
            for column in reference.header where Self.deliberate[column] == nil {
                let want = expected[column] ?? "", got = actual[column] ?? ""
                if Self.timingOrSize.contains(column) {
                    #expect(want.isEmpty == got.isEmpty, "\(key) \(column): HAProxy '\(want)', usher '\(got)'")
                } else {
                    #expect(want == got, "\(key) \(column): HAProxy '\(want)', usher '\(got)'")
                }
            }
        }
    }
}
