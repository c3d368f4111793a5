import Testing

/// `http-request replace-path`, `replace-pathq` and `replace-uri`, differentially: the origin must
/// receive the same request lines from HAProxy 2.6 and from usher.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct RoutingRuleDifferentialTests {
    /// Path rewriting (below), a backend's content rules (BackendContentRuleScenarios) and HTTP
    /// fetches in mode tcp (HTTPInTCPModeScenarios).
    @Test(arguments: TargetRewriteScenarios.all + BackendContentRuleScenarios.all + HTTPInTCPModeScenarios.all)
    func scenario(_ scenario: DifferentialScenario) throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        guard DifferentialSettings.selected(scenario.name) else { return }
        DifferentialRunner.verify(scenario)
    }
}

enum TargetRewriteScenarios {
    static let configuration = """
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:{{PORT}}
            http-request replace-path /api/(.*) /\\1 if { path_beg /api/ }
            http-request replace-path (.*) /v2\\1 if { req.hdr(x-v2) -m found }
            http-request replace-pathq ([^?]*)(\\?(.*))? \\1/tail\\2 if { path_beg /q }
            http-request replace-uri ^http://[^/]*(/.*) \\1
            http-request replace-path ^/u/([a-z]+)$ /users?name=\\1&from=%[req.hdr(x-from)]
            default_backend be
        backend be
            server s {{ORIGIN0}}
        """

    static let all: [DifferentialScenario] = [
        .init(
            "replace-path, replace-pathq and replace-uri rewrite what the server is asked", configuration,
            send: Request.get("/api/items?page=2") + Request.get("/plain", ["X-V2: 1"]) + Request.get("/q/a?x=1")
                + Request.get("/q/b") + Request.get("http://www.example.test/abs/path?k=v") + Request.get("/u/alice", ["X-From: web"])
                + Request.get("/u/Alice") + Request.get("/untouched?z"),
            checks: [
                .statuses([200, 200, 200, 200, 200, 200, 200, 200]),
                .requestLines([
                    "GET /items?page=2 HTTP/1.1", "GET /v2/plain HTTP/1.1", "GET /q/a/tail?x=1 HTTP/1.1", "GET /q/b/tail HTTP/1.1",
                    "GET /abs/path?k=v HTTP/1.1", "GET /users?name=alice&from=web HTTP/1.1", "GET /u/Alice HTTP/1.1", "GET /untouched?z HTTP/1.1",
                ]),
            ]),
        .init(
            "set-pathq sets the path and the query string together", """
                defaults
                    mode http
                    timeout connect 2s
                    timeout client 5s
                    timeout server 5s
                frontend fe
                    bind 127.0.0.1:{{PORT}}
                    http-request set-pathq /new%[path]?app=t&%[query]
                    default_backend be
                backend be
                    server s {{ORIGIN0}}
                """,
            send: Request.get("/req1?a=1&b=2") + Request.get("/req2"),
            checks: [
                .statuses([200, 200]),
                .requestLines(["GET /new/req1?app=t&a=1&b=2 HTTP/1.1", "GET /new/req2?app=t& HTTP/1.1"]),
            ]),
    ]
}
