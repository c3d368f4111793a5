import Foundation
import NIOConcurrencyHelpers
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The 101 tunnel as TCP mode's: backpressure in both directions (a peer that stops reading stops
/// usher reading the other side, so usher's memory stays flat — measured on a separate usher
/// process), a half-close passed each way (compared with HAProxy 2.6), and a closing connection
/// whose client never reads ended by `timeout client`.
@Suite(.serialized)
final class WebSocketTunnelTests {
    /// What goes through the tunnel in the memory tests.
    static let total = 200 << 20
    /// usher's resident size may grow by at most this much while it passes.
    static let growthBound = 16 << 20

    static let upgradeRequest =
        "GET /chat HTTP/1.1\r\nHost: ws.example.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        + "Sec-WebSocket-Key: \(UpgradeOrigin.exampleKey)\r\nSec-WebSocket-Version: 13\r\n\r\n"
    static let switchResponse =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: \(UpgradeOrigin.exampleAccept)\r\n\r\n"

    /// The origin's side of the handshake: reads the upgrade request, answers 101.
    static func acceptUpgrade(_ connection: RawClient) throws {
        let (head, rest) = try connection.receiveHead()
        guard head.hasPrefix("GET /chat "), rest.isEmpty else { throw RawClient.Failure(description: "unexpected request: \(head)") }
        try connection.send(switchResponse)
    }

    /// The client's side: sends the upgrade request, expects the 101.
    static func upgrade(_ client: RawClient) throws -> [UInt8] {
        try client.send(upgradeRequest)
        let (head, rest) = try client.receiveHead()
        guard head.hasPrefix("HTTP/1.1 101") else { throw RawClient.Failure(description: "no 101: \(head)") }
        return rest
    }

    /// A proxy (usher or HAProxy 2.6) in `mode http` in front of `origin`.
    final class Proxy {
        let kind: ProxyKind
        let port = freePort()
        let directory: ScratchDirectory
        var usher: UsherProcess?
        var haproxy: Process?

        init(_ kind: ProxyKind, origin: String, timeouts: [String] = [], frontend: [String] = []) throws {
            self.kind = kind
            directory = try ScratchDirectory()
            let lines = ["global", "    maxconn 100", "defaults", "    mode http", "    timeout connect 2s"]
                + (timeouts.isEmpty ? ["    timeout client 30s", "    timeout server 30s", "    timeout tunnel 30s"] : timeouts.map { "    " + $0 })
                + ["frontend fe", "    bind 127.0.0.1:\(port)"] + frontend.map { "    " + $0 } + ["    default_backend be"]
                + ["backend be", "    server s1 \(origin)"]
            let file = try directory.write("proxy.cfg", lines.joined(separator: "\n") + "\n")
            switch kind {
            case .usher: usher = try UsherProcess(["-db", "-f", file])
            case .haproxy: haproxy = try ExternalProcess.start(["haproxy", "-db", "-f", file], logFile: directory.path + "/haproxy.log")
            }
            guard waitUntilListening(port) else {
                throw RawClient.Failure(description: "\(kind) did not start: \(usher?.error ?? "")")
            }
        }

        var pid: Int32 { usher?.pid ?? haproxy?.processIdentifier ?? 0 }

        func stop() {
            usher?.stop()
            if let haproxy, haproxy.isRunning {
                haproxy.terminate()
                haproxy.waitUntilExit()
            }
        }

        deinit { stop() }
    }

    // MARK: - Backpressure

    /// A WebSocket server pushes 200 MiB as fast as it can; the client reads nothing for three
    /// seconds, then reads slowly. usher stops reading the server while the client's socket is full.
    @Test func fastServerToASlowClientKeepsUshersMemoryBounded() throws {
        let origin = try ScriptedOrigin { connection in
            try Self.acceptUpgrade(connection)
            try connection.sendPattern(count: Self.total)
            connection.shutdownWrite()
        }
        defer { origin.stop() }
        let proxy = try Proxy(.usher, origin: origin.address)
        defer { proxy.stop() }
        let baseline = try #require(MemoryBoundTests.residentBytes(pid: proxy.pid))
        let client = try RawClient(port: proxy.port, timeout: 30)
        var received = 0
        var mismatch = false
        let early = try Self.upgrade(client)
        if !early.withUnsafeBytes({ BytePattern.matches($0, offset: 0) }) { mismatch = true }
        received += early.count
        var peak = baseline
        // Not reading at all: the server must be stopped, not buffered.
        for _ in 0..<30 {
            usleep(100_000)
            if let now = MemoryBoundTests.residentBytes(pid: proxy.pid) { peak = max(peak, now) }
        }
        let stalledGrowth = peak - baseline
        var reads = 0
        while received < Self.total {
            let chunk = try client.receive(maximum: 256 * 1024)
            if chunk.isEmpty { break }
            if !chunk.withUnsafeBytes({ BytePattern.matches($0, offset: received) }) { mismatch = true }
            received += chunk.count
            reads += 1
            usleep(1000)
            if reads % 32 == 0, let now = MemoryBoundTests.residentBytes(pid: proxy.pid) { peak = max(peak, now) }
        }
        #expect(received == Self.total)
        #expect(!mismatch, "every byte the client read is the server's, in order")
        #expect(try client.receive().isEmpty, "the server's FIN reaches the client after the last byte")
        let growth = peak - baseline
        #expect(SanitizedRun.residentGrowthIsWithin(growth, Self.growthBound), "usher grew by \(growth / 1024) KiB (baseline \(baseline / 1024) KiB, peak \(peak / 1024) KiB)")
        print("101 tunnel, server → slow client: baseline \(baseline / 1024) KiB, growth while the client read nothing for 3 s \(stalledGrowth / 1024) KiB, peak growth \(growth / 1024) KiB over \(received >> 20) MiB (\(reads) reads)")
        #expect(origin.errors.isEmpty, "\(origin.errors)")
    }

    /// The other direction: the client pushes 200 MiB; the server reads nothing for three seconds,
    /// then reads slowly and checks every byte.
    @Test func fastClientToASlowServerKeepsUshersMemoryBounded() throws {
        let result = NIOLockedValueBox<(received: Int, mismatch: Bool, done: Bool)>((0, false, false))
        let origin = try ScriptedOrigin { connection in
            try Self.acceptUpgrade(connection)
            usleep(3_000_000)
            var received = 0
            var mismatch = false
            while true {
                let chunk = try connection.receive(maximum: 256 * 1024)
                if chunk.isEmpty { break }
                if !chunk.withUnsafeBytes({ BytePattern.matches($0, offset: received) }) { mismatch = true }
                received += chunk.count
                usleep(1000)
                result.withLockedValue { $0.received = received }
            }
            result.withLockedValue { $0 = (received, mismatch, true) }
        }
        defer { origin.stop() }
        let proxy = try Proxy(.usher, origin: origin.address)
        defer { proxy.stop() }
        let baseline = try #require(MemoryBoundTests.residentBytes(pid: proxy.pid))
        let client = try RawClient(port: proxy.port, timeout: 60)
        #expect(try Self.upgrade(client).isEmpty)
        let sender = NIOLockedValueBox<String?>(nil)
        let sent = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do {
                try client.sendPattern(count: Self.total)
                client.shutdownWrite()
            } catch {
                sender.withLockedValue { $0 = "\(error)" }
            }
            sent.signal()
        }
        var peak = baseline
        let deadline = Date().addingTimeInterval(120)
        while !result.withLockedValue({ $0.done }) && Date() < deadline {
            usleep(50_000)
            if let now = MemoryBoundTests.residentBytes(pid: proxy.pid) { peak = max(peak, now) }
        }
        _ = sent.wait(timeout: .now() + 10)
        let (received, mismatch, done) = result.withLockedValue { $0 }
        #expect(sender.withLockedValue { $0 } == nil)
        #expect(done && received == Self.total, "the server read \(received) bytes")
        #expect(!mismatch, "every byte the server read is the client's, in order")
        let growth = peak - baseline
        #expect(SanitizedRun.residentGrowthIsWithin(growth, Self.growthBound), "usher grew by \(growth / 1024) KiB (baseline \(baseline / 1024) KiB, peak \(peak / 1024) KiB)")
        print("101 tunnel, client → slow server: baseline \(baseline / 1024) KiB, peak growth \(growth / 1024) KiB over \(received >> 20) MiB")
        #expect(origin.errors.isEmpty, "\(origin.errors)")
    }

    // MARK: - Half-close

    static var kinds: [ProxyKind] { ExternalProcess.required("haproxy") ? [.haproxy, .usher] : [.usher] }

    /// The server says its last word and half-closes: the client gets the bytes and the FIN, and
    /// may still send; the server gets what it sends, then the client's FIN — as TCP mode does, and
    /// as issue 11 asks. HAProxy 2.6 differs here (observed, and checked so a change shows): in an
    /// HTTP tunnel it closes the server connection at the server's FIN, so the server gets nothing
    /// more and the client's later bytes meet a reset (docs/differences-from-haproxy.md).
    @Test(arguments: kinds)
    func serversHalfCloseIsPassedToTheClient(_ kind: ProxyKind) throws {
        let serverSaw = NIOLockedValueBox<[UInt8]?>(nil)
        let origin = try ScriptedOrigin(timeout: 10) { connection in
            try Self.acceptUpgrade(connection)
            try connection.send("last word from the server")
            connection.shutdownWrite()
            serverSaw.withLockedValue { $0 = (try? connection.receiveAll()) ?? Array("<reset>".utf8) }
        }
        defer { origin.stop() }
        let proxy = try Proxy(kind, origin: origin.address, timeouts: ["timeout client 10s", "timeout server 10s", "timeout tunnel 10s"])
        defer { proxy.stop() }
        let client = try RawClient(port: proxy.port, timeout: 5)
        var got = try Self.upgrade(client)
        got += try client.receiveAll()
        #expect(String(decoding: got, as: UTF8.self) == "last word from the server", "\(kind): the bytes, then the FIN")
        // The other direction is still open.
        usleep(200_000)
        try client.send("the client goes on after the server's FIN")
        client.shutdownWrite()
        let deadline = Date().addingTimeInterval(5)
        while serverSaw.withLockedValue({ $0 }) == nil && Date() < deadline { usleep(20_000) }
        let saw = serverSaw.withLockedValue { $0 }.map { String(decoding: $0, as: UTF8.self) }
        switch kind {
        case .usher:
            #expect(saw == "the client goes on after the server's FIN", "\(kind): the server got \(saw ?? "nothing")")
        case .haproxy:
            #expect(saw == "", "HAProxy 2.6 closes the server side at its FIN; the server got \(saw ?? "nothing")")
        }
    }

    /// The client sends and half-closes: the server gets the bytes and the FIN, and answers after
    /// it; the client gets the answer, then the end of the stream.
    @Test(arguments: kinds)
    func clientsHalfCloseIsPassedToTheServer(_ kind: ProxyKind) throws {
        let serverSaw = NIOLockedValueBox<[UInt8]?>(nil)
        let origin = try ScriptedOrigin(timeout: 10) { connection in
            try Self.acceptUpgrade(connection)
            let bytes = (try? connection.receiveAll()) ?? Array("<reset>".utf8)
            serverSaw.withLockedValue { $0 = bytes }
            usleep(200_000)
            try connection.send("answer after the client's FIN: \(bytes.count) bytes")
            connection.shutdownWrite()
            _ = try? connection.receiveAll()
        }
        defer { origin.stop() }
        let proxy = try Proxy(kind, origin: origin.address, timeouts: ["timeout client 10s", "timeout server 10s", "timeout tunnel 10s"])
        defer { proxy.stop() }
        let client = try RawClient(port: proxy.port, timeout: 5)
        #expect(try Self.upgrade(client).isEmpty)
        try client.send("last word from the client")
        client.shutdownWrite()
        let answer = String(decoding: try client.receiveAll(), as: UTF8.self)
        #expect(answer == "answer after the client's FIN: 25 bytes", "\(kind): the client got \(answer)")
        let saw = serverSaw.withLockedValue { $0 }.map { String(decoding: $0, as: UTF8.self) }
        #expect(saw == "last word from the client", "\(kind)")
    }

    /// After the server's FIN, a client that neither sends nor closes is ended by
    /// `timeout client-fin`, as in TCP mode.
    @Test func clientFinTimeoutEndsATunnelHalfClosedByTheServer() throws {
        let origin = try ScriptedOrigin(timeout: 10) { connection in
            try Self.acceptUpgrade(connection)
            connection.shutdownWrite()
            _ = try? connection.receiveAll()
        }
        defer { origin.stop() }
        let proxy = try Proxy(
            .usher, origin: origin.address,
            timeouts: ["timeout client 30s", "timeout server 30s", "timeout tunnel 30s", "timeout client-fin 1s"])
        defer { proxy.stop() }
        let client = try RawClient(port: proxy.port, timeout: 10)
        #expect(try Self.upgrade(client).isEmpty)
        #expect(try client.receive().isEmpty, "the server's FIN")
        let start = Date()
        // usher ends the tunnel by closing both connections: the server's ends its script.
        let deadline = Date().addingTimeInterval(8)
        while origin.finishedCount < 1 && Date() < deadline { usleep(20_000) }
        let elapsed = Date().timeIntervalSince(start)
        #expect(origin.finishedCount == 1, "the tunnel was still open after 8 s")
        #expect(elapsed > 0.5 && elapsed < 5, "closed after \(elapsed) s, expected about 1 s")
        // And the client's: what it sends now meets a reset.
        usleep(100_000)
        let refused = (try? client.send("late")).flatMap { _ in usleep(100_000); return try? client.send("late") } == nil
        #expect(refused, "the client's connection is closed")
    }

    // MARK: - Closing

    /// Enough pipelined answers (about 1 KiB each) to overflow the kernel's buffers toward a
    /// client with a 4 KiB receive buffer (usher's send buffer grows to a few MiB on loopback).
    static let pipelined = 12_000

    /// Reads in large chunks until the end of the stream or a reset (true), or `seconds` pass.
    static func drainsToTheEnd(_ client: RawClient, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var descriptor = pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 200) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            let count = buffer.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) }
            if count == 0 || (count < 0 && errno == ECONNRESET) { return true }
        }
        return false
    }

    /// A client pipelines keep-alive requests and a last one with `Connection: close`, and never
    /// reads. The answers are usher's own (`http-request return`, about 1 KiB each), so every
    /// request is answered at once and usher ends in its closing phase with answers unsent (more
    /// than the kernel's buffers toward a 4 KiB receive window hold). `timeout client` closes the
    /// connection, and the frontend's `maxconn 1` slot comes back for the next client.
    @Test func closingConnectionWhoseClientNeverReadsEndsAtTimeoutClient() throws {
        let body = String(repeating: "x", count: 1000)
        let proxy = try Proxy(
            .usher, origin: "127.0.0.1:\(freePort())",
            timeouts: ["timeout client 2s", "timeout server 10s", "timeout http-request 10s", "timeout http-keep-alive 10s"],
            frontend: ["maxconn 1", "http-request return status 200 content-type text/plain string \(body)"])
        defer { proxy.stop() }
        usleep(300_000)  // the start-up probe's connection gone

        // A small receive window, so the answers cannot all sit in the kernel's buffers.
        let stuck = try RawClient(port: proxy.port, timeout: 10, receiveBuffer: 4096)
        let requests = String(repeating: "GET /a HTTP/1.1\r\nHost: a\r\n\r\n", count: Self.pipelined) + "GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        let sender = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? stuck.send(requests)
            sender.signal()
        }
        // The next client waits for the slot.
        let start = Date()
        let next = try RawClient(port: proxy.port, timeout: 15)
        try next.send("GET /next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let (head, _) = try next.receiveHead()
        let waited = Date().timeIntervalSince(start)
        #expect(head.hasPrefix("HTTP/1.1 200"), "the next client is served: \(head)")
        #expect(waited > 2 && waited < 15, "the slot came back after \(waited) s (timeout client 2s)")
        #expect(Self.drainsToTheEnd(stuck, seconds: 5), "the client that never read was closed")
        _ = sender.wait(timeout: .now() + 5)
        print("closing phase, client never reads: slot back after \(String(format: "%.2f", waited)) s with timeout client 2s")
    }
}
