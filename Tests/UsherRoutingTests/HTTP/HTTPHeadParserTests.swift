import Testing
@testable import UsherRouting

@Suite("HTTP head parser")
struct HTTPHeadParserTests {
    func request(_ text: String, limits: HTTPLimits = HTTPLimits()) throws -> HTTPRequestHead {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in try HTTPHeadParser.parseRequest(raw, limits: limits) }
    }

    func response(_ text: String) throws -> HTTPResponseHead {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in try HTTPHeadParser.parseResponse(raw) }
    }

    func rejection(_ text: String, limits: HTTPLimits = HTTPLimits()) -> HTTPParseError? {
        do {
            _ = try request(text, limits: limits)
            return nil
        } catch {
            return error as? HTTPParseError
        }
    }

    @Test func parsesARequest() throws {
        let head = try request("GET /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\nX-Thing:  spaced value \t\r\nAccept: */*\r\n\r\n")
        #expect(head.method == "GET")
        #expect(head.target == "/a/b?x=1")
        #expect(head.version == .http1_1)
        #expect(head.path == "/a/b")
        #expect(head.query == "x=1")
        #expect(head.headers[first: "host"] == "example.com")
        #expect(head.headers[first: "X-THING"] == "spaced value")
        #expect(head.headers.fields.map(\.name) == ["Host", "X-Thing", "Accept"])
    }

    @Test func absoluteFormTargets() throws {
        let head = try request("GET http://example.com:8080/p/q?r HTTP/1.1\r\nHost: example.com:8080\r\n\r\n")
        #expect(head.path == "/p/q")
        #expect(head.query == "r")
        #expect(head.targetAuthority == "example.com:8080")
    }

    @Test func laterVersionsAreReadAsHTTP11() throws {
        #expect(try request("GET / HTTP/1.2\r\nHost: a\r\n\r\n").version == .http1_1)
        #expect(try request("GET / HTTP/2.0\r\nHost: a\r\n\r\n").version == .http1_1)
    }

    @Test func parsesAResponse() throws {
        let head = try response("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        #expect(head.status == 404)
        #expect(head.reason == "Not Found")
        let bare = try response("HTTP/1.0 200\r\n\r\n")
        #expect(bare.status == 200)
        #expect(bare.reason == "")
        #expect(bare.version == .http1_0)
    }

    static let malformed: [(String, String)] = [
        ("HTTP/0.9", "GET /\r\n\r\n"),
        ("bare LF line ends", "GET / HTTP/1.1\nHost: a\n\n"),
        ("bare CR", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"),
        ("NUL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n"),
        ("control byte in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1}b\r\n\r\n"),
        ("space before the colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n"),
        ("tab before the colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n"),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: one\r\n two\r\n\r\n"),
        ("bad name byte", "GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n"),
        ("no colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n"),
        ("bad method byte", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("two spaces", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("space in the target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("lower-case protocol", "GET / http/1.1\r\nHost: a\r\n\r\n"),
        ("HTTP/0.9 in text", "GET / HTTP/0.9\r\nHost: a\r\n\r\n"),
        ("version without minor", "GET / HTTP/1\r\nHost: a\r\n\r\n"),
        ("trailing garbage after version", "GET / HTTP/1.1x\r\nHost: a\r\n\r\n"),
        ("empty header name", "GET / HTTP/1.1\r\n: a\r\n\r\n"),
        // The field scan stops at the first byte that is not a token or value byte; these are
        // the ways that byte can fail to be a CRLF.
        ("bare LF after a value", "GET / HTTP/1.1\r\nHost: a\r\nX: b\nY: c\r\n\r\n"),
        ("bare LF after a name", "GET / HTTP/1.1\r\nHost: a\r\nX\nY: c\r\n\r\n"),
        ("CR without LF after a name", "GET / HTTP/1.1\r\nHost: a\r\nX\rY: c\r\n\r\n"),
        ("bare LF as the empty line", "GET / HTTP/1.1\r\nHost: a\r\n\n"),
        ("CR without LF as the empty line", "GET / HTTP/1.1\r\nHost: a\r\n\rX"),
        ("NUL in a name", "GET / HTTP/1.1\r\nHost: a\r\nX\u{0}Y: c\r\n\r\n"),
        ("DEL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{7F}b\r\n\r\n"),
        ("no empty line", "GET / HTTP/1.1\r\nHost: a\r\n"),
        ("head ends mid-value", "GET / HTTP/1.1\r\nHost: a\r\nX: b"),
        ("head ends after CR", "GET / HTTP/1.1\r\nHost: a\r\nX: b\r"),
        ("head ends mid-name", "GET / HTTP/1.1\r\nHost: a\r\nX-Lo"),
    ]

    @Test(arguments: malformed)
    func refusesMalformedHeads(_ testCase: (String, String)) {
        let error = rejection(testCase.1)
        #expect(error != nil, "accepted: \(testCase.0)")
        #expect(error?.status == 400 || error?.status == 505, "\(testCase.0): \(String(describing: error))")
    }

    @Test func valuesKeepObsTextTabsAndInnerSpaces() throws {
        let head = try request("GET / HTTP/1.1\r\nHost: a\r\nX: \tone \u{E9}\ttwo \t\r\nY:\r\n\r\n")
        #expect(head.headers[first: "X"] == "one \u{E9}\ttwo")
        #expect(head.headers[first: "Y"] == "")
    }

    @Test func byteClassesMatchTheGrammar() {
        // RFC 9110 tchar, field-vchar/obs-text plus SP and HTAB, and the target's visible ASCII
        // without `#`, checked against their definitions for every byte.
        let tokenSymbols = Set("!#$%&'*+-.^_`|~".utf8)
        for value in 0...255 {
            let byte = UInt8(value)
            let isAlphaNumeric = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            let isToken = isAlphaNumeric || tokenSymbols.contains(byte)
            let isValue = (0x21...0x7E).contains(byte) || byte >= 0x80 || byte == 0x20 || byte == 0x09
            let isTarget = (0x21...0x7E).contains(byte) && byte != UInt8(ascii: "#")
            #expect(HTTPSyntax.isTokenByte(byte) == isToken, "token \(byte)")
            #expect(HTTPSyntax.isFieldValueByte(byte) == isValue, "value \(byte)")
            #expect(HTTPSyntax.isTargetByte(byte) == isTarget, "target \(byte)")
        }
    }

    @Test func enforcesLimits() {
        // tune.http.maxhdr (101) counts the request line: 100 fields pass, 101 do not.
        var fields = "GET / HTTP/1.1\r\nHost: a\r\n"
        for index in 0..<99 { fields += "X-\(index): v\r\n" }
        #expect(rejection(fields + "\r\n") == nil)
        #expect(rejection(fields + "X-last: v\r\n\r\n") != nil)
        let long = "GET /" + String(repeating: "a", count: 20_000) + " HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(rejection(long) != nil)
        #expect(rejection("GET / HTTP/1.1\r\nHost: a\r\n\r\n", limits: HTTPLimits(maxHeadBytes: 10, maxHeaderCount: 5)) != nil)
    }

    @Test func refusesBadResponses() {
        for text in ["HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 099 X\r\n\r\n", "ICY 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nX: \u{0}\r\n\r\n"] {
            #expect(throws: HTTPParseError.self) { _ = try response(text) }
        }
    }

    @Test func scannerFindsTheEndAcrossPieces() {
        var scanner = HTTPHeadScanner()
        let text = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\nrest".utf8)
        for cut in 1..<text.count - 4 {
            scanner.reset()
            let first = Array(text[..<cut])
            let found = first.withUnsafeBytes { scanner.headLength(in: $0) }
            let total = text.withUnsafeBytes { scanner.headLength(in: $0) }
            #expect(found == nil || found == text.count - 4)
            #expect((found ?? total) == text.count - 4)
        }
        // A head with bare LFs still ends, so that it is refused rather than waited for.
        scanner.reset()
        #expect(Array("GET / HTTP/1.1\nHost: a\n\n".utf8).withUnsafeBytes { scanner.headLength(in: $0) } == 24)
    }
}
