import Foundation
import Testing

/// The known HTTP/2 attacks, sent by hand-written frames: each ends in a GOAWAY with the code the
/// spec (or the usual practice) gives, and the process goes on serving other connections.
@Suite(.serialized, .enabled(if: ExternalProcess.required("curl")))
struct HTTP2AttackTests {
    static let protocolError: UInt32 = 0x1
    static let refusedStream: UInt32 = 0x7
    static let compressionError: UInt32 = 0x9
    static let enhanceYourCalm: UInt32 = 0xB

    static func configuration(origin: String, global: String = "") -> String {
        """
        global
        \(global)
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:0 proto h2
            default_backend bk
        backend bk
            server s1 \(origin)
        """
    }

    /// Opens a connection, sends the preface, an empty SETTINGS and `attack`, and reads what comes
    /// back until a GOAWAY (or the close).
    static func send(_ attack: [UInt8], port: Int) throws -> [HTTP2Frames.Frame] {
        let client = try RawClient(port: port)
        try client.send(HTTP2Frames.preface + HTTP2Frames.settings())
        // The write may fail part-way once usher has closed: what it answered is still read.
        try? client.send(attack)
        return (try? client.readFrames { $0.type == HTTP2Frames.Kind.goAway.rawValue }) ?? []
    }

    /// A plain request on a new connection still gets its answer.
    static func stillServes(port: Int) throws {
        let result = try ExternalProcess.run(
            ["curl", "-sS", "--max-time", "10", "--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/after"])
        #expect(result.output == "200", "\(result.output) \(result.error)")
    }

    func withUsher(global: String = "", _ body: (Int, RecordingOrigin) throws -> Void) throws {
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }
        let usher = try UsherUnderTest(Self.configuration(origin: origin.address, global: global))
        defer { usher.stop() }
        try body(usher.port("fe"), origin)
    }

    @Test func settingsCarryTheTuneH2Values() throws {
        try withUsher(global: """
                tune.h2.max-concurrent-streams 10
                tune.h2.initial-window-size 1000
                tune.h2.header-table-size 1024
                tune.h2.max-frame-size 20000
            """) { port, _ in
            let client = try RawClient(port: port)
            try client.send(HTTP2Frames.preface + HTTP2Frames.settings())
            let frames = try client.readFrames { $0.type == HTTP2Frames.Kind.settings.rawValue && $0.flags & HTTP2Frames.ack == 0 }
            let settings = try #require(frames.last)
            var values: [UInt16: UInt32] = [:]
            for offset in stride(from: 0, to: settings.payload.count, by: 6) {
                let id = UInt16(settings.payload[offset]) << 8 | UInt16(settings.payload[offset + 1])
                values[id] = settings.payload[(offset + 2)..<(offset + 6)].reduce(0) { $0 << 8 | UInt32($1) }
            }
            #expect(values[0x1] == 1024)  // SETTINGS_HEADER_TABLE_SIZE
            #expect(values[0x3] == 10)  // SETTINGS_MAX_CONCURRENT_STREAMS
            #expect(values[0x4] == 1000)  // SETTINGS_INITIAL_WINDOW_SIZE
            #expect(values[0x5] == 20000)  // SETTINGS_MAX_FRAME_SIZE
            #expect(values[0x6] == 16384)  // SETTINGS_MAX_HEADER_LIST_SIZE: tune.bufsize
        }
    }

    /// More streams than `tune.h2.max-concurrent-streams` at once: the extra one is refused.
    @Test func streamsBeyondTheLimitAreRefused() throws {
        try withUsher(global: "    tune.h2.max-concurrent-streams 3") { port, _ in
            var attack: [UInt8] = []
            // Requests whose bodies never come: their streams stay open.
            for index in 0..<4 { attack += HTTP2Frames.headers(stream: UInt32(2 * index + 1), HTTP2Frames.requestBlock(), endStream: false) }
            let client = try RawClient(port: port)
            // The limit holds once the client has acknowledged usher's SETTINGS (RFC 9113 §6.5.3).
            try client.send(HTTP2Frames.preface + HTTP2Frames.settings())
            _ = try client.readFrames { $0.type == HTTP2Frames.Kind.settings.rawValue && $0.flags & HTTP2Frames.ack == 0 }
            try client.send(HTTP2Frames.frame(.settings, flags: HTTP2Frames.ack) + attack)
            let frames = try client.readFrames { $0.type == HTTP2Frames.Kind.rstStream.rawValue || $0.type == HTTP2Frames.Kind.goAway.rawValue }
            let last = try #require(frames.last)
            #expect(last.stream == 7 && last.resetCode == Self.refusedStream || last.goAwayCode == Self.protocolError, "\(frames)")
            try Self.stillServes(port: port)
        }
    }

    /// CVE-2023-44487: streams opened and reset at once, over and over.
    @Test func rapidResetEndsTheConnection() throws {
        try withUsher { port, origin in
            var attack: [UInt8] = []
            for index in 0..<2000 {
                let stream = UInt32(2 * index + 1)
                attack += HTTP2Frames.headers(stream: stream, HTTP2Frames.requestBlock()) + HTTP2Frames.rstStream(stream)
            }
            let frames = try Self.send(attack, port: port)
            #expect(frames.last?.goAwayCode == Self.enhanceYourCalm, "\(frames.suffix(3))")
            try Self.stillServes(port: port)
            // Far fewer requests than streams reached the server.
            #expect(origin.requests.count < 1000)
        }
    }

    @Test func continuationFloodEndsTheConnection() throws {
        try withUsher { port, _ in
            var attack = HTTP2Frames.frame(.headers, stream: 1, HTTP2Frames.requestBlock())
            for index in 0..<10_000 {
                attack += HTTP2Frames.frame(.continuation, stream: 1, HTTP2Frames.literal("x-\(index)", "y"))
            }
            let frames = try Self.send(attack, port: port)
            let code = try #require(frames.last?.goAwayCode, "\(frames.suffix(3))")
            #expect(code == Self.enhanceYourCalm || code == Self.protocolError || code == Self.compressionError, "\(code)")
            try Self.stillServes(port: port)
        }
    }

    @Test func settingsFloodEndsTheConnection() throws {
        try withUsher { port, _ in
            let attack = (0..<5000).flatMap { _ in HTTP2Frames.settings() }
            let frames = try Self.send(attack, port: port)
            #expect(frames.last?.goAwayCode == Self.enhanceYourCalm, "\(frames.suffix(3))")
            try Self.stillServes(port: port)
        }
    }

    @Test func pingFloodEndsTheConnection() throws {
        try withUsher { port, _ in
            let attack = (0..<5000).flatMap { HTTP2Frames.ping(UInt64($0)) }
            let frames = try Self.send(attack, port: port)
            #expect(frames.last?.goAwayCode == Self.enhanceYourCalm, "\(frames.suffix(3))")
            try Self.stillServes(port: port)
        }
    }

    /// A header block small on the wire that decodes to far more than SETTINGS_MAX_HEADER_LIST_SIZE:
    /// one 4 kB value put in the dynamic table, then referred to 200 times (800 kB decoded).
    @Test func hpackBombIsRefused() throws {
        try withUsher { port, origin in
            let block = HTTP2Frames.requestBlock(extra: HTTP2Frames.literal("x-bomb", String(repeating: "b", count: 4000), indexed: true)
                + (0..<200).flatMap { _ in HTTP2Frames.indexed(62) })
            let client = try RawClient(port: port)
            try client.send(HTTP2Frames.preface + HTTP2Frames.settings() + HTTP2Frames.headers(stream: 1, block))
            let frames = try client.readFrames { $0.type == HTTP2Frames.Kind.goAway.rawValue || $0.type == HTTP2Frames.Kind.rstStream.rawValue || $0.type == HTTP2Frames.Kind.headers.rawValue }
            let last = try #require(frames.last)
            // Refused: the connection (or the stream) ends, or a 431; never forwarded.
            let refused = last.goAwayCode != nil || last.resetCode != nil || last.type == HTTP2Frames.Kind.headers.rawValue
            #expect(refused, "\(frames)")
            #expect(origin.requests.isEmpty)
            try Self.stillServes(port: port)
        }
    }

    /// A request whose fields would write HTTP/1.1 framing (a CR LF in a value): the stream is
    /// reset, nothing reaches the server, and the connection serves its next stream.
    @Test func malformedRequestResetsOnlyItsStream() throws {
        try withUsher { port, origin in
            let client = try RawClient(port: port)
            let bad = HTTP2Frames.headers(stream: 1, HTTP2Frames.requestBlock(extra: HTTP2Frames.literal("x-a", "1\r\nx-injected: 1")))
            let good = HTTP2Frames.headers(stream: 3, HTTP2Frames.requestBlock(path: "/good"))
            try client.send(HTTP2Frames.preface + HTTP2Frames.settings() + bad + good)
            let frames = try client.readFrames { $0.stream == 3 && $0.flags & HTTP2Frames.endStream != 0 }
            let reset = frames.first { $0.stream == 1 && $0.type == HTTP2Frames.Kind.rstStream.rawValue }
            #expect(reset?.resetCode == Self.protocolError, "\(frames)")
            #expect(frames.contains { $0.stream == 3 && $0.type == HTTP2Frames.Kind.headers.rawValue }, "\(frames)")
            #expect(origin.requests.map(\.message.startLine) == ["GET /good HTTP/1.1"])
        }
    }
}
