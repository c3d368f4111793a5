import Testing

/// A request that is malformed, ambiguous or a smuggling attempt, with what HAProxy 2.6.12 does
/// with it (verified against Debian's /usr/sbin/haproxy) and what usher must do.
///
/// usher follows RFC 9112 and current upstream HAProxy where Debian's 2.6 is laxer; each such case
/// carries the reason in `difference` (to be listed in docs/differences-from-haproxy.md).
struct MalformedRequestCase: Sendable, CustomTestStringConvertible {
    enum Outcome: Sendable, CustomStringConvertible {
        /// Answered with `status`, connection closed, nothing reached the origin.
        case rejected(Int)
        /// Reached the origin; the checks say in which shape.
        case forwarded([ObservationCheck])

        var description: String {
            switch self {
            case .rejected(let status): "rejected with \(status)"
            case .forwarded(let checks): "forwarded (\(checks.map(\.description).joined(separator: "; ")))"
            }
        }
    }

    var name: String
    /// The bytes, one character per byte.
    var request: String
    /// What HAProxy 2.6.12 does.
    var haproxy: Outcome
    /// What usher must do: HAProxy's outcome unless `difference` says otherwise.
    var usher: Outcome
    /// Why usher differs from HAProxy 2.6, if it does.
    var difference: String?

    var testDescription: String { name }

    /// usher does what HAProxy does.
    init(_ name: String, _ request: String, _ outcome: Outcome) {
        self.name = name
        self.request = request
        haproxy = outcome
        usher = outcome
    }

    /// usher deliberately does otherwise, for `difference`.
    init(_ name: String, _ request: String, haproxy: Outcome, usher: Outcome, difference: String) {
        self.name = name
        self.request = request
        self.haproxy = haproxy
        self.usher = usher
        self.difference = difference
    }
}

enum MalformedRequestCases {
    typealias Case = MalformedRequestCase
    static let hostLine = "Host: www.example.test\r\n"

    static func post(_ fields: [String], body: String) -> String {
        Request.make("POST", "/smuggle", fields, body: body)
    }

    static func chunkedPost(_ body: String) -> String {
        post(["Transfer-Encoding: chunked"], body: body)
    }

    /// A GET with `count` header fields in all (Host included).
    static func get(fields count: Int) -> String {
        Request.get("/", (1..<count).map { "X-Field-\($0): v" })
    }

    static let all: [Case] = contentLength + transferEncoding + chunks + fields + requestLine + limits + hostField + upgrade

    // MARK: Content-Length

    static let contentLength: [Case] = [
        .init("two Content-Length with different values", post(["Content-Length: 5", "Content-Length: 6"], body: "hello!"), .rejected(400)),
        .init("Content-Length with a plus sign", post(["Content-Length: +5"], body: "hello"), .rejected(400)),
        .init("Content-Length negative", post(["Content-Length: -1"], body: "hello"), .rejected(400)),
        .init("Content-Length in hexadecimal", post(["Content-Length: 0x5"], body: "hello"), .rejected(400)),
        .init("Content-Length with a space inside", post(["Content-Length: 1 2"], body: "hello"), .rejected(400)),
        .init("Content-Length empty", post(["Content-Length:"], body: ""), .rejected(400)),
        .init("Content-Length beyond 64 bits", post(["Content-Length: 99999999999999999999999"], body: "hello"), .rejected(400)),
        .init(
            "two equal Content-Length are merged into one", post(["Content-Length: 5", "Content-Length: 5"], body: "hello"),
            .forwarded([.statuses([200]), .originField("content-length", ["5"]), .originBody("hello")])),
        .init(
            // RFC 9112 §6.3: a proxy that forwards must drop Content-Length; HAProxy also closes the
            // connection after the response, so nothing can follow on it.
            "Content-Length and Transfer-Encoding: Content-Length dropped, then closed",
            post(["Content-Length: 5", "Transfer-Encoding: chunked"], body: Request.chunked(["hello"])),
            .forwarded([
                .statuses([200]), .originField("content-length", []), .originField("transfer-encoding", ["chunked"]),
                .originBody("hello"), .clientEnd(.closed),
            ])),
        .init(
            // Upstream HAProxy answers 413 too (mux_h1: "HTTP/1.0 GET/HEAD/DELETE with payload").
            "HTTP/1.0 GET with a body", Request.make("GET", "/", version: "HTTP/1.0", ["Content-Length: 5"], body: "hello"),
            haproxy: .rejected(413),
            usher: .forwarded([.statuses([200]), .originBody("hello")]),
            difference: "a Content-Length body is well framed in HTTP/1.0 too (RFC 9112 §6.2), and a GET may carry one (RFC 9110 §9.3.1): nothing is ambiguous, so usher forwards it"),
    ]

    // MARK: Transfer-Encoding

    static let transferEncoding: [Case] = [
        .init("Transfer-Encoding gzip alone", post(["Transfer-Encoding: gzip"], body: "hello"), .rejected(400)),
        .init("Transfer-Encoding chunked then identity", post(["Transfer-Encoding: chunked, identity"], body: Request.chunked(["hello"])), .rejected(400)),
        .init("Transfer-Encoding identity", post(["Transfer-Encoding: identity"], body: "hello"), .rejected(400)),
        .init("Transfer-Encoding chunked twice", post(["Transfer-Encoding: chunked, chunked"], body: Request.chunked(["hello"])), .rejected(400)),
        .init("Transfer-Encoding empty", post(["Transfer-Encoding:"], body: ""), .rejected(400)),
        // A coding HAProxy cannot undo before chunked: 422, upstream too.
        .init("Transfer-Encoding gzip, chunked", post(["Transfer-Encoding: gzip, chunked"], body: Request.chunked(["hello"])), .rejected(422)),
    ]

    // MARK: Chunked bodies

    static let chunks: [Case] = [
        .init("chunk size not hexadecimal", chunkedPost("zz\r\nhello\r\n0\r\n\r\n"), .rejected(400)),
        .init("chunk size overflowing", chunkedPost("fffffffffffffffff1\r\nhello\r\n0\r\n\r\n"), .rejected(400)),
        .init("chunk size negative", chunkedPost("-5\r\nhello\r\n0\r\n\r\n"), .rejected(400)),
        .init("chunk data longer than its size", chunkedPost("5\r\nhelloXX\r\n0\r\n\r\n"), .rejected(400)),
        .init(
            "chunk size line ended by a bare LF", chunkedPost("5\nhello\r\n0\r\n\r\n"),
            haproxy: .forwarded([.statuses([200]), .originBody("hello")]), usher: .rejected(400),
            difference: "RFC 9112 §7.1 wants CRLF after a chunk size (bare LF is tolerated for the start line and fields only); upstream HAProxy rejects it, 2.6 forwards the request re-chunked"),
        .init(
            "chunk data ended by a bare LF", chunkedPost("5\r\nhello\n0\r\n\r\n"),
            haproxy: .forwarded([.statuses([200]), .originBody("hello")]), usher: .rejected(400),
            difference: "RFC 9112 §7.1 wants CRLF after chunk data; upstream HAProxy (h1_skip_chunk_crlf) rejects a bare LF, 2.6 forwards the request re-chunked"),
    ]

    // MARK: Header fields

    static let fields: [Case] = [
        .init(
            "NUL byte in a field value", post(["X-Note: a\u{0}b", "Content-Length: 0"], body: ""),
            haproxy: .forwarded([.statuses([200]), .originField("x-note", ["a\u{0}b"])]), usher: .rejected(400),
            difference: "RFC 9110 §5.5 forbids NUL in field values; upstream HAProxy rejects it, 2.6 forwards it to the server"),
        .init("CR alone in a field value", post(["X-Note: a\rb", "Content-Length: 0"], body: ""), .rejected(400)),
        .init("space before the colon", post(["X-Note : b", "Content-Length: 0"], body: ""), .rejected(400)),
        .init("space before the colon of Content-Length", post(["Content-Length : 5"], body: "hello"), .rejected(400)),
        .init("tab before the colon", post(["X-Note\t: b", "Content-Length: 0"], body: ""), .rejected(400)),
        .init(
            // RFC 9112 §5.2 lets a proxy either reject obs-fold or replace it with spaces; HAProxy
            // (2.6 and upstream) replaces it.
            "obs-fold continues a field value on the next line", post(["X-Note: a", " b", "Content-Length: 0"], body: ""),
            haproxy: .forwarded([.statuses([200]), .originFieldWords("x-note", ["a b"]), .originHeadLacks("\r\n "), .originHeadLacks("\r\n\t")]),
            usher: .rejected(400),
            difference: "RFC 9112 §5.2 lets a proxy reject obs-fold or unfold it; usher rejects it, as no current client folds lines and a folded line is a classic smuggling vector"),
        .init("obs-fold on the first field line", "GET / HTTP/1.1\r\n Host: x\r\n" + hostLine + "\r\n", .rejected(400)),
        .init("invalid byte in a field name", post(["X(Note): b", "Content-Length: 0"], body: ""), .rejected(400)),
        .init("empty field name", post([": b", "Content-Length: 0"], body: ""), .rejected(400)),
    ]

    // MARK: Request line

    static let requestLine: [Case] = [
        .init("method with an invalid character", "G(ET / HTTP/1.1\r\n" + hostLine + "\r\n", .rejected(400)),
        .init("HTTP/0.9 request", "GET /\r\n", .rejected(400)),
        .init("lowercase protocol name", "GET / http/1.1\r\n" + hostLine + "\r\n", .rejected(400)),
        .init("space inside the target", "GET /a b HTTP/1.1\r\n" + hostLine + "\r\n", .rejected(400)),
        .init("control character in the target", "GET /a\u{1}b HTTP/1.1\r\n" + hostLine + "\r\n", .rejected(400)),
        .init("non-ASCII byte in the target", "GET /caf\u{E9} HTTP/1.1\r\n" + hostLine + "\r\n", .rejected(400)),
        .init("fragment in the target", "GET /page#top HTTP/1.1\r\n" + hostLine + "\r\n", .rejected(400)),
        .init(
            // HAProxy (2.6 and upstream) reads any HTTP/x.y above 1.0 as 1.1 and forwards it so.
            "version HTTP/1.2 is taken as HTTP/1.1", Request.get("/", version: "HTTP/1.2"),
            .forwarded([.statuses([200]), .requestLines(["GET / HTTP/1.1", "GET /after HTTP/1.1"])])),
        .init(
            "version HTTP/2.0 on an HTTP/1 connection is taken as HTTP/1.1", Request.get("/", version: "HTTP/2.0"),
            .forwarded([.statuses([200]), .requestLines(["GET / HTTP/1.1", "GET /after HTTP/1.1"])])),
    ]

    // MARK: Sizes (tune.bufsize 16384, tune.http.maxhdr 101)

    static let limits: [Case] = [
        .init("request line longer than the buffer", Request.get("/" + String(repeating: "a", count: 17_000)), .rejected(400)),
        .init(
            "head longer than the buffer", Request.get("/", (0..<90).map { "X-Field-\($0): " + String(repeating: "v", count: 200) }),
            .rejected(400)),
        .init("100 header fields are accepted", get(fields: 100), .forwarded([.statuses([200]), .originField("x-field-99", ["v"])])),
        .init("101 header fields are too many", get(fields: 101), .rejected(400)),
        .init("102 header fields are too many", get(fields: 102), .rejected(400)),
    ]

    // MARK: Host

    static let hostField: [Case] = [
        .init(
            "HTTP/1.1 request without Host", "GET / HTTP/1.1\r\n\r\n",
            haproxy: .forwarded([.statuses([200]), .originField("host", [])]), usher: .rejected(400),
            difference: "RFC 9112 §3.2: a server must answer 400 to an HTTP/1.1 request without Host; HAProxy 2.6 (and, as far as its source shows, upstream too) forwards it"),
        .init(
            "HTTP/1.0 request without Host is fine", "GET / HTTP/1.0\r\n\r\n",
            .forwarded([.statuses([200]), .requestLines(["GET / HTTP/1.0", "GET /after HTTP/1.1"]), .originField("host", [])])),
        .init("two different Host fields", "GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n", .rejected(400)),
        .init(
            "two equal Host fields are merged", "GET / HTTP/1.1\r\nHost: a.example\r\nHost: a.example\r\n\r\n",
            .forwarded([.statuses([200]), .originField("host", ["a.example"])])),
        .init("absolute target whose authority is not the Host", "GET http://a.example/ HTTP/1.1\r\nHost: b.example\r\n\r\n", .rejected(400)),
    ]

    // MARK: Upgrade

    static let upgrade: [Case] = [
        .init(
            "Upgrade: h2c is not forwarded as an upgrade",
            Request.get("/", ["Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c", "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA"]),
            haproxy: .forwarded([.statuses([200]), .originField("upgrade", ["h2c"])]),
            usher: .forwarded([.statuses([200]), .originField("upgrade", [])]),
            difference: "usher cannot speak HTTP/2 to the server on the client's behalf; upstream HAProxy drops h2c from Upgrade (h1_parse_upgrade_header), 2.6 forwards it and a server may switch protocols under the proxy"),
        // RFC 6455 4.1: a WebSocket handshake carries a Sec-WebSocket-Key (base64 of 16 bytes).
        // HAProxy 2.6 wants one of 24 characters, whatever they are, and ignores the version.
        .init("WebSocket upgrade without Sec-WebSocket-Key", Request.get("/ws", ["Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13"]), .rejected(400)),
        .init("WebSocket upgrade with a short Sec-WebSocket-Key", Request.get("/ws", ["Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Key: abc", "Sec-WebSocket-Version: 13"]), .rejected(400)),
        .init("WebSocket upgrade (Upgrade: foo, websocket) without a key", Request.get("/ws", ["Connection: keep-alive, Upgrade", "Upgrade: foo, websocket"]), .rejected(400)),
        .init(
            "Upgrade: websocket without Connection: Upgrade is no handshake",
            Request.get("/ws", ["Upgrade: websocket"]), .forwarded([.statuses([200])])),
    ]
}
