import CompressNIO
import Foundation
import NIOCore
import Testing

/// `compression algo|type|offload` through HAProxy 2.6 and usher: for each request and server reply,
/// whether the answer is compressed, with which coding and which head, that it decompresses to
/// what the server sent, and what the server was asked.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct CompressionDifferentialTests {
    static let template = """
        defaults
            mode http
            timeout connect 2s
            timeout client 3s
            timeout server 3s
        frontend fe
            bind 127.0.0.1:{{PORT}}
            compression algo gzip
            compression type text/plain text/html
            use_backend raw if { path_beg /raw }
            use_backend offload if { path_beg /offload }
            default_backend be
        backend be
            server web {{ORIGIN0}}
        backend raw
            compression algo raw-deflate deflate
            server web {{ORIGIN0}}
        backend offload
            compression algo gzip identity
            compression offload
            server web {{ORIGIN0}}
        """

    static let body = String(repeating: "compressible text, compressible text. ", count: 80)

    /// (request line and headers, the server's reply) for each case, in order.
    static let cases: [(name: String, request: String, reply: RecordingOrigin.Reply)] = {
        func text(_ extra: [HTTPWire.Field] = [], framing: RecordingOrigin.Reply.Framing = .contentLength, type: String = "text/plain; charset=utf-8") -> RecordingOrigin.Reply {
            RecordingOrigin.Reply(fields: [HTTPWire.Field("Content-Type", type)] + extra, body: body, framing: framing)
        }
        return [
            ("gzip", "GET /a HTTP/1.1\r\nAccept-Encoding: gzip, deflate\r\n", text([HTTPWire.Field("ETag", "\"v1\"")])),
            ("chunked server", "GET /b HTTP/1.1\r\nAccept-Encoding: gzip\r\n", text(framing: .chunked)),
            ("q=0 refuses", "GET /c HTTP/1.1\r\nAccept-Encoding: gzip;q=0, br\r\n", text()),
            ("star", "GET /d HTTP/1.1\r\nAccept-Encoding: *\r\n", text()),
            ("other type", "GET /e HTTP/1.1\r\nAccept-Encoding: gzip\r\n", text(type: "image/png")),
            ("no type", "GET /f HTTP/1.1\r\nAccept-Encoding: gzip\r\n", RecordingOrigin.Reply(body: body)),
            ("404", "GET /g HTTP/1.1\r\nAccept-Encoding: gzip\r\n", RecordingOrigin.Reply(status: 404, reason: "Not Found", fields: [HTTPWire.Field("Content-Type", "text/plain")], body: body)),
            ("HEAD", "HEAD /h HTTP/1.1\r\nAccept-Encoding: gzip\r\n", text()),
            ("HTTP/1.0", "GET /i HTTP/1.0\r\nAccept-Encoding: gzip\r\n", text()),
            ("no-transform", "GET /j HTTP/1.1\r\nAccept-Encoding: gzip\r\n", text([HTTPWire.Field("Cache-Control", "max-age=5, no-transform")])),
            ("already encoded", "GET /k HTTP/1.1\r\nAccept-Encoding: gzip\r\n", text([HTTPWire.Field("Content-Encoding", "br")])),
            ("two etags", "GET /l HTTP/1.1\r\nAccept-Encoding: gzip\r\n", text([HTTPWire.Field("ETag", "\"a\""), HTTPWire.Field("ETag", "\"b\"")])),
            ("old browser", "GET /m HTTP/1.1\r\nAccept-Encoding: gzip\r\nUser-Agent: Mozilla/4.0 (compatible; MSIE 5.5)\r\n", text()),
            ("close-delimited", "GET /n HTTP/1.1\r\nAccept-Encoding: gzip\r\n", text(framing: .closeDelimited)),
            ("raw-deflate", "GET /raw HTTP/1.1\r\nAccept-Encoding: deflate\r\n", text()),
            ("offload", "GET /offload HTTP/1.1\r\nAccept-Encoding: gzip\r\n", text()),
            ("identity fallback", "GET /offload2 HTTP/1.1\r\nAccept-Encoding: br\r\n", text()),
        ]
    }()

    /// The answer's status, the head fields compression touches, and the body decoded.
    static func summary(_ response: [UInt8], head: Bool) throws -> String {
        guard let end = HTTPWire.headEnd(response[...]), let parsed = HTTPWire.parseHead(response[..<end]) else { return "no answer" }
        let fields = parsed.fields.filter { ["content-encoding", "transfer-encoding", "vary", "etag", "content-length"].contains($0.name.lowercased()) }
            .map { "\($0.name.lowercased())=\($0.value)" }.sorted()
        let status = parsed.startLine.split(separator: " ").prefix(2).joined(separator: " ")
        guard !head else { return "\(status) \(fields)" }
        var body = Array(response[end...])
        if fields.contains("transfer-encoding=chunked") { body = dechunk(body) }
        let coding = parsed.fields.first { $0.name.lowercased() == "content-encoding" }?.value
        let decoded: String
        switch coding {
        case "gzip": decoded = try inflate(body, .gzip())
        case "deflate" where body.first == 0x78: decoded = "zlib:" + (try inflate(body, .zlib()))
        case "deflate": decoded = "raw:" + (try inflate(body, .deflate()))
        default: decoded = String(decoding: body, as: UTF8.self)
        }
        return "\(status) \(fields) body \(decoded == Self.body ? "intact" : decoded.hasSuffix(Self.body) ? decoded.dropLast(Self.body.count) + "intact" : "differs (\(decoded.count) bytes)")"
    }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = [], index = 0
        while let lineEnd = bytes[index...].firstIndex(of: UInt8(ascii: "\n")), let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), radix: 16), size > 0 {
            result += bytes[(lineEnd + 1)..<min(bytes.count, lineEnd + 1 + size)]
            index = lineEnd + 1 + size + 2
            guard index < bytes.count else { break }
        }
        return result
    }

    static func inflate(_ bytes: [UInt8], _ algorithm: CompressionAlgorithm) throws -> String {
        var input = ByteBuffer(bytes: bytes)
        return String(buffer: try input.decompress(with: algorithm))
    }

    func observe(_ kind: ProxyKind) throws -> [String] {
        let run = try ProxyRun(kind, template: Self.template, replies: Self.cases.map(\.reply))
        defer { run.stop() }
        var seen: [String] = []
        for item in Self.cases {
            let client = try RawClient(port: run.port)
            try client.send(item.request + "Host: t\r\nConnection: close\r\n\r\n")
            seen.append("\(item.name): " + (try Self.summary(try client.receiveAll(), head: item.request.hasPrefix("HEAD"))))
        }
        run.origins[0].settle()
        seen += run.origins[0].requests.map { "origin got \($0.message.startLine) accept-encoding=\($0.message.values("Accept-Encoding"))" }
        return seen
    }

    @Test func sameAsHAProxy() throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        let reference = try observe(.haproxy)
        #expect(reference.first?.contains("content-encoding=gzip") == true && reference.first?.contains("body intact") == true, "\(reference)")
        guard !DifferentialSettings.onlyHAProxy else { return }
        let ours = try observe(.usher)
        for (theirs, mine) in zip(reference, ours) where theirs != mine {
            Issue.record("HAProxy: \(theirs)\nusher:   \(mine)")
        }
        #expect(ours.count == reference.count)
    }
}
