import Foundation
import Testing

/// Stick tables, differentially: rate limits, general purpose counters, connection limits and the
/// fetches and converters on tables, each run through HAProxy 2.6 and usher with the same
/// configuration and clients; the clients and origins must see the same. The checks say what
/// HAProxy 2.6.12 does.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct StickTableDifferentialTests {
    @Test(arguments: StickTableScenarios.all)
    func scenario(_ scenario: DifferentialScenario) throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        guard DifferentialSettings.selected(scenario.name) else { return }
        DifferentialRunner.verify(scenario)
    }

    /// `stick on src` in mode tcp, usher alone: HAProxy stores the key when it analyses the
    /// server's answer, which a short connection may end before (seen both ways in repeated runs),
    /// so it is no reference here. usher stores once connected: every connection from one address
    /// reaches the same server.
    @Test func stickOnSourceInModeTCP() throws {
        let run = try ProxyRun(.usher, template: StickTableScenarios.tcpPersistence, replies: [.ok])
        defer { run.stop() }
        for index in 1...3 {
            _ = try? httpGet(port: run.port, path: "/\(index)")
        }
        for origin in run.origins { origin.settle() }
        let counts = run.origins.map { $0.requests.count }.sorted()
        #expect(counts == [0, 3], "\(counts)")
    }

    /// `show table` lists the same entries with the same counters once both proxies saw the same
    /// traffic (the entry's address, its remaining time and the byte counts aside: usher's own
    /// error pages and the way it counts a head's bytes differ).
    @Test func showTableAgrees() throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        let directory = TemporaryDirectory()
        var answers: [ProxyKind: [String]] = [:]
        for kind in DifferentialSettings.kinds {
            let socket = "\(directory.path)/\(kind.rawValue).sock"
            let run = try ProxyRun(kind, template: StickTableScenarios.counting(socket: socket), replies: [.ok, .ok, .status(404, "Not Found"), .status(503, "Unavailable")])
            defer { run.stop() }
            // The runtime API's socket is bound after the listeners.
            for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) { usleep(10_000) }
            for path in ["/a", "/b", "/c", "/d", "/admin", "/admin", "/e"] {
                _ = try? httpGet(port: run.port, path: path)
            }
            _ = try RuntimeAPIClient.ask(socket, "set table st_users key alice data.gpc0 7 data.http_req_cnt 2")
            _ = try RuntimeAPIClient.ask(socket, "set table st_ids key 42")
            var lines: [String] = []
            for command in [
                "show table", "show table fe", "show table fe data.http_req_cnt gt 3", "show table fe data.http_req_cnt gt 100",
                "show table st_users", "show table st_ids", "show table fe key 127.0.0.1", "show table fe data.nothing gt 1",
                "show table fe data.gpt0 gt 1", "show table nope", "set table st_users key bob data.conn_rate 1",
                "set table st_bin key 0102", "clear table st_ids key 42", "show table st_ids", "clear table st_users", "show table st_users",
            ] {
                let answer = try RuntimeAPIClient.ask(socket, command)
                lines.append("> \(command)")
                lines += StickTableScenarios.normalized(answer).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            }
            answers[kind] = lines
        }
        guard let haproxy = answers[.haproxy], let usher = answers[.usher] else { return }
        // Seven requests, and the test harness's readiness probe (a connection that sent nothing,
        // which HAProxy counts as a request and an error).
        #expect(haproxy.contains { $0.contains("key=127.0.0.1") && $0.contains("http_req_cnt=8") })
        for (index, line) in haproxy.enumerated() {
            let other = index < usher.count ? usher[index] : "<missing>"
            #expect(other == line, "line \(index + 1) of the transcript")
        }
        #expect(usher.count == haproxy.count)
    }
}

enum StickTableScenarios {
    static let defaults = """
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        """

    /// HAProxy's manual's rate limit: the fourth request in ten seconds from one address gets 429.
    static let rateLimit = defaults + """

        frontend fe
            bind 127.0.0.1:{{PORT}}
            stick-table type ip size 100k expire 30s store http_req_rate(10s)
            http-request track-sc0 src
            http-request deny deny_status 429 if { sc_http_req_rate(0) gt 3 }
            default_backend be
        backend be
            server s {{ORIGIN0}}
        """

    /// A ban by general purpose counter: two visits to /admin mark the address; a marked address
    /// is refused (the counter lives in a table of its own backend, tracked as sc1).
    static let gpcBan = defaults + """

        frontend fe
            bind 127.0.0.1:{{PORT}}
            http-request track-sc1 src table st_abuse
            http-request sc-inc-gpc0(1) if { path_beg /admin }
            http-request deny if { sc1_get_gpc0 ge 2 }
            default_backend be
        backend st_abuse
            stick-table type ip size 1k expire 1m store gpc0,gpc0_rate(1m)
        backend be
            server s {{ORIGIN0}}
        """

    /// Connection rate by `tcp-request connection` rules: a connection over three in ten seconds
    /// is refused before any byte is read.
    static let connectionRate = defaults + """

        frontend fe
            bind 127.0.0.1:{{PORT}}
            tcp-request connection track-sc1 src
            tcp-request connection reject if { sc_conn_rate(1) gt 3 }
            stick-table type ip size 100 expire 30s store conn_rate(10s),conn_cnt
            default_backend be
        backend be
            server s {{ORIGIN0}}
        """

    /// What the fetches and converters read, sent to the server in headers.
    static let fetches = defaults + """

        frontend fe
            bind 127.0.0.1:{{PORT}}
            stick-table type ip size 10 expire 30s store http_req_cnt,conn_cur,conn_cnt,gpt0,http_err_cnt
            tcp-request content track-sc0 src
            http-request track-sc2 src table st_global
            http-request sc-set-gpt0(0) 5 if { path_beg /mark }
            http-request set-header X-Sc0 "%[sc0_http_req_cnt] %[sc_conn_cur(0)] %[sc_conn_cnt(0)] %[sc0_get_gpt0] %[sc0_trackers]"
            http-request set-header X-Sc2 "%[sc2_http_req_cnt] %[sc_http_req_cnt(2,st_global)] %[sc_http_req_cnt(0,st_global)]"
            http-request set-header X-Src "%[src_http_req_cnt] %[src_http_req_cnt(st_global)] %[src_conn_cur(st_global)] %[src_get_gpc0(st_global)]"
            http-request set-header X-Conv "%[src,table_http_req_cnt(st_global)] %[src,in_table(st_global)] %[str(10.9.9.9),in_table(fe)] %[str(10.9.9.9),table_http_req_cnt(fe)]"
            http-request set-header X-Tracked "%[sc_tracked(0)] %[sc_tracked(1)] %[sc2_tracked]"
            http-request set-header X-Table "%[table_cnt(st_global)] %[table_avl(st_global)] %[table_cnt] %[table_avl]"
            http-request set-header X-Missing "%[sc1_http_req_cnt]" if { sc1_http_req_cnt -m found }
            default_backend be
        backend st_global
            stick-table type ip size 1k expire 1m store http_req_cnt,gpc0,conn_cur
        backend be
            server s {{ORIGIN0}}
        """

    /// Persistence by stick table: `stick on` a header's value, and `stick store-response` of what
    /// the server answered matched by what the client asks for.
    static let persistence = defaults + """

        frontend fe
            bind 127.0.0.1:{{PORT}}
            default_backend be
        backend be
            balance roundrobin
            stick-table type string len 32 size 1k expire 1m
            stick on req.hdr(x-user)
            server s1 {{ORIGIN0}}
            server s2 {{ORIGIN1}}
        """

    /// `stick on src` in mode tcp: every connection from one address goes to one server. (The
    /// test harness's readiness probe, a connection without bytes, is refused before a server is
    /// chosen for it, so that the round robin starts with the first client in both proxies.)
    static let tcpPersistence = defaults.replacingOccurrences(of: "mode http", with: "mode tcp") + """

        frontend fe
            bind 127.0.0.1:{{PORT}}
            tcp-request inspect-delay 2s
            tcp-request content reject if { req.len eq 0 }
            default_backend be
        backend be
            balance roundrobin
            stick-table type ip size 1k expire 1m
            stick on src
            server s1 {{ORIGIN0}}
            server s2 {{ORIGIN1}}
        """

    static let responsePersistence = defaults + """

        frontend fe
            bind 127.0.0.1:{{PORT}}
            default_backend be
        backend be
            balance roundrobin
            stick-table type string len 32 size 1k expire 1m
            stick match req.hdr(x-want)
            stick store-response res.hdr(x-origin)
            server s1 {{ORIGIN0}}
            server s2 {{ORIGIN1}}
        """

    /// Everything a `show table` comparison reads: trackings at every stage, errors (a deny, a
    /// 404), failures (a 503), and tables of other key types.
    static func counting(socket: String) -> String {
        """
        global
            stats socket \(socket) level admin
        """ + "\n" + defaults + """

            frontend fe
                bind 127.0.0.1:{{PORT}}
                stick-table type ip size 10 expire 30s store conn_cnt,conn_cur,conn_rate(10s),sess_cnt,sess_rate(10s),http_req_cnt,http_req_rate(10s),http_err_cnt,http_err_rate(10s),http_fail_cnt,gpc0,gpt0
                tcp-request connection track-sc0 src
                http-request track-sc1 src table st_users
                http-request sc-inc-gpc0(0) if { path_beg /admin }
                http-request deny if { path /e }
                default_backend be
            backend st_users
                stick-table type string len 8 size 10 expire 1m store http_req_cnt,gpc(2),gpc_rate(2,1m)
            backend st_ids
                stick-table type integer size 10 store gpt0
            backend st_bin
                stick-table type binary len 4 size 10
            backend be
                server s {{ORIGIN0}}
            """
    }

    /// `show table` text without what legitimately differs: entry addresses, remaining times and
    /// byte counts.
    static func normalized(_ text: String) -> String {
        var result = text
        for (pattern, replacement) in [("0x[0-9a-f]+:", "ENTRY:"), (" exp=[0-9]+", " exp=T"), (" bytes_(in|out)_cnt=[0-9]+", "")] {
            result = result.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return result
    }

    /// usher writes its own words in its error pages.
    static func ownPage(_ prefixes: [String]) -> [Deviation] {
        prefixes.flatMap { prefix in
            [Deviation(linePrefix: "\(prefix) field: content-length", reason: "usher's own text for its error page"),
             Deviation(linePrefix: "\(prefix) body", reason: "usher's own text for its error page")]
        }
    }

    static let all: [DifferentialScenario] = [
        .init(
            "rate limit: the fourth request within the period gets 429", rateLimit,
            clients: (0..<5).map { _ in [.send(Request.get("/x", ["Connection: close"]))] },
            checks: [
                .statuses([200]), .statuses([200], client: 1), .statuses([200], client: 2),
                .statuses([429], client: 3), .statuses([429], client: 4),
                .requestLines(["GET /x HTTP/1.1", "GET /x HTTP/1.1", "GET /x HTTP/1.1"]),
            ],
            deviations: ownPage(["client 4 response 1", "client 5 response 1"])),
        .init(
            "rate limit over one keep-alive connection: each request counts", rateLimit,
            send: Request.get("/1") + Request.get("/2") + Request.get("/3") + Request.get("/4"),
            checks: [.statuses([200, 200, 200, 429]), .requestLines(["GET /1 HTTP/1.1", "GET /2 HTTP/1.1", "GET /3 HTTP/1.1"])],
            deviations: ownPage(["client response 4"])),
        .init(
            "general purpose counter: two visits to /admin ban the address", gpcBan,
            clients: ["/admin", "/ok", "/admin", "/ok"].map { [.send(Request.get($0, ["Connection: close"]))] },
            checks: [
                .statuses([200]), .statuses([200], client: 1), .statuses([403], client: 2), .statuses([403], client: 3),
                .requestLines(["GET /admin HTTP/1.1", "GET /ok HTTP/1.1"]),
            ],
            deviations: ownPage(["client 3 response 1", "client 4 response 1"])),
        .init(
            // The readiness probe of the test harness is a connection too: the third client's is
            // the fourth in the period. HAProxy resets the refused connections.
            "connection rate: the fourth connection is refused before a byte is read", connectionRate,
            clients: (0..<5).map { _ in [.send(Request.get("/c", ["Connection: close"]))] },
            responses: [1, 1, 0, 0, 0],
            checks: [
                .statuses([200]), .statuses([200], client: 1),
                .statuses([], client: 2), .statuses([], client: 3), .statuses([], client: 4),
                .requestLines(["GET /c HTTP/1.1", "GET /c HTTP/1.1"]),
            ],
            deviations: [Deviation(linePrefix: "client 3", reason: "how soon the refusal reaches the client: reset or closed, as it falls"),
                         Deviation(linePrefix: "client 4", reason: "how soon the refusal reaches the client: reset or closed, as it falls"),
                         Deviation(linePrefix: "client 5", reason: "how soon the refusal reaches the client: reset or closed, as it falls")],
            closeWatch: [0.3, 0.3, 0.5, 0.5, 0.5]),
        .init(
            "stick on: a user stays on the server that first took them", persistence,
            clients: ["alice", "alice", "bob", "alice", "bob", "carol"].map { [.send(Request.get("/\($0)", ["X-User: \($0)", "Connection: close"]))] },
            checks: [
                .requestLines(["GET /alice HTTP/1.1", "GET /alice HTTP/1.1", "GET /alice HTTP/1.1", "GET /carol HTTP/1.1"]),
                .requestLines(["GET /bob HTTP/1.1", "GET /bob HTTP/1.1"], origin: 1),
            ]),
        .init(
            "stick store-response: what the server answered brings the client back to it", responsePersistence,
            clients: [
                [.send(Request.get("/1", ["Connection: close"]))], [.send(Request.get("/2", ["Connection: close"]))],
                [.send(Request.get("/3", ["X-Want: origin1", "Connection: close"]))], [.send(Request.get("/4", ["X-Want: origin0", "Connection: close"]))],
                [.send(Request.get("/5", ["X-Want: origin1", "Connection: close"]))], [.send(Request.get("/6", ["X-Want: nobody", "Connection: close"]))],
            ],
            checks: [
                // The round robin goes on where it was: requests that persistence placed do not move it.
                .requestLines(["GET /1 HTTP/1.1", "GET /4 HTTP/1.1", "GET /6 HTTP/1.1"]),
                .requestLines(["GET /2 HTTP/1.1", "GET /3 HTTP/1.1", "GET /5 HTTP/1.1"], origin: 1),
            ]),
        .init(
            "fetches and converters read the tracked entries, other tables and keys", fetches,
            clients: [
                [.send(Request.get("/mark") + Request.get("/two"))],
                [.send(Request.get("/three", ["Connection: close"]))],
            ],
            checks: [
                .statuses([200, 200]), .statuses([200], client: 1),
                .originField("x-sc0", ["1 1 1 5 1"]), .originField("x-sc0", ["2 1 2 5 1"], request: 1), .originField("x-sc0", ["3 1 3 5 1"], request: 2),
                .originField("x-sc2", ["1 1 1"]), .originField("x-sc2", ["3 3 3"], request: 2),
                .originField("x-src", ["1 1 1 0"]), .originField("x-src", ["3 3 1 0"], request: 2),
                .originField("x-conv", ["1 1 0 0"]), .originField("x-tracked", ["1 0 1"]),
                .originField("x-table", ["1 1023 1 9"]), .originField("x-missing", []),
            ]),
    ]
}
