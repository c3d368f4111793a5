import Foundation
import NIOConcurrencyHelpers
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Bulk both ways at once, through `mode tcp` and through a 101 (WebSocket) tunnel: each side
/// sends while it reads, every byte checked, usher's memory bounded throughout and back after.
/// A gigabyte each way: a few seconds each, so the suite runs the full size. (HTTP bodies of 1 GiB each way
/// are `HTTPBulkTransferTests`'; one direction at a time through the 101 tunnel with a stalled
/// reader is `WebSocketTunnelTests`'; a gigabyte to a slow TCP reader is `MemoryBoundTests`'.)
@Suite(.serialized)
final class BulkBothWaysFaultTests {
    static let total = 1 << 30
    /// usher's resident size may grow by at most this much while the bytes pass.
    static let growthBound = 32 << 20

    /// What one side read of the other's stream.
    struct Received: Sendable, CustomStringConvertible {
        var count = 0
        var intact = true
        var ending: StreamEnding?
        var sendError: String?

        var description: String { "\(count) bytes\(intact ? "" : " (altered)"), then \(ending?.rawValue ?? "-")\(sendError.map { ", send: \($0)" } ?? "")" }
    }

    /// Sends `total` bytes of the pattern on a thread of its own while reading `total` from the
    /// peer; then half-closes and reads to the end. `early`: bytes already read after a handshake.
    static func exchange(_ connection: RawClient, early: [UInt8] = []) -> Received {
        let sendError = NIOLockedValueBox<String?>(nil)
        let sent = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do {
                try connection.sendPattern(count: total)
                connection.shutdownWrite()
            } catch {
                sendError.withLockedValue { $0 = "\(error)" }
            }
            sent.signal()
        }
        var received = Received(count: early.count, intact: early.withUnsafeBytes { BytePattern.matches($0, offset: 0) })
        while true {
            let (chunk, ending) = connection.receiveOrEnding(maximum: 1 << 18)
            if let ending {
                received.ending = ending
                break
            }
            if !chunk.withUnsafeBytes({ BytePattern.matches($0, offset: received.count) }) { received.intact = false }
            received.count += chunk.count
        }
        sent.wait()
        received.sendError = sendError.withLockedValue { $0 }
        return received
    }

    func run(_ mode: String, configuration: (Int, String) -> String, serverSide: @escaping @Sendable (RawClient) throws -> [UInt8], clientSide: (RawClient) throws -> [UInt8]) throws {
        let serverSaw = NIOLockedValueBox<Received?>(nil)
        let origin = try ScriptedOrigin(timeout: 120) { connection in
            let early = try serverSide(connection)
            serverSaw.withLockedValue { $0 = Self.exchange(connection, early: early) }
        }
        defer { origin.stop() }
        let port = freePort()
        let proxy = try FaultProxy(configuration: configuration(port, origin.address), listening: [port])
        defer { proxy.stop() }
        var clientSaw = Received()
        let figures = try proxy.measure("\(mode), \(Self.total >> 20) MiB each way at once", bound: .few) {
        } during: {
            let client = try RawClient(port: port, timeout: 120)
            clientSaw = Self.exchange(client, early: try clientSide(client))
            #expect(CommandLineTests.waitUntil(timeout: 30) { serverSaw.withLockedValue { $0 } != nil })
        }
        let server = serverSaw.withLockedValue { $0 }
        #expect(clientSaw.count == Self.total && clientSaw.intact && clientSaw.ending == .closed && clientSaw.sendError == nil, "the client read \(clientSaw)")
        #expect(server?.count == Self.total && server?.intact == true && server?.ending == .closed && server?.sendError == nil, "the server read \(server.map(\.description) ?? "nothing")")
        #expect(SanitizedRun.residentGrowthIsWithin(figures.peak.residentBytes - figures.baseline.residentBytes, Self.growthBound), "\(figures)")
        #expect(origin.errors.isEmpty, "\(origin.errors)")
    }

    @Test func tcpModeBothWaysAtOnce() throws {
        try run("mode tcp", configuration: { port, origin in
            FaultConfiguration.tcp(port: port, goodPort: freePort(), faulty: origin, good: origin)
        }, serverSide: { _ in [] }, clientSide: { _ in [] })
    }

    @Test func webSocketTunnelBothWaysAtOnce() throws {
        try run("101 tunnel", configuration: { port, origin in
            FaultConfiguration.http(
                port: port, faulty: origin, good: origin,
                timeouts: ["timeout connect 2s", "timeout client 30s", "timeout server 30s", "timeout tunnel 60s"])
        }, serverSide: { connection in
            try WebSocketTunnelTests.acceptUpgrade(connection)
            return []
        }, clientSide: { client in
            try WebSocketTunnelTests.upgrade(client)
        })
    }
}
