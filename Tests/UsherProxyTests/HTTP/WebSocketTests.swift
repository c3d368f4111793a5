import NIOCore
import Testing
import UsherDemo

/// A real WebSocket exchange (NIOWebSocket on both ends) through usher's HTTP mode: the seed's
/// port 80 path (`option httpclose`, `http-server-close` in defaults) and a Host-routed backend.
@Suite(.serialized)
struct WebSocketTests {
    @Test func throughTheSeedsPlainHTTPPath() throws {
        let web = try StandInService.start(name: "web", port: 0, webSocketEcho: true, group: testGroup)
        defer { web.stop() }
        let usher = try UsherUnderTest(SeedFixture.configuration(.init(webServer: web.port, webServerTLS: 1, pumpIO: 1)))
        defer { usher.stop() }
        try exchangeMessages(port: usher.port("http-in"), host: "example.org")
    }

    @Test func throughAHostRoutedBackend() throws {
        let web = try StandInService.start(name: "web", port: 0, group: testGroup)
        let pump = try StandInService.start(name: "pump", port: 0, webSocketEcho: true, group: testGroup)
        defer {
            web.stop()
            pump.stop()
        }
        let usher = try UsherUnderTest("""
            defaults
                mode http
                timeout connect 5s
                timeout client 30s
                timeout server 30s
                timeout tunnel 1h
            frontend fe
                bind 127.0.0.1:0
                acl is_pump hdr(host) -i pump.example.org
                use_backend pump if is_pump
                default_backend web
            backend web
                server web 127.0.0.1:\(web.port)
            backend pump
                server pump 127.0.0.1:\(pump.port)
            """)
        defer { usher.stop() }
        try exchangeMessages(port: usher.port("fe"), host: "PUMP.example.org")
        // The same frontend sends other hosts' upgrades to the web server, which refuses them: the
        // connection stays HTTP.
        let refused = try WebSocketTestClient(port: usher.port("fe"), host: "www.example.org", group: testGroup)
        defer { refused.close() }
        #expect(throws: (any Error).self) { try refused.waitForUpgrade(seconds: 5) }
    }

    private func exchangeMessages(port: Int, host: String) throws {
        let client = try WebSocketTestClient(port: port, host: host, group: testGroup)
        defer { client.close() }
        try client.waitForUpgrade()
        let messages = (1...20).map { "message \($0) " + String(repeating: "x", count: $0 * 500) }
        for message in messages { try client.send(message) }
        #expect(client.messages(count: messages.count) == messages)
    }
}
