import Testing
import UsherRouting

@Suite("HTTP framing and smuggling checks")
struct HTTPFramingTests {
    func head(_ fields: [(String, String)], version: HTTPVersion = .http1_1, target: String = "/") -> HTTPRequestHead {
        HTTPRequestHead(method: "POST", target: target, version: version, headers: HTTPHeaders([("Host", "a")] + fields))
    }

    func prepare(_ fields: [(String, String)], version: HTTPVersion = .http1_1) throws(HTTPParseError) -> (HTTPFramingRules.RequestFraming, HTTPRequestHead) {
        var request = head(fields, version: version)
        let framing = try HTTPFramingRules.prepareRequest(&request)
        return (framing, request)
    }

    @Test func contentLength() throws {
        let (framing, _) = try prepare([("Content-Length", "12")])
        #expect(framing.framing == .contentLength(12))
        let (same, request) = try prepare([("Content-Length", "5"), ("content-length", "5")])
        #expect(same.framing == .contentLength(5))
        #expect(request.headers.fullValues("Content-Length") == ["5"])
    }

    @Test(arguments: ["-1", "+5", "0x10", " ", "1 2", "5, 6", "99999999999999999999", "1.0", ""])
    func refusesBadContentLength(_ value: String) {
        #expect(throws: HTTPParseError.self) { _ = try prepare([("Content-Length", value)]) }
    }

    @Test func refusesConflictingContentLengths() {
        #expect(throws: HTTPParseError.self) { _ = try prepare([("Content-Length", "5"), ("Content-Length", "6")]) }
    }

    @Test func transferEncodingWinsAndContentLengthGoes() throws {
        let (framing, request) = try prepare([("Content-Length", "5"), ("Transfer-Encoding", "chunked")])
        #expect(framing.framing == .chunked)
        #expect(framing.closeAfter)
        #expect(!request.headers.contains("Content-Length"))
    }

    @Test(arguments: ["gzip", "chunked, gzip", "chunked, chunked", "identity", ""])
    func refusesTransferCodingsNotEndingInChunked(_ value: String) {
        #expect(throws: HTTPParseError.self) { _ = try prepare([("Transfer-Encoding", value)]) }
    }

    @Test func refusesOtherCodingsBeforeChunkedWith422() {
        do {
            _ = try prepare([("Transfer-Encoding", "gzip, chunked")])
            Issue.record("accepted")
        } catch {
            #expect((error as? HTTPParseError)?.status == 422)
        }
    }

    @Test func refusesTransferEncodingInHTTP10() {
        #expect(throws: HTTPParseError.self) { _ = try prepare([("Transfer-Encoding", "chunked")], version: .http1_0) }
    }

    @Test func hostRules() throws {
        var noHost = HTTPRequestHead(method: "GET", target: "/", version: .http1_1)
        #expect(throws: HTTPParseError.self) { _ = try HTTPFramingRules.prepareRequest(&noHost) }
        var oldNoHost = HTTPRequestHead(method: "GET", target: "/", version: .http1_0)
        #expect(try HTTPFramingRules.prepareRequest(&oldNoHost).framing == .none)
        var twoHosts = HTTPRequestHead(method: "GET", target: "/", version: .http1_1, headers: HTTPHeaders([("Host", "a"), ("Host", "b")]))
        #expect(throws: HTTPParseError.self) { _ = try HTTPFramingRules.prepareRequest(&twoHosts) }
        var sameHostTwice = HTTPRequestHead(method: "GET", target: "/", version: .http1_1, headers: HTTPHeaders([("Host", "a"), ("X", "1"), ("host", "a")]))
        _ = try HTTPFramingRules.prepareRequest(&sameHostTwice)
        #expect(sameHostTwice.headers.fields.map(\.name) == ["Host", "X"])
        var mismatch = HTTPRequestHead(method: "GET", target: "http://b/x", version: .http1_1, headers: HTTPHeaders([("Host", "a")]))
        #expect(throws: HTTPParseError.self) { _ = try HTTPFramingRules.prepareRequest(&mismatch) }
        var badHost = HTTPRequestHead(method: "GET", target: "/", version: .http1_1, headers: HTTPHeaders([("Host", "a b")]))
        #expect(throws: HTTPParseError.self) { _ = try HTTPFramingRules.prepareRequest(&badHost) }
    }

    /// RFC 9112 §3.2: a client whose target has no authority sends an empty Host; HAProxy forwards
    /// it (found by bench/http-diff). With an absolute target it must match, so it is refused there.
    @Test func emptyHostIsAcceptedForAnOriginFormTarget() throws {
        var empty = HTTPRequestHead(method: "GET", target: "/", version: .http1_1, headers: HTTPHeaders([("Host", "")]))
        #expect(try HTTPFramingRules.prepareRequest(&empty).framing == .none)
        #expect(empty.headers.fullValues("Host") == [""])
        var absolute = HTTPRequestHead(method: "GET", target: "http://a/x", version: .http1_1, headers: HTTPHeaders([("Host", "")]))
        #expect(throws: HTTPParseError.self) { _ = try HTTPFramingRules.prepareRequest(&absolute) }
    }

    /// CONNECT's target must be `host:port` (RFC 9110 §9.3.6), as HAProxy requires (found by bench/http-diff).
    @Test(arguments: ["example.com", "example.com:", ":443", "example.com:https", "/", "http://example.com:443/"])
    func refusesConnectWithoutHostAndPort(_ target: String) {
        var request = HTTPRequestHead(method: "CONNECT", target: target, version: .http1_1, headers: HTTPHeaders([("Host", "example.com")]))
        #expect(throws: HTTPParseError.self) { _ = try HTTPFramingRules.prepareRequest(&request) }
    }

    @Test(arguments: ["example.com:443", "[::1]:8443", "10.0.0.1:80"])
    func acceptsConnectWithHostAndPort(_ target: String) throws {
        var request = HTTPRequestHead(method: "CONNECT", target: target, version: .http1_1, headers: HTTPHeaders([("Host", target)]))
        _ = try HTTPFramingRules.prepareRequest(&request)
    }

    /// A bodiless response (HEAD, 204, 304) with conflicting Content-Length values is a 502, as
    /// HAProxy answers, not relayed (found by bench/http-diff); identical ones become one.
    @Test func bodilessResponsesHaveTheirContentLengthChecked() throws {
        for (status, method) in [(200, "HEAD"), (304, "GET"), (204, "GET")] {
            var conflicting = HTTPResponseHead(version: .http1_1, status: status, reason: "", headers: HTTPHeaders([("Content-Length", "3"), ("Content-Length", "4")]))
            #expect(throws: HTTPParseError.self) { _ = try HTTPFramingRules.prepareResponse(&conflicting, requestMethod: method) }
        }
        var same = HTTPResponseHead(version: .http1_1, status: 200, reason: "", headers: HTTPHeaders([("Content-Length", "3"), ("Content-Length", "3")]))
        #expect(try HTTPFramingRules.prepareResponse(&same, requestMethod: "HEAD") == HTTPBodyFraming.none)
        #expect(same.headers.fullValues("Content-Length") == ["3"])
    }

    @Test func h2cUpgradeIsRemoved() throws {
        var request = HTTPRequestHead(method: "GET", target: "/", version: .http1_1, headers: HTTPHeaders([
            ("Host", "a"), ("Connection", "Upgrade, HTTP2-Settings"), ("Upgrade", "h2c"), ("HTTP2-Settings", "AAA"),
        ]))
        _ = try HTTPFramingRules.prepareRequest(&request)
        #expect(!request.headers.contains("Upgrade"))
        #expect(!request.headers.contains("HTTP2-Settings"))
        #expect(!HTTPHopHeaders.isUpgradeRequest(request))
    }

    @Test func responseFraming() throws {
        func framing(_ status: Int, _ fields: [(String, String)], method: String = "GET", version: HTTPVersion = .http1_1) throws -> HTTPBodyFraming {
            var response = HTTPResponseHead(version: version, status: status, reason: "", headers: HTTPHeaders(fields))
            return try HTTPFramingRules.prepareResponse(&response, requestMethod: method)
        }
        #expect(try framing(200, [("Content-Length", "3")]) == .contentLength(3))
        #expect(try framing(200, [("Content-Length", "3")], method: "HEAD") == HTTPBodyFraming.none)
        #expect(try framing(204, []) == HTTPBodyFraming.none)
        #expect(try framing(304, [("Content-Length", "10")]) == HTTPBodyFraming.none)
        #expect(try framing(200, []) == .untilClose)
        #expect(try framing(200, [("Transfer-Encoding", "chunked"), ("Content-Length", "3")]) == .chunked)
        #expect(try framing(200, [("Transfer-Encoding", "gzip")]) == .untilClose)
        #expect(throws: HTTPParseError.self) { _ = try framing(200, [("Content-Length", "3"), ("Content-Length", "4")]) }
    }

    func consume(_ reader: inout HTTPBodyReader, _ text: String) throws -> Int {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in try reader.consume(raw) }
    }

    @Test func chunkedBodies() throws {
        var reader = HTTPBodyReader(framing: .chunked)
        let body = "5\r\nhello\r\n1;ext=1\r\n!\r\n0\r\nTrailer: yes\r\n\r\nNEXT"
        #expect(try consume(&reader, body) == body.utf8.count - 4)
        #expect(reader.isComplete)
        // The same body a byte at a time.
        var slow = HTTPBodyReader(framing: .chunked)
        var total = 0
        for character in body.dropLast(4) { total += try consume(&slow, String(character)) }
        #expect(total == body.utf8.count - 4)
        #expect(slow.isComplete)
    }

    @Test(arguments: [
        "zz\r\n", "-1\r\n", "0x5\r\n", "5\nhello\r\n", "5\r\nhelloX\r\n", "5\r\nhello\n", "1234567890abcdef0\r\n",
        "0\r\nBad Trailer: x\r\n\r\n", "0\r\n folded\r\n\r\n", "0\r\nX: \u{0}\r\n\r\n", "5 \u{1}\r\n", " 5\r\n",
    ])
    func refusesBrokenChunks(_ text: String) {
        var reader = HTTPBodyReader(framing: .chunked)
        #expect(throws: HTTPParseError.self) { _ = try consume(&reader, text) }
    }

    @Test func contentLengthBodies() throws {
        var reader = HTTPBodyReader(framing: .contentLength(5))
        #expect(try consume(&reader, "abc") == 3)
        #expect(!reader.isComplete)
        #expect(try consume(&reader, "deNEXT") == 2)
        #expect(reader.isComplete)
    }

    @Test func connectionHeaderPerHop() {
        var headers = HTTPHeaders([("Connection", "keep-alive, Foo")])
        HTTPHopHeaders.setConnection(&headers, version: .http1_1, keepAlive: false, upgrade: false)
        #expect(headers.fullValues("Connection") == ["close"])
        HTTPHopHeaders.setConnection(&headers, version: .http1_1, keepAlive: true, upgrade: false)
        #expect(!headers.contains("Connection"))
        HTTPHopHeaders.setConnection(&headers, version: .http1_0, keepAlive: true, upgrade: false)
        #expect(headers.fullValues("Connection") == ["keep-alive"])
        HTTPHopHeaders.setConnection(&headers, version: .http1_1, keepAlive: false, upgrade: true)
        #expect(headers.fullValues("Connection") == ["upgrade"])
    }

    @Test func connectionModesCombine() {
        #expect(HTTPConnectionMode.combining(frontend: .keepAlive, backend: .close) == .close)
        #expect(HTTPConnectionMode.combining(frontend: .serverClose, backend: .keepAlive) == .serverClose)
        #expect(HTTPConnectionMode.combining(frontend: .serverClose, backend: .close) == .close)
        #expect(HTTPConnectionMode.combining(frontend: .keepAlive, backend: .keepAlive) == .keepAlive)
    }
}
