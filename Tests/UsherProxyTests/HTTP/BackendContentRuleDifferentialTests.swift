import Testing

/// A backend's own `tcp-request content` rules, differentially: they run once the backend is
/// chosen, before its `http-request` rules, in both modes.
/// (Run by `RoutingRuleDifferentialTests`.)
enum BackendContentRuleScenarios {
    static let http = """
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:{{PORT}}
            use_backend be_closed if { path_beg /closed }
            default_backend be
        backend be
            stick-table type ip size 10 store http_req_cnt
            tcp-request content track-sc1 src
            tcp-request content reject if { path_beg /secret }
            http-request set-header X-Count %[sc1_http_req_cnt]
            server s {{ORIGIN0}}
        backend be_closed
            tcp-request content reject
            server s {{ORIGIN0}}
        """

    static let tcp = """
        defaults
            mode tcp
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:{{PORT}}
            default_backend be
        backend be
            tcp-request content reject if { src 10.0.0.0/8 }
            tcp-request content reject if { dst_port {{PORT}} }
            server s {{ORIGIN0}}
        """

    static let all: [DifferentialScenario] = [
        .init(
            "mode http: the chosen backend's content rules track, and refuse before its http-request rules", http,
            clients: [
                [.send(Request.get("/a") + Request.get("/b"))],
                [.send(Request.get("/secret/x"))],
                [.send(Request.get("/closed"))],
            ],
            responses: [2, 0, 0],
            checks: [
                .statuses([200, 200]), .statuses([], client: 1), .statuses([], client: 2),
                .clientEnd(.closed, client: 1), .clientEnd(.closed, client: 2),
                .requestLines(["GET /a HTTP/1.1", "GET /b HTTP/1.1"]),
                .originField("x-count", ["1"]), .originField("x-count", ["2"], request: 1),
            ]),
        .init(
            "mode tcp: a backend's content rule refuses the connection", tcp,
            send: Request.get("/x"), responses: 0,
            checks: [.statuses([]), .nothingForwarded()],
            // HAProxy has read the request into its buffer when it closes: a FIN. usher closes
            // before reading it, and Linux resets a socket closed with bytes unread.
            deviations: [Deviation(linePrefix: "client connection", reason: "reset (usher, request unread) or FIN (HAProxy)")]),
    ]
}
