extension DifferentialScenarios {
    /// A request followed at once by the client's half-close, as `printf '…' | nc -N HOST PORT`
    /// sends it (issue 11): answered, then closed, in every HTTP mode. The FIN's timing against the
    /// server connection is a race these single runs may miss; `HTTPHalfCloseTests` repeats them.
    static let halfClose: [DifferentialScenario] = {
        func configuration(_ option: String) -> String {
            C.template(defaults: C.defaults(serverClose: false, extra: ["option \(option)"]), backend: [], server: "server server1 {{ORIGIN0}}")
        }
        let modes = ["http-keep-alive", "http-server-close", "httpclose"]
        var scenarios: [DifferentialScenario] = modes.map { option in
            .init(
                "nc -N: GET then the client's half-close, option \(option)", configuration(option),
                clients: [[.send(Request.get("/")), .halfClose]],
                checks: [
                    .statuses([200]), .requestLines(["GET / HTTP/1.1"]), .responseBody("hello from origin\n"),
                    // The half-close does not make the answer say `close`: only the mode does.
                    .responseField("connection", option == "httpclose" ? ["close"] : []),
                    .clientEnd(.closed),
                ])
        }
        scenarios += [
            .init(
                "nc -N: POST with Content-Length then the client's half-close", configuration("http-server-close"),
                clients: [[.send(Request.post("/form", body: "name=value&other=1")), .halfClose]],
                checks: [.statuses([200]), .originBody("name=value&other=1"), .originFraming(.contentLength(18)), .clientEnd(.closed)]),
            .init(
                "nc -N: chunked POST then the client's half-close", configuration("http-keep-alive"),
                clients: [[.send(Request.make("POST", "/upload", ["Transfer-Encoding: chunked"], body: Request.chunked(["first part,", " second part"]))), .halfClose]],
                checks: [.statuses([200]), .originFraming(.chunked), .originBody("first part, second part"), .clientEnd(.closed)]),
            // With `httpclose` the first of two pipelined requests is answered, then the
            // connection closes. (In the other modes HAProxy 2.6 answers both or only the first,
            // depending on when it sees the FIN: not a stable reference; see HTTPHalfCloseTests.)
            .init(
                "nc -N: two pipelined requests then the client's half-close, option httpclose", configuration("httpclose"),
                clients: [[.send(Request.get("/one") + Request.get("/two")), .halfClose]], responses: [1],
                checks: [.statuses([200]), .requestLines(["GET /one HTTP/1.1"]), .clientEnd(.closed)]),
            // A half-close in the middle of a body is an abort: no answer, nothing whole forwarded.
            // usher (without `option abortonclose`) still sends the server what came, then closes.
            .init(
                "nc -N: half-close in the middle of a body", configuration("http-server-close"),
                clients: [[.send(Request.make("POST", "/form", ["Content-Length: 10"], body: "hello")), .halfClose]], responses: [0],
                checks: [.statuses([]), .clientEnd(.closed)],
                usherChecks: [.statuses([]), .clientEnd(.closed), .originConnections(1)],
                deviations: [
                    Deviation(
                        linePrefix: "origin0:",
                        reason: "HAProxy 2.6 sends the partial request on or drops it depending on whether the client's FIN "
                            + "comes before its server connection is made (repeated runs show both); usher always sends it, "
                            + "then closes, as HAProxy does when the connection wins the race")
                ]),
        ]
        return scenarios
    }()
}
