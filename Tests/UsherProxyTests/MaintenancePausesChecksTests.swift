import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// `disable server` (maintenance) stops the server's health checks until `enable server`, as
/// HAProxy's management guide says: "no more checks will be performed on the server until it
/// leaves maintenance".
@Suite(.serialized)
struct MaintenancePausesChecksTests {
    /// A TCP server that counts the connections it accepts and closes them.
    final class CountingServer: Sendable {
        let channel: Channel
        let accepted = NIOLockedValueBox(0)

        init() throws {
            let accepted = self.accepted
            channel = try ServerBootstrap(group: testGroup)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    accepted.withLockedValue { $0 += 1 }
                    return channel.close()
                }
                .bind(host: "127.0.0.1", port: 0).wait()
        }

        var port: Int { channel.localAddress!.port! }
        var count: Int { accepted.withLockedValue { $0 } }
        func stop() { try? channel.close().wait() }
    }

    @Test func noChecksWhileInMaintenance() throws {
        let server = try CountingServer()
        defer { server.stop() }
        let directory = try ScratchDirectory()
        let socket = directory.path + "/api.sock"
        let usher = try UsherUnderTest("""
            global
                stats socket \(socket) level admin
            defaults
                mode tcp
                timeout connect 1s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:0
                default_backend be
            backend be
                server s1 127.0.0.1:\(server.port) check inter 50ms
            """)
        defer { usher.stop() }
        #expect(CommandLineTests.waitUntil(timeout: 5) { server.count >= 2 }, "the checks run")
        _ = try RuntimeAPIClient.ask(socket, "disable server be/s1")
        Thread.sleep(forTimeInterval: 0.1)  // a check under way may finish
        let paused = server.count
        Thread.sleep(forTimeInterval: 0.5)
        #expect(server.count == paused, "checks went on in maintenance: \(server.count - paused) more")
        _ = try RuntimeAPIClient.ask(socket, "enable server be/s1")
        #expect(CommandLineTests.waitUntil(timeout: 5) { server.count >= paused + 2 }, "the checks resume")
    }
}
