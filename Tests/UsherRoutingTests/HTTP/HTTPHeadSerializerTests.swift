import NIOCore
import Testing
import UsherRouting

@Suite("HTTP head serializer and token lookups")
struct HTTPHeadSerializerTests {
    @Test func writesARequestHeadAsItCame() throws {
        let text = "POST /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nX-Long: \(String(repeating: "v", count: 300))\r\nX-Empty: \r\nAccept: */*\r\n\r\n"
        let head = try Array(text.utf8).withUnsafeBytes { try HTTPHeadParser.parseRequest($0) }
        var buffer = ByteBuffer(string: "before|")
        buffer.writeHTTPRequestHead(head)
        #expect(buffer.readString(length: buffer.readableBytes) == "before|" + text)
    }

    @Test func writesAResponseHead() throws {
        let text = "HTTP/1.0 404 Not Found\r\nServer: nginx/1.22.1\r\nDate: Fri, 27 Nov 2026 07:00:00 GMT\r\nContent-Type: text/html; charset=\u{E9}t\u{E9}\r\n\r\n"
        let head = try Array(text.utf8).withUnsafeBytes { try HTTPHeadParser.parseResponse($0) }
        var buffer = ByteBuffer()
        buffer.writeHTTPResponseHead(head)
        #expect(buffer.readString(length: buffer.readableBytes) == text)
    }

    /// obs-text (bytes 0x80–0xFF) in values: a rewritten head carries them byte for byte; the
    /// value's text (for fetches and ACLs) has U+FFFD for them; UTF-8 values keep no second copy.
    @Test func keepsValueBytesThatAreNotUTF8() throws {
        let odd: [UInt8] = [0x61, 0x80, 0xE4, 0xFF, 0x62, 0x20, 0x63]
        let bytes = Array("GET / HTTP/1.1\r\nHost: a\r\nX-Bytes: ".utf8) + odd + Array(" \r\nX-Utf8: \u{E4}\r\n\r\n".utf8)
        var head = try bytes.withUnsafeBytes { try HTTPHeadParser.parseRequest($0) }
        let field = try #require(head.headers.fields.first { $0.hasName("x-bytes") })
        #expect(field.rawValue == odd)
        #expect(field.value == "a\u{FFFD}\u{FFFD}\u{FFFD}b c")
        #expect(head.headers.values("x-bytes") == ["a\u{FFFD}\u{FFFD}\u{FFFD}b c"])
        #expect(head.headers.fields.first { $0.hasName("x-utf8") }?.rawValue == nil)
        #expect(head.headers.fields.first { $0.hasName("host") }?.rawValue == nil)
        head.headers.set("X-Set", "a")
        var buffer = ByteBuffer()
        buffer.writeHTTPRequestHead(head)
        let expected = Array("GET / HTTP/1.1\r\nHost: a\r\nX-Bytes: ".utf8) + odd + Array("\r\nX-Utf8: \u{E4}\r\nX-Set: a\r\n\r\n".utf8)
        #expect(Array(buffer.readableBytesView) == expected)
        // A value set by a rule replaces the bytes.
        let index = try #require(head.headers.fields.firstIndex { $0.hasName("x-bytes") })
        head.headers.fields[index].value = "new"
        #expect(head.headers.fields[index].rawValue == nil)
        buffer.clear()
        buffer.writeHTTPRequestHead(head)
        #expect(String(buffer: buffer).contains("X-Bytes: new\r\n"))
    }

    @Test func keepsResponseValueBytesThatAreNotUTF8() throws {
        let odd: [UInt8] = [0xFE, 0x7A, 0x81]
        let bytes = Array("HTTP/1.1 200 OK\r\nY-Bytes: ".utf8) + odd + Array("\r\n\r\n".utf8)
        var head = try bytes.withUnsafeBytes { try HTTPHeadParser.parseResponse($0) }
        head.headers.add("Y-Set", "b")
        var buffer = ByteBuffer()
        buffer.writeHTTPResponseHead(head)
        #expect(Array(buffer.readableBytesView) == Array("HTTP/1.1 200 OK\r\nY-Bytes: ".utf8) + odd + Array("\r\nY-Set: b\r\n\r\n".utf8))
    }

    @Test func writesStatusesOfAnyWidthAndAnEmptyReason() {
        for (status, line) in [(200, "HTTP/1.1 200 \r\n"), (999, "HTTP/1.1 999 \r\n"), (42, "HTTP/1.1 42 \r\n"), (1000, "HTTP/1.1 1000 \r\n")] {
            var buffer = ByteBuffer()
            buffer.writeHTTPResponseHead(HTTPResponseHead(version: .http1_1, status: status, reason: "", headers: HTTPHeaders([("A", "b")])))
            #expect(buffer.readString(length: buffer.readableBytes) == line + "A: b\r\n\r\n")
        }
    }

    @Test func forwardsAHeadAsReceivedOnlyWhenNothingChanged() throws {
        func request(_ text: String) throws -> (ByteBuffer, HTTPRequestHead) {
            (ByteBuffer(string: text), try Array(text.utf8).withUnsafeBytes { try HTTPHeadParser.parseRequest($0) })
        }
        let (raw, parsed) = try request("GET / HTTP/1.1\r\nHost: a\r\nX:   spaced  \r\n\r\n")
        #expect(ByteBuffer.canForwardAsReceived(raw, head: parsed, parsed: parsed))
        var changed = parsed
        changed.headers.add("X-Forwarded-For", "127.0.0.1")
        #expect(!ByteBuffer.canForwardAsReceived(raw, head: changed, parsed: parsed))
        // A later minor version is read, and must be written, as 1.1.
        let (later, laterParsed) = try request("GET / HTTP/1.2\r\nHost: a\r\n\r\n")
        #expect(!ByteBuffer.canForwardAsReceived(later, head: laterParsed, parsed: laterParsed))

        let text = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"
        let response = try Array(text.utf8).withUnsafeBytes { try HTTPHeadParser.parseResponse($0) }
        #expect(ByteBuffer.canForwardAsReceived(ByteBuffer(string: text), head: response, parsed: response))
        let later11 = "HTTP/1.3 200 OK\r\nContent-Length: 0\r\n\r\n"
        let laterResponse = try Array(later11.utf8).withUnsafeBytes { try HTTPHeadParser.parseResponse($0) }
        #expect(!ByteBuffer.canForwardAsReceived(ByteBuffer(string: later11), head: laterResponse, parsed: laterResponse))
    }

    @Test func findsTokensInListsAndPaddedValues() {
        let headers = HTTPHeaders([("Connection", "keep-alive, Upgrade"), ("connection", " close\t"), ("Upgrade", "\"quoted,token\", websocket")])
        #expect(headers.hasToken("upgrade", in: "Connection"))
        #expect(headers.hasToken("KEEP-ALIVE", in: "connection"))
        #expect(headers.hasToken("close", in: "Connection"))
        #expect(!headers.hasToken("keep", in: "Connection"))
        #expect(headers.hasToken("websocket", in: "Upgrade"))
        #expect(!headers.hasToken("token", in: "Upgrade"))
        #expect(!headers.hasToken("close", in: "Upgrade"))
        #expect(!HTTPHeaders().hasToken("close", in: "Connection"))
    }
}
