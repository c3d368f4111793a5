import Foundation
import NIOCore
import Testing
import UsherTestSupport

/// `tcp-request` rules and listeners end to end: a content rule that rejects by SNI, a connection
/// rule that rejects by source address, and a listener on IPv6.
@Suite(.serialized)
final class RulesEndToEndTests {
    let backend: TCPBackend

    init() throws {
        backend = try TCPBackend(name: "app", behaviour: .announce, group: testGroup)
    }

    deinit {
        backend.stop()
    }

    func configuration(_ rules: String, bind: String = "127.0.0.1:0") -> String {
        """
        defaults
            mode tcp
            timeout connect 1s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind \(bind)
            tcp-request inspect-delay 2s
        \(rules)
            default_backend app
        backend app
            server s1 127.0.0.1:\(backend.port)
        """
    }

    static func hello(_ name: String) -> [UInt8] {
        var builder = ClientHelloBuilder()
        builder.serverNames = [name]
        return builder.bytes()
    }

    @Test func contentRuleRejectsAServerName() throws {
        let usher = try UsherUnderTest(configuration("""
                tcp-request content reject if { req_ssl_sni -i -m end .blocked.example }
                tcp-request content accept if { req_ssl_hello_type 1 }
            """))
        defer { usher.stop() }
        let refused = try RawClient(port: usher.port("fe"))
        try refused.send(Self.hello("www.BLOCKED.example"))
        #expect(refused.isClosedByPeer(within: 2))
        let allowed = try RawClient(port: usher.port("fe"))
        try allowed.send(Self.hello("www.allowed.example"))
        #expect(try allowed.receiveLine() == "app")
        #expect(backend.receivedPerConnection.filter { !$0.isEmpty }.count == 1, "nothing of the rejected connection reached the server")
    }

    @Test func connectionRuleRejectsBySourceBeforeAnyByte() throws {
        let usher = try UsherUnderTest(configuration("""
                tcp-request connection reject if { src 127.0.0.0/8 }
            """))
        defer { usher.stop() }
        let client = try RawClient(port: usher.port("fe"))
        #expect(client.isClosedByPeer(within: 1))
        #expect(backend.connectionCount == 0)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/net/if_inet6")))
    func listensOnIPv6() throws {
        let usher = try UsherUnderTest(configuration("", bind: "[::1]:0"))
        defer { usher.stop() }
        let address = try #require(usher.server.boundAddresses(frontend: "fe").first)
        #expect(address.protocol == .inet6)
        let port = try #require(address.port)
        // nc speaks for the client over IPv6.
        let result = try ExternalProcess.run(["nc", "-6", "-N", "-w", "2", "::1", "\(port)"], input: "hello\n")
        #expect(result.output.contains("app"), "\(result.output) \(result.error)")
    }
}
