import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A gigabyte each way through usher's HTTP mode (a separate process, so its memory can be read
/// from /proc), byte for byte, with usher's resident size bounded: bodies stream, never pile up.
@Suite(.serialized)
final class HTTPBulkTransferTests {
    static let total = 1 << 30

    func startUsher(origin: BulkHTTPOrigin) throws -> (UsherProcess, Int, ScratchDirectory) {
        let port = freePort()
        let directory = try ScratchDirectory()
        let configuration = try directory.write("usher.cfg", """
            defaults
                mode http
                option http-server-close
                timeout connect 2s
                timeout client 60s
                timeout server 60s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend app
            backend app
                server s1 127.0.0.1:\(origin.port)
            """)
        let usher = try UsherProcess(["-db", "-f", configuration])
        #expect(waitUntilListening(port), "usher did not start: \(usher.error)")
        return (usher, port, directory)
    }

    @Test func oneGigabyteDownloadToASlowReader() throws {
        let origin = try BulkHTTPOrigin(group: testGroup)
        defer { origin.stop() }
        let (usher, port, _) = try startUsher(origin: origin)
        defer { usher.stop() }
        let baseline = try #require(MemoryBoundTests.residentBytes(pid: usher.pid))
        let client = try RawClient(port: port, timeout: 30)
        try client.send("GET /bytes/\(Self.total) HTTP/1.1\r\nHost: bulk\r\n\r\n")
        var head: [UInt8] = []
        var body: [UInt8] = []
        while true {
            let chunk = try client.receive(maximum: 4096)
            #expect(!chunk.isEmpty)
            if chunk.isEmpty { return }
            head += chunk
            if let end = head.firstRange(of: [13, 10, 13, 10]) {
                body = Array(head[end.upperBound...])
                head = Array(head[..<end.upperBound])
                break
            }
        }
        #expect(String(decoding: head, as: UTF8.self).contains("Content-Length: \(Self.total)"))
        var received = body.count
        var mismatch = !body.withUnsafeBytes { BytePattern.matches($0, offset: 0) }
        var peak = baseline
        var reads = 0
        while received < Self.total {
            let chunk = try client.receive(maximum: 256 * 1024)
            if chunk.isEmpty { break }
            if !chunk.withUnsafeBytes({ BytePattern.matches($0, offset: received) }) { mismatch = true }
            received += chunk.count
            reads += 1
            if reads % 8 == 0 { usleep(1000) }
            if reads % 64 == 0, let now = MemoryBoundTests.residentBytes(pid: usher.pid) { peak = max(peak, now) }
        }
        #expect(received == Self.total)
        #expect(!mismatch, "the gigabyte arrived byte for byte")
        let growth = peak - baseline
        #expect(SanitizedRun.residentGrowthIsWithin(growth, MemoryBoundTests.growthBound), "usher grew by \(growth / 1024) KiB")
        print("HTTP download: baseline \(baseline / 1024) KiB, peak \(peak / 1024) KiB, growth \(growth / 1024) KiB over \(Self.total >> 20) MiB")
    }

    @Test func oneGigabyteUpload() throws {
        let origin = try BulkHTTPOrigin(group: testGroup)
        defer { origin.stop() }
        let (usher, port, _) = try startUsher(origin: origin)
        defer { usher.stop() }
        let baseline = try #require(MemoryBoundTests.residentBytes(pid: usher.pid))
        let client = try RawClient(port: port, timeout: 30)
        try client.send("POST /upload HTTP/1.1\r\nHost: bulk\r\nContent-Length: \(Self.total)\r\n\r\n")
        var sent = 0
        var peak = baseline
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while sent < Self.total {
            let size = min(chunk.count, Self.total - sent)
            chunk.withUnsafeMutableBytes { BytePattern.fill(UnsafeMutableRawBufferPointer(rebasing: $0[0..<size]), offset: sent) }
            try client.send(Array(chunk[0..<size]))
            sent += size
            if (sent >> 20) % 16 == 0, let now = MemoryBoundTests.residentBytes(pid: usher.pid) { peak = max(peak, now) }
        }
        var answer: [UInt8] = []
        while !String(decoding: answer, as: UTF8.self).contains(" ok") && !String(decoding: answer, as: UTF8.self).contains("mismatch") {
            let more = try client.receive()
            if more.isEmpty { break }
            answer += more
        }
        let text = String(decoding: answer, as: UTF8.self)
        #expect(text.hasSuffix("received \(Self.total) ok"), "\(text)")
        let growth = peak - baseline
        #expect(SanitizedRun.residentGrowthIsWithin(growth, MemoryBoundTests.growthBound), "usher grew by \(growth / 1024) KiB")
        print("HTTP upload: baseline \(baseline / 1024) KiB, peak \(peak / 1024) KiB, growth \(growth / 1024) KiB over \(Self.total >> 20) MiB")
    }
}
