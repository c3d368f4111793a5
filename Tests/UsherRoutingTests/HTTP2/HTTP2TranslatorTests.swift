import NIOCore
import Testing
import UsherRouting

@Suite("HTTP/2 stream ⇄ HTTP/1.1 translation")
struct HTTP2TranslatorTests {
    static let get: [(name: String, value: String)] = [(":method", "GET"), (":scheme", "https"), (":authority", "a.test:8443"), (":path", "/p?q=1")]

    func translate(_ fields: [(name: String, value: String)], endStream: Bool = true) throws -> (String, HTTP2RequestTranslator.RequestFacts) {
        var translator = HTTP2RequestTranslator()
        var output = ByteBuffer()
        let facts = try translator.head(fields, endStream: endStream, into: &output)
        return (String(buffer: output), facts)
    }

    @Test func headBecomesOriginFormWithHostFirstAndCookiesJoinedLast() throws {
        let (text, facts) = try translate(Self.get + [("host", "other"), ("cookie", "a=1"), ("user-agent", "t"), ("cookie", "b=2")])
        #expect(text == "GET /p?q=1 HTTP/1.1\r\nhost: a.test:8443\r\nuser-agent: t\r\ncookie: a=1; b=2\r\n\r\n")
        #expect(facts == .init(method: "GET", scheme: "https", authority: "a.test:8443", path: "/p?q=1"))
    }

    @Test func bodyWithoutLengthIsChunkedAndTrailersEndIt() throws {
        var translator = HTTP2RequestTranslator()
        var output = ByteBuffer()
        _ = try translator.head([(":method", "POST"), (":scheme", "http"), (":path", "/up")], endStream: false, into: &output)
        try translator.data(ByteBuffer(string: "hello, world!!!!"), endStream: false, into: &output)
        try translator.trailers([("x-sum", "1")], into: &output)
        #expect(String(buffer: output) == "POST /up HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n10\r\nhello, world!!!!\r\n0\r\nx-sum: 1\r\n\r\n")
        #expect(translator.isComplete)
    }

    @Test func bodyWithLengthPassesAsItIs() throws {
        var translator = HTTP2RequestTranslator()
        var output = ByteBuffer()
        _ = try translator.head(Self.get + [("content-length", "3")], endStream: false, into: &output)
        try translator.data(ByteBuffer(string: "abc"), endStream: true, into: &output)
        #expect(String(buffer: output).hasSuffix("content-length: 3\r\n\r\nabc"))
        #expect(!String(buffer: output).contains("chunked"))
    }

    /// Nothing an HTTP/2 client sends may become HTTP/1.1 framing on the server's connection.
    @Test(arguments: [
        [(":method", "GET"), (":scheme", "https"), (":path", "/"), ("x", "a\r\nx-injected: 1")],
        [(":method", "GET"), (":scheme", "https"), (":path", "/ HTTP/1.1\r\nx: y")],
        [(":method", "GET"), (":scheme", "https"), (":path", "/a b")],
        [(":method", "G T"), (":scheme", "https"), (":path", "/")],
        [(":method", "GET"), (":scheme", "https"), (":path", "/"), ("transfer-encoding", "chunked")],
        [(":method", "GET"), (":scheme", "https"), (":path", "/"), ("connection", "close")],
        [(":method", "GET"), (":scheme", "https"), (":path", "/"), ("Upper", "x")],
        [(":method", "GET"), (":scheme", "https"), (":path", "/"), ("x", "nul\u{0}")],
        [(":method", "GET"), (":scheme", "https"), (":path", "/"), (":path", "/again")],
        [(":method", "GET"), (":scheme", "https")],
        [(":method", "GET"), (":path", "/"), (":scheme", "https"), (":authority", "a\r\nb")],
        [(":method", "GET"), ("x", "1"), (":scheme", "https"), (":path", "/")],
    ] as [[(name: String, value: String)]])
    func refusesWhatCouldSmuggle(_ fields: [(name: String, value: String)]) {
        #expect(throws: HTTP2TranslationError.self) { _ = try translate(fields) }
    }

    func respond(_ text: String, method: String = "GET", in pieces: Int = 1) throws -> [HTTP2ResponseTranslator.Output] {
        var translator = HTTP2ResponseTranslator(requestMethod: method)
        var outputs: [HTTP2ResponseTranslator.Output] = []
        let bytes = Array(text.utf8)
        let size = max(1, (bytes.count + pieces - 1) / pieces)
        var start = 0
        while start < bytes.count {
            outputs += try translator.consume(ByteBuffer(bytes: bytes[start..<min(bytes.count, start + size)]))
            start += size
        }
        if let last = translator.finish() { outputs.append(last) }
        return outputs
    }

    /// Status and fields, then the body's text, and where the stream ended.
    func summary(_ outputs: [HTTP2ResponseTranslator.Output]) -> (heads: [String], body: String, endedBy: String) {
        var heads: [String] = [], body = "", ended = "none"
        for output in outputs {
            switch output {
            case .head(let status, let fields, let end):
                heads.append("\(status) " + fields.map { "\($0.name)=\($0.value)" }.joined(separator: ","))
                if end { ended = "head" }
            case .data(let data, let end):
                body += String(buffer: data)
                if end { ended = "data" }
            }
        }
        return (heads, body, ended)
    }

    @Test(arguments: [1, 7, 200])
    func chunkedResponseLosesItsFramingAndHopFields(pieces: Int) throws {
        let text = "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5\r\nX-Hop: 1\r\nTransfer-Encoding: chunked\r\nUpgrade: h2c\r\nX-A: b\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        let result = summary(try respond(text, in: pieces))
        #expect(result.heads == ["200 x-a=b"])
        #expect(result.body == "hello world")
        #expect(result.endedBy == "data")
    }

    @Test func interimThenFinalWithLength() throws {
        let result = summary(try respond("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"))
        #expect(result.heads == ["100 ", "201 content-length=2"])
        #expect(result.body == "ok")
        #expect(result.endedBy == "data")
    }

    @Test func noBodyEndsOnTheHead() throws {
        #expect(summary(try respond("HTTP/1.1 204 No Content\r\n\r\n")).endedBy == "head")
        #expect(summary(try respond("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", method: "HEAD")).endedBy == "head")
    }

    @Test func bodyUntilCloseEndsWhenTheSessionCloses() throws {
        let result = summary(try respond("HTTP/1.1 200 OK\r\n\r\nall of it"))
        #expect(result.body == "all of it")
        #expect(result.endedBy == "data")
    }

    @Test func refusesSwitchingProtocolsAndBrokenFraming() {
        #expect(throws: HTTP2TranslationError.self) { _ = try respond("HTTP/1.1 101 Switching Protocols\r\n\r\n") }
        #expect(throws: HTTP2TranslationError.self) { _ = try respond("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") }
    }
}
