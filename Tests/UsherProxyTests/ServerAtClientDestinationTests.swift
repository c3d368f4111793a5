import Foundation
import NIOCore
import NIOPosix
import Testing

/// `server NAME 0.0.0.0:PORT`: HAProxy 2.6 connects to the address the client connected to (on
/// PORT). Checked with HAProxy and usher on the same configuration: a frontend on 127.0.0.2, and a
/// service on PORT at both 127.0.0.1 and 127.0.0.2 — the one on 127.0.0.2 must answer.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct ServerAtClientDestinationTests {
    /// Answers the address it listens on, then closes.
    final class AnnounceHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let text: String
        init(_ text: String) { self.text = text }

        func channelActive(context: ChannelHandlerContext) {
            let buffer = context.channel.allocator.buffer(string: text + "\n")
            context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in context.close(promise: nil) }
        }
    }

    static func service(host: String, port: Int) throws -> Channel {
        try ServerBootstrap(group: testGroup)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(AnnounceHandler(host)) }
            }
            .bind(host: host, port: port).wait()
    }

    static func configuration(frontendPort: Int, serverPort: Int) -> String {
        """
        defaults
            mode tcp
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.2:\(frontendPort)
            default_backend be
        backend be
            server s 0.0.0.0:\(serverPort)

        """
    }

    static func answer(port: Int) throws -> String {
        var lastError: Error?
        for _ in 0..<50 {
            do {
                let client = try RawClient(port: port, host: "127.0.0.2", timeout: 5)
                return String(decoding: try client.receiveAll(), as: UTF8.self)
            } catch {
                lastError = error
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        throw lastError!
    }

    @Test func connectsToTheClientsDestination() throws {
        try #require(DifferentialSettings.haproxyAvailable, "HAProxy 2.6 (/usr/sbin/haproxy) is required (CI=true)")
        let serverPort = freePort()
        let wanted = try Self.service(host: "127.0.0.2", port: serverPort)
        let other = try Self.service(host: "127.0.0.1", port: serverPort)
        defer {
            try? wanted.close().wait()
            try? other.close().wait()
        }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("usher-zero-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let haproxyPort = freePort()
        let file = directory.appendingPathComponent("haproxy.cfg").path
        try Self.configuration(frontendPort: haproxyPort, serverPort: serverPort).write(toFile: file, atomically: true, encoding: .utf8)
        let haproxy = try ExternalProcess.start(["haproxy", "-db", "-f", file], logFile: directory.appendingPathComponent("haproxy.log").path)
        defer { haproxy.terminate(); haproxy.waitUntilExit() }
        #expect(try Self.answer(port: haproxyPort) == "127.0.0.2\n")

        let usher = try UsherUnderTest(Self.configuration(frontendPort: freePort(), serverPort: serverPort))
        defer { usher.stop() }
        #expect(try Self.answer(port: usher.port("fe")) == "127.0.0.2\n")
    }
}
