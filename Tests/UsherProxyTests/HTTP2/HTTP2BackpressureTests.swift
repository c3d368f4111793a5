import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Flow control carries backpressure through usher: an HTTP/2 client that reads its stream slowly
/// (opening its window only as it consumes) makes usher stop reading from the HTTP/1.1 server,
/// so usher's memory stays within a bound however far the server is ahead.
@Suite(.serialized)
struct HTTP2BackpressureTests {
    static let growthBound = 32 * 1024 * 1024

    @Test func aSlowHTTP2ReaderKeepsUshersMemoryBounded() throws {
        let total = 256 << 20
        let origin = try BulkHTTPOrigin(group: testGroup)
        defer { origin.stop() }
        let port = freePort()
        let directory = try ScratchDirectory()
        let configuration = try directory.write("usher.cfg", """
            defaults
                mode http
                timeout connect 2s
                timeout client 60s
                timeout server 60s
            frontend fe
                bind 127.0.0.1:\(port) proto h2
                default_backend app
            backend app
                server s1 127.0.0.1:\(origin.port)
            """)
        let usher = try UsherProcess(["-db", "-f", configuration])
        defer { usher.stop() }
        #expect(waitUntilListening(port), "usher did not start: \(usher.error)")
        let pid = usher.pid
        let baseline = try #require(MemoryBoundTests.residentBytes(pid: pid))

        let client = try RawClient(port: port, timeout: 30)
        try client.send(HTTP2Frames.preface + HTTP2Frames.settings() + HTTP2Frames.headers(stream: 1, HTTP2Frames.requestBlock(path: "/bytes/\(total)")))
        var buffer: [UInt8] = []
        var start = 0
        var received = 0
        var mismatch = false
        var ended = false
        var peak = baseline
        var reads = 0
        var status = ""
        while !ended {
            let chunk = try client.receive(maximum: 256 * 1024)
            if chunk.isEmpty { break }
            buffer += chunk
            var credit = 0
            while buffer.count - start >= 9 {
                let length = Int(buffer[start]) << 16 | Int(buffer[start + 1]) << 8 | Int(buffer[start + 2])
                guard buffer.count - start >= 9 + length else { break }
                let type = buffer[start + 3], flags = buffer[start + 4]
                let payload = (start + 9)..<(start + 9 + length)
                if type == HTTP2Frames.Kind.data.rawValue {
                    if !buffer[payload].withUnsafeBytes({ BytePattern.matches($0, offset: received) }) { mismatch = true }
                    received += length
                    credit += length
                    if flags & HTTP2Frames.endStream != 0 { ended = true }
                } else if type == HTTP2Frames.Kind.headers.rawValue, status.isEmpty {
                    // The first field of the answer is `:status`, HPACK-indexed (0x88 is 200).
                    status = buffer[payload].first == 0x88 ? "200" : "other"
                } else if type == HTTP2Frames.Kind.goAway.rawValue || type == HTTP2Frames.Kind.rstStream.rawValue {
                    ended = true
                }
                start += 9 + length
            }
            if start > 1 << 20 {
                buffer.removeFirst(start)
                start = 0
            }
            if credit > 0 {
                // The window opens only for what was consumed: the slow reader sets the pace.
                try client.send(HTTP2Frames.windowUpdate(stream: 0, UInt32(credit)) + HTTP2Frames.windowUpdate(stream: 1, UInt32(credit)))
            }
            reads += 1
            usleep(1000)
            if reads % 64 == 0, let now = MemoryBoundTests.residentBytes(pid: pid) { peak = max(peak, now) }
        }
        #expect(status == "200")
        #expect(received == total)
        #expect(!mismatch, "the bytes arrived in order")
        let growth = peak - baseline
        #expect(SanitizedRun.residentGrowthIsWithin(growth, Self.growthBound), "usher grew by \(growth / 1024) KiB (baseline \(baseline / 1024) KiB, peak \(peak / 1024) KiB)")
        print("memory: baseline \(baseline / 1024) KiB, peak \(peak / 1024) KiB, growth \(growth / 1024) KiB over \(total >> 20) MiB to a slow HTTP/2 reader")
    }
}
