/// The differential scenarios: each is run through HAProxy 2.6 and through usher with the same
/// configuration and the same client bytes. The checks record what HAProxy 2.6.12 does (verified
/// against Debian's /usr/sbin/haproxy); usher must do the same, and show the same observation
/// line for line, except where a `Deviation` says why not.
///
/// To add one: append a `DifferentialScenario` to a list below. `USHER_DIFF_VERBOSE=1` prints
/// each proxy's observation, which is how the checks here were written.
enum DifferentialScenarios {
    typealias C = SeedHTTPConfiguration
    typealias R = RecordingOrigin.Reply

    static let all: [DifferentialScenario] = seedPath + framing + forwardedFor + cookies + rules + routing + failures + halfClose + serverCloses + obsText

    /// 64 KiB of text: more than one 16 KB buffer.
    static let largeBody = String(repeating: "0123456789abcdef", count: 4096)
    static let largeResponse = String(repeating: "response line of forty characters long\r\n", count: 2560)

    // MARK: - The seed's :80 path as it is

    static let seedPath: [DifferentialScenario] = [
        .init(
            "seed: GET through the seed's :80 path", C.seed, send: Request.get("/index.html"),
            checks: [
                .statuses([200]),
                .requestLines(["GET /index.html HTTP/1.1"]),
                .originField("host", ["www.example.test"]),
                // `option httpclose` in the backend: the server side is closed after each request…
                .originField("connection", ["close"]),
                // …and 127.0.0.1 is excepted from X-Forwarded-For by the defaults, even though the
                // backend says a plain `option forwardfor`.
                .originField("x-forwarded-for", []),
                .responseBody("hello from origin\n"),
                // `option http-server-close` (defaults, so the frontend): the client may go on.
                .clientEnd(.open),
            ]),
        .init(
            "seed: HEAD gets the length but no body", C.template(), send: Request.make("HEAD", "/file"),
            checks: [
                .statuses([200]), .requestLines(["HEAD /file HTTP/1.1"]),
                .responseField("content-length", ["18"]), .responseBody(""), .clientEnd(.open),
            ]),
        .init(
            "seed: POST with Content-Length", C.template(), send: Request.post("/form", body: "name=value&other=1"),
            checks: [
                .statuses([200]), .requestLines(["POST /form HTTP/1.1"]),
                .originField("content-length", ["18"]), .originBody("name=value&other=1"),
                .originFraming(.contentLength(18)),
            ]),
        .init(
            "seed: chunked upload stays chunked", C.template(),
            send: Request.make("POST", "/upload", ["Transfer-Encoding: chunked"], body: Request.chunked(["first part,", " second part"])),
            checks: [
                .statuses([200]), .originField("transfer-encoding", ["chunked"]), .originField("content-length", []),
                .originFraming(.chunked), .originBody("first part, second part"),
            ]),
        .init(
            "seed: two pipelined requests, one server connection each", C.template(),
            send: Request.get("/one") + Request.get("/two"),
            checks: [
                .statuses([200, 200]), .requestLines(["GET /one HTTP/1.1", "GET /two HTTP/1.1"]),
                .originConnections(2), .clientEnd(.open),
            ]),
        .init(
            "seed: HTTP/1.0 without keep-alive is closed after the response", C.template(),
            send: Request.get("/old", version: "HTTP/1.0"),
            checks: [.statuses([200]), .requestLines(["GET /old HTTP/1.0"]), .clientEnd(.closed)]),
        .init(
            "seed: HTTP/1.0 with keep-alive stays open", C.template(),
            send: Request.get("/old", version: "HTTP/1.0", ["Connection: keep-alive"]),
            checks: [.statuses([200]), .requestLines(["GET /old HTTP/1.0"]), .responseField("connection", ["keep-alive"]), .clientEnd(.open)]),
        .init(
            "seed: Connection: close from the client closes after the response", C.template(),
            send: Request.get("/", ["Connection: close"]),
            checks: [.statuses([200]), .originField("connection", ["close"]), .responseField("connection", ["close"]), .clientEnd(.closed)]),
        .init(
            "seed: Expect: 100-continue, the origin's 100 reaches the client", C.template(),
            clients: [[
                .send(Request.make("POST", "/upload", ["Content-Length: 11", "Expect: 100-continue"])),
                .awaitInterim,
                .send("hello world"),
            ]],
            checks: [.interim([100]), .statuses([200]), .originField("expect", ["100-continue"]), .originBody("hello world")]),
        .init(
            "seed: absolute-form target", C.template(), send: Request.get("http://www.example.test/abs?q=1"),
            checks: [.statuses([200]), .requestLines(["GET http://www.example.test/abs?q=1 HTTP/1.1"]), .originField("host", ["www.example.test"])]),
        .init(
            "seed: a pipelined request after Connection: close is not served", C.template(),
            send: Request.get("/one", ["Connection: close"]) + Request.get("/two"), responses: 1,
            checks: [.statuses([200]), .requestLines(["GET /one HTTP/1.1"]), .clientEnd(.closed)]),
        .init(
            "seed: a 64 KB upload arrives whole", C.template(), send: Request.post("/big", body: largeBody),
            checks: [.statuses([200]), .originBody(largeBody), .originField("content-length", ["65536"])]),
        .init(
            "seed: a 100 KB chunked response arrives whole", C.template(), send: Request.get("/download"),
            replies: [R(body: largeResponse, framing: .chunked)],
            checks: [.statuses([200]), .responseBody(largeResponse), .responseFraming(.chunked)]),
        .init(
            // The response is the server's HTTP/1.1 one, so HAProxy (2.6 and upstream, mux_h1)
            // keeps it chunked and closes, though RFC 9112 §6.1 wants no Transfer-Encoding
            // towards an HTTP/1.0 client.
            "seed: a chunked response to an HTTP/1.0 client stays chunked and the connection closes", C.template(),
            send: Request.get("/stream", version: "HTTP/1.0"),
            replies: [R(body: "chunked for an old client", framing: .chunked)],
            checks: [
                .statuses([200]), .responseBody("chunked for an old client"), .responseFraming(.chunked),
                .responseField("connection", ["close"]), .clientEnd(.closed),
            ]),
        .init(
            // The client side follows the frontend's mode (http-server-close, from the defaults).
            "httpclose only in the backend leaves the client side open",
            C.template(defaults: C.defaults(serverClose: false)), send: Request.get("/one") + Request.get("/two"),
            checks: [
                .statuses([200, 200]), .requestLines(["GET /one HTTP/1.1", "GET /two HTTP/1.1"]), .originConnections(2),
                .originField("connection", ["close"]), .responseField("connection", []), .clientEnd(.open),
            ]),
        .init(
            "httpclose in the defaults closes the client side after the first response",
            C.template(defaults: C.defaults(serverClose: false, extra: ["option httpclose"])),
            send: Request.get("/one") + Request.get("/two"), responses: 1,
            checks: [.statuses([200]), .requestLines(["GET /one HTTP/1.1"]), .responseField("connection", ["close"]), .clientEnd(.closed)]),
        .init(
            "keep-alive on both sides: pipelined requests share one server connection",
            C.template(defaults: C.defaults(serverClose: false), backend: ["mode http"]),
            send: Request.get("/one") + Request.get("/two"),
            checks: [
                .statuses([200, 200]), .requestLines(["GET /one HTTP/1.1", "GET /two HTTP/1.1"]), .originConnections(1),
                .originField("connection", []), .clientEnd(.open),
            ]),
    ]

    // MARK: - Response framing

    static let framing: [DifferentialScenario] = [
        .init(
            "204 has no body", C.template(), send: Request.get("/nothing"),
            replies: [.status(204, "No Content", framing: .bodiless)],
            checks: [.statuses([204]), .responseBody(""), .responseFraming(.none), .clientEnd(.open)]),
        .init(
            "304 to a conditional GET has no body", C.template(), send: Request.get("/cached", ["If-None-Match: \"v1\""]),
            replies: [.status(304, "Not Modified", [.init("ETag", "\"v1\"")], framing: .bodiless)],
            checks: [.statuses([304]), .originField("if-none-match", ["\"v1\""]), .responseField("etag", ["\"v1\""]), .responseBody("")]),
        .init(
            "HEAD answered with a chunked head", C.template(), send: Request.make("HEAD", "/"),
            replies: [R(framing: .chunked)],
            checks: [.statuses([200]), .responseField("transfer-encoding", ["chunked"]), .responseBody(""), .clientEnd(.open)]),
        .init(
            "chunked response reaches the client chunked", C.template(), send: Request.get("/stream"),
            replies: [R(body: "a chunked body, in two parts", framing: .chunked)],
            checks: [.statuses([200]), .responseFraming(.chunked), .responseBody("a chunked body, in two parts"), .clientEnd(.open)]),
        .init(
            "close-delimited response", C.template(), send: Request.get("/legacy"),
            replies: [R(body: "until the server closes", framing: .closeDelimited)],
            checks: [.statuses([200]), .responseBody("until the server closes")]),
    ]

    // MARK: - X-Forwarded-For

    static let forwardedFor: [DifferentialScenario] = [
        .init(
            "forwardfor: a client outside the except network gets the header",
            C.template(defaults: C.defaults(forwardfor: "option forwardfor except 10.0.0.0/8")), send: Request.get(),
            checks: [.statuses([200]), .originField("x-forwarded-for", ["127.0.0.1"])]),
        .init(
            "forwardfor: an existing X-Forwarded-For is kept and ours appended",
            C.template(defaults: C.defaults(forwardfor: "option forwardfor except 10.0.0.0/8")),
            send: Request.get("/", ["X-Forwarded-For: 192.0.2.7"]),
            checks: [.statuses([200]), .originField("x-forwarded-for", ["192.0.2.7", "127.0.0.1"])]),
        .init(
            "forwardfor: only in the backend, without except",
            C.template(defaults: C.defaults(forwardfor: nil)), send: Request.get(),
            checks: [.statuses([200]), .originField("x-forwarded-for", ["127.0.0.1"])]),
        .init(
            "forwardfor: header name of our choosing",
            C.template(defaults: C.defaults(forwardfor: nil), backend: ["option forwardfor header X-Client-IP"]), send: Request.get(),
            checks: [.statuses([200]), .originField("x-client-ip", ["127.0.0.1"]), .originField("x-forwarded-for", [])]),
    ]

    // MARK: - Persistence cookies

    static let cookies: [DifferentialScenario] = [
        .init(
            "cookie prefix: the server's JSESSIONID reaches the client prefixed", C.template(), send: Request.get(),
            replies: [.ok("hello\n", [.init("Set-Cookie", "JSESSIONID=abc; Path=/")])],
            checks: [.statuses([200]), .responseField("set-cookie", ["JSESSIONID=A~abc; Path=/"])]),
        .init(
            "cookie prefix: the client's prefixed JSESSIONID reaches the server bare", C.template(),
            send: Request.get("/", ["Cookie: JSESSIONID=A~abc; theme=dark"]),
            checks: [.statuses([200]), .originField("cookie", ["JSESSIONID=abc; theme=dark"])]),
        .init(
            "cookie prefix: round trip over two connections", C.template(),
            clients: [[.send(Request.get("/login"))], [.send(Request.get("/account", ["Cookie: JSESSIONID=A~s3ss10n"]))]],
            replies: [.ok("in\n", [.init("Set-Cookie", "JSESSIONID=s3ss10n; Path=/; HttpOnly")]), .ok("account\n")],
            checks: [
                .statuses([200]), .responseField("set-cookie", ["JSESSIONID=A~s3ss10n; Path=/; HttpOnly"]),
                .statuses([200], client: 1), .originField("cookie", ["JSESSIONID=s3ss10n"], request: 1),
            ]),
        .init(
            "cookie insert indirect nocache: inserted, cache-control private, removed on the way in",
            C.template(backend: ["mode http", "cookie SERVERID insert indirect nocache"], server: "server server1 {{ORIGIN0}} cookie A"),
            clients: [[.send(Request.get("/"))], [.send(Request.get("/again", ["Cookie: SERVERID=A; theme=dark"]))]],
            replies: [.ok("cacheable\n", [.init("Cache-Control", "max-age=60")])],
            checks: [
                .statuses([200]), .responseField("set-cookie", ["SERVERID=A; path=/"]), .responseField("cache-control", ["max-age=60", "private"]),
                .statuses([200], client: 1), .originField("cookie", ["theme=dark"], request: 1),
                .responseField("set-cookie", [], client: 1),
            ]),
    ]

    // MARK: - http-request and http-response rules

    static let rules: [DifferentialScenario] = [
        .init(
            "http-request set-header, add-header, del-header",
            C.template(frontend: [
                "http-request set-header X-Set replaced",
                "http-request add-header X-Added one",
                "http-request add-header X-Added two",
                "http-request del-header X-Secret",
            ]),
            send: Request.get("/", ["X-Set: original", "X-Secret: hunter2"]),
            checks: [
                .statuses([200]), .originField("x-set", ["replaced"]), .originField("x-added", ["one", "two"]),
                .originField("x-secret", []),
            ]),
        .init(
            "http-request set-header from a sample expression",
            C.template(frontend: ["http-request set-header X-Path %[path]", "http-request set-header X-Host-Lower %[req.hdr(host),lower]"]),
            send: Request.get("/Some/Path?x=1", host: "WWW.Example.TEST"),
            checks: [.statuses([200]), .originField("x-path", ["/Some/Path"]), .originField("x-host-lower", ["www.example.test"])]),
        .init(
            "http-request deny", C.template(frontend: ["http-request deny if { path_beg /admin }"]),
            clients: [[.send(Request.get("/admin/panel"))], [.send(Request.get("/public"))]],
            checks: [.statuses([403]), .nothingForwarded(fromClient: 0), .clientEnd(.open), .statuses([200], client: 1), .requestLines(["GET /public HTTP/1.1"])],
            deviations: ownErrorPage("client 1 response 1")),
        .init(
            "http-request return a string", C.template(frontend: ["http-request return status 200 content-type text/plain string ok if { path /health }"]),
            send: Request.get("/health"),
            checks: [.statuses([200]), .responseField("content-type", ["text/plain"]), .responseBody("ok"), .nothingForwarded(fromClient: 0), .clientEnd(.open)]),
        .init(
            "http-request redirect location with code 301", C.template(frontend: ["http-request redirect location /x code 301 if { path /old }"]),
            send: Request.get("/old"),
            checks: [.statuses([301]), .responseField("location", ["/x"]), .nothingForwarded(fromClient: 0)]),
        .init(
            "redirect prefix keeps the path and query", C.template(frontend: ["redirect prefix http://new.example.test code 302"]),
            send: Request.get("/a/b?c=d"),
            checks: [.statuses([302]), .responseField("location", ["http://new.example.test/a/b?c=d"]), .nothingForwarded(fromClient: 0)]),
        .init(
            "redirect scheme https", C.template(frontend: ["redirect scheme https"]), send: Request.get("/login?next=/"),
            checks: [.statuses([302]), .responseField("location", ["https://www.example.test/login?next=/"]), .nothingForwarded(fromClient: 0)]),
        .init(
            "http-response set-header and del-header",
            C.template(backend: C.seedBackend + ["http-response set-header X-Served-By proxy", "http-response del-header X-Origin"]),
            send: Request.get(),
            checks: [.statuses([200]), .responseField("x-served-by", ["proxy"]), .responseField("x-origin", [])]),
    ]

    // MARK: - Choosing a backend

    /// Three backends, each on its own origin: `servers` (default), `api`, `static`.
    static func routed(_ frontend: [String]) -> String {
        C.template(
            frontend: frontend,
            more: """
                backend api
                    server api1 {{ORIGIN1}}
                backend static
                    server static1 {{ORIGIN2}}
                """)
    }

    static let routing: [DifferentialScenario] = [
        .init(
            "use_backend by hdr(host)", routed(["use_backend api if { hdr(host) -i api.example.test }"]),
            clients: [[.send(Request.get("/v1", host: "API.example.test"))], [.send(Request.get("/v1"))]],
            checks: [
                .statuses([200]), .responseField("x-origin", ["origin1"]), .requestLines(["GET /v1 HTTP/1.1"], origin: 1),
                .statuses([200], client: 1), .responseField("x-origin", ["origin0"], client: 1),
            ]),
        .init(
            "use_backend by path_beg", routed(["use_backend static if { path_beg /static/ /assets/ }"]),
            send: Request.get("/assets/app.css") + Request.get("/page"),
            checks: [
                .statuses([200, 200]), .requestLines(["GET /assets/app.css HTTP/1.1"], origin: 2), .requestLines(["GET /page HTTP/1.1"], origin: 0),
                .responseField("x-origin", ["origin2"]), .responseField("x-origin", ["origin0"], response: 1),
            ]),
        .init(
            "use_backend named by the lowercased Host", routed(["use_backend %[req.hdr(host),lower]"]),
            clients: [[.send(Request.get("/", host: "STATIC"))], [.send(Request.get("/", host: "nosuchbackend"))]],
            checks: [
                .statuses([200]), .responseField("x-origin", ["origin2"]),
                // A name that is no backend: the default one.
                .statuses([200], client: 1), .responseField("x-origin", ["origin0"], client: 1),
            ]),
    ]

    // MARK: - When the server fails

    static let failures: [DifferentialScenario] = [
        .init(
            "503 when the only server is in maintenance", C.template(server: "server server1 {{ORIGIN0}} cookie A disabled"),
            send: Request.get(),
            checks: [.statuses([503]), .nothingForwarded(fromClient: 0), .clientEnd(.open)]),
        .init(
            "503 when the server refuses connections", C.template(defaults: C.defaults(retries: 1), server: "server server1 {{DEAD}} cookie A"),
            send: Request.get(),
            checks: [.statuses([503]), .clientEnd(.open)]),
        .init(
            "502 when the server answers garbage", C.template(), send: Request.get(),
            replies: [.garbage("this is not HTTP\r\n\r\n")],
            checks: [.statuses([502]), .requestLines(["GET / HTTP/1.1"]), .clientEnd(.open)],
            deviations: ownErrorPage("client response 1")),
        .init(
            "504 when the server says nothing within timeout server", C.template(defaults: C.defaults(server: "1s")),
            send: Request.get("/slow"), replies: [.silence],
            checks: [.statuses([504]), .requestLines(["GET /slow HTTP/1.1"]), .clientEnd(.open)],
            deviations: ownErrorPage("client response 1") + [
                Deviation(linePrefix: "client response 1: HTTP/1.1 504", reason: "usher's reason phrase is RFC 9110's 'Gateway Timeout', HAProxy's 'Gateway Time-out'")
            ]),
    ]

    /// usher's error pages are its own words: their status and headers match HAProxy's, their
    /// HTML (and so its length) does not.
    static func ownErrorPage(_ response: String) -> [Deviation] {
        let reason = "usher writes its own error page text; status and headers agree with HAProxy's"
        return [
            Deviation(linePrefix: "\(response) body", reason: reason),
            Deviation(linePrefix: "\(response) field: content-length", reason: reason),
        ]
    }
}
