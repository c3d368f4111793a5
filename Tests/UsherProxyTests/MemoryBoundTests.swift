import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Backpressure, measured: a server pushes 1 GB to a client that reads slowly; usher (a separate
/// process, so its memory can be read from /proc) must hold only what fits in its socket buffers,
/// not the difference between the two speeds.
@Suite(.serialized)
final class MemoryBoundTests {
    /// usher's resident size may grow by at most this much while the gigabyte passes through.
    static let growthBound = 32 * 1024 * 1024

    static func residentBytes(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
            return kilobytes.map { $0 * 1024 }
        }
        return nil
    }

    @Test func oneGigabyteToASlowReaderKeepsUshersMemoryBounded() throws {
        let total = 1 << 30
        let backend = try TCPBackend(name: "bulk", behaviour: .bulkReply(replyBytes: total), group: testGroup)
        defer { backend.stop() }
        let port = freePort()
        let directory = try ScratchDirectory()
        let configuration = try directory.write("usher.cfg", """
            defaults
                mode tcp
                timeout connect 2s
                timeout client 60s
                timeout server 60s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend app
            backend app
                server s1 127.0.0.1:\(backend.port)
            """)
        let usher = try UsherProcess(["-db", "-f", configuration])
        defer { usher.stop() }
        #expect(waitUntilListening(port), "usher did not start: \(usher.error)")
        let pid = usher.pid
        let baseline = try #require(Self.residentBytes(pid: pid))

        let client = try RawClient(port: port, timeout: 30)
        try client.send("go")
        client.shutdownWrite()
        var received = 0
        var peak = baseline
        var mismatch = false
        var reads = 0
        while true {
            let chunk = try client.receive(maximum: 256 * 1024)
            if chunk.isEmpty { break }
            if !chunk.withUnsafeBytes({ BytePattern.matches($0, offset: received) }) { mismatch = true }
            received += chunk.count
            reads += 1
            // The slow reader: a pause after every read, so the server outpaces it many times over.
            usleep(1500)
            if reads % 64 == 0, let now = Self.residentBytes(pid: pid) { peak = max(peak, now) }
        }
        #expect(received == total)
        #expect(!mismatch, "the gigabyte arrived byte for byte")
        let growth = peak - baseline
        #expect(SanitizedRun.residentGrowthIsWithin(growth, Self.growthBound), "usher grew by \(growth / 1024) KiB (baseline \(baseline / 1024) KiB, peak \(peak / 1024) KiB)")
        print("memory: baseline \(baseline / 1024) KiB, peak \(peak / 1024) KiB, growth \(growth / 1024) KiB over \(total >> 20) MiB to a slow reader")
    }
}
