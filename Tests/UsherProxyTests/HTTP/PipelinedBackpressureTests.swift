import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Pipelined requests from a client that does not read its answers (issue 11, "every buffer
/// bounded"): usher stops taking requests while the client's socket is full, as HAProxy stops at a
/// full buffer, instead of answering them all into memory; every answer still arrives once the
/// client reads, and a client that never reads is closed at `timeout client`.
@Suite(.serialized) struct PipelinedBackpressureTests {
    static let requests = 20_000
    static let body = String(repeating: "x", count: 1000)

    func start(timeoutClient: String) throws -> WebSocketTunnelTests.Proxy {
        try WebSocketTunnelTests.Proxy(
            .usher, origin: "127.0.0.1:\(freePort())",
            timeouts: ["timeout client \(timeoutClient)", "timeout server 10s", "timeout http-request 10s", "timeout http-keep-alive 10s"],
            frontend: ["http-request return status 200 content-type text/plain string \(Self.body)"]
        )
    }

    @Test func answersWaitForTheClientInsteadOfPilingUp() throws {
        let proxy = try start(timeoutClient: "30s")
        defer { proxy.stop() }
        usleep(300_000)
        let baseline = try #require(MemoryBoundTests.residentBytes(pid: proxy.pid))
        // A small receive window, so the answers cannot all sit in the kernel's buffers.
        let client = try RawClient(port: proxy.port, timeout: 30, receiveBuffer: 4096)
        let requests = String(repeating: "GET /a HTTP/1.1\r\nHost: a\r\n\r\n", count: Self.requests)
        let sent = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? client.send(requests)
            sent.signal()
        }
        // The client reads nothing for three seconds: 20,000 answers would be 21 MB.
        Thread.sleep(forTimeInterval: 3)
        let held = try #require(MemoryBoundTests.residentBytes(pid: proxy.pid))
        let growth = held - baseline
        #expect(SanitizedRun.residentGrowthIsWithin(growth, 8 * 1024 * 1024), "usher grew by \(growth / 1024) KiB while the client did not read")
        // Then it reads: every answer arrives, in order, whole.
        var answers = 0
        var carry: [UInt8] = []
        let marker = Array("HTTP/1.1 200".utf8)
        while answers < Self.requests {
            let chunk = try client.receive()
            guard !chunk.isEmpty else { break }
            carry += chunk
            var index = 0
            while index + marker.count <= carry.count {
                if carry[index] == marker[0], Array(carry[index..<index + marker.count]) == marker {
                    answers += 1
                    index += marker.count
                } else {
                    index += 1
                }
            }
            carry = Array(carry[max(0, carry.count - marker.count + 1)...])
        }
        #expect(answers == Self.requests)
        #expect(sent.wait(timeout: .now() + 10) == .success)
        print("pipelined, client not reading for 3 s: usher grew by \(growth / 1024) KiB; \(answers) answers read afterwards")
    }

    @Test func aClientThatNeverReadsIsClosedAtTimeoutClient() throws {
        let proxy = try start(timeoutClient: "2s")
        defer { proxy.stop() }
        usleep(300_000)
        let client = try RawClient(port: proxy.port, timeout: 20, receiveBuffer: 4096)
        let requests = String(repeating: "GET /a HTTP/1.1\r\nHost: a\r\n\r\n", count: Self.requests)
        Thread.detachNewThread { try? client.send(requests) }
        let start = Date()
        // Nothing is read: usher gives up on the client after `timeout client` of no progress.
        #expect(Self.peerCloses(client.fd, within: 15))
        let waited = Date().timeIntervalSince(start)
        #expect(waited > 2 && waited < 15, "closed after \(waited) s")
    }

    /// Whether the peer closes (or resets) the connection within `seconds`, without reading from it.
    static func peerCloses(_ fd: Int32, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        let closed = Int16(0x2000) | Int16(POLLHUP) | Int16(POLLERR)  // POLLRDHUP, POLLHUP, POLLERR
        while Date() < deadline {
            var entry = pollfd(fd: fd, events: closed, revents: 0)
            if poll(&entry, 1, 100) > 0, entry.revents & closed != 0 { return true }
        }
        return false
    }
}
