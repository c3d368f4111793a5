import Testing

/// Variables, `silent-drop` and `tarpit`, differentially: each scenario runs through HAProxy 2.6
/// and through usher (the `usher` executable) with the same configuration and client bytes; the
/// origins and the clients must see the same. The checks say what HAProxy 2.6.12 does.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct VariableDifferentialTests {
    @Test(arguments: VariableScenarios.all)
    func scenario(_ scenario: DifferentialScenario) {
        guard DifferentialSettings.selected(scenario.name) else { return }
        DifferentialRunner.verify(scenario)
    }
}

enum VariableScenarios {
    static let defaults = """
        global
            set-var proc.site str(edge)
            set-var-fmt proc.label "%[var(proc.site)]-1"
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
            timeout tarpit 400ms
        """

    /// Variables set from headers choose the backend (`use_backend %[var(…)]`), go to the server in
    /// headers, and come back in `http-response set-header`; `txn` is gone at the next request on
    /// the same connection, `sess` stays, `proc` is the process's. (`http-server-close`: HAProxy
    /// keeps an idle connection per server a session used and goes back to it, usher only the
    /// last one; that is not what this compares.)
    static let routing = defaults + """

        frontend fe
            bind 127.0.0.1:{{PORT}}
            option http-server-close
            tcp-request connection set-var(sess.client) src
            tcp-request content set-var(txn.first_path) path
            http-request set-var(txn.tenant) req.hdr(x-tenant),lower
            http-request set-var(sess.requests) var(sess.requests,0),add(1)
            http-request set-var(txn.seen) str(yes) if { req.hdr(x-mark) -m found }
            http-request set-var(req.scratch) str(request-only)
            http-request set-var-fmt(txn.route) "%[var(txn.tenant)]@%[var(proc.label)]"
            http-request set-header X-Tenant %[var(txn.tenant)]
            http-request set-header X-Route %[var(txn.route)]
            http-request set-header X-Requests %[var(sess.requests)]
            http-request set-header X-Seen %[var(txn.seen,no)]
            http-request set-header X-Client %[var(sess.client)]
            http-request set-header X-Path %[var(txn.first_path)]
            http-request set-header X-Host %[req.hdr(host),lower,set-var(txn.host)]
            http-request del-header X-Mark
            http-request unset-var(txn.tenant) if { var(txn.tenant) -m str nobody }
            use_backend be_%[var(txn.tenant)] if { var(txn.tenant) -m found }
            default_backend be_default
            http-response set-var(res.status) status
            http-response set-header X-Tenant-Was "%[var(txn.tenant)] host=%[var(txn.host)] status=%[var(res.status)] req=[%[var(req.scratch)]]"
            http-response set-header X-Requests %[var(sess.requests)]
        backend be_alpha
            server a {{ORIGIN0}}
        backend be_default
            server d {{ORIGIN1}}
        """

    static let tarpitAndDrop = defaults + """

        frontend fe
            bind 127.0.0.1:{{PORT}}
            http-request set-var(txn.trap) path,word(1,/)
            http-request tarpit if { var(txn.trap) -m str trap }
            http-request tarpit status 429 content-type text/plain string "slow down" if { var(txn.trap) -m str slow }
            http-request silent-drop if { var(txn.trap) -m str drop }
            default_backend be
        backend be
            server s {{ORIGIN0}}
        """

    static let all: [DifferentialScenario] = [
        .init(
            "variables: route, forward and answer by variables over one keep-alive connection", routing,
            clients: [
                [.send(
                    Request.get("/a/one", ["X-Tenant: Alpha", "X-Mark: 1"]) + Request.get("/b/two")
                        + Request.get("/c/three", ["X-Tenant: NOBODY"]) + Request.get("/d/four", ["X-Tenant: ALPHA"]))],
                // A new connection: a new session, its own count.
                [.send(Request.get("/e/five", ["X-Tenant: alpha"]))],
            ],
            checks: [
                .statuses([200, 200, 200, 200]), .statuses([200], client: 1),
                .requestLines(["GET /a/one HTTP/1.1", "GET /d/four HTTP/1.1", "GET /e/five HTTP/1.1"]),
                .requestLines(["GET /b/two HTTP/1.1", "GET /c/three HTTP/1.1"], origin: 1),
                .originField("x-tenant", ["alpha"]), .originField("x-route", ["alpha@edge-1"]),
                .originField("x-requests", ["1"]), .originField("x-seen", ["yes"]),
                .originField("x-client", ["127.0.0.1"]), .originField("x-path", ["/a/one"]), .originField("x-host", ["www.example.test"]),
                .originField("x-tenant", [""], origin: 1), .originField("x-route", ["@edge-1"], origin: 1),
                .originField("x-requests", ["2"], origin: 1), .originField("x-seen", ["no"], origin: 1),
                .originField("x-path", ["/b/two"], origin: 1),
                .originField("x-tenant", ["nobody"], request: 1, origin: 1), .originField("x-requests", ["3"], request: 1, origin: 1),
                .originField("x-requests", ["4"], request: 1), .originField("x-seen", ["no"], request: 1),
                .originField("x-requests", ["1"], request: 2),
                .responseField("x-tenant-was", ["alpha host=www.example.test status=200 req=[]"]),
                .responseField("x-tenant-was", ["host=www.example.test status=200 req=[]"], response: 1),
                .responseField("x-tenant-was", ["host=www.example.test status=200 req=[]"], response: 2),
                .responseField("x-requests", ["4"], response: 3),
                .responseField("x-requests", ["1"], client: 1),
                .clientEnd(.open),
            ]),
        .init(
            "tarpit: the answer comes after timeout tarpit, and the connection goes on", tarpitAndDrop,
            send: Request.get("/trap/x") + Request.get("/slow/y") + Request.get("/fine"),
            checks: [
                .statuses([500, 429, 200]), .responseBody("slow down", response: 1), .requestLines(["GET /fine HTTP/1.1"]),
                .clientEnd(.open),
            ],
            deviations: [
                Deviation(linePrefix: "client response 1 field: content-length", reason: "usher's own text for its 500 page"),
                Deviation(linePrefix: "client response 1 body", reason: "usher's own text for its 500 page"),
            ]),
        .init(
            "silent-drop: no answer, nothing forwarded, the client is not told", tarpitAndDrop,
            send: Request.get("/drop/now") + Request.get("/fine"), responses: 0,
            checks: [.statuses([]), .nothingForwarded()],
            closeWatch: 1),
    ]
}
