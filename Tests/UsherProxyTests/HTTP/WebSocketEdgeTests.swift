import Foundation
import NIOCore
import Testing
import UsherDemo

#if canImport(Glibc)
import Glibc
#endif

/// Protocol switches that go wrong or half right: a 101 with a bad `Sec-WebSocket-Accept`, a 101
/// nobody asked for, an upgrade the server declines (the connection must stay HTTP: what the
/// client sends next is a request, never tunnel bytes — Envoy's CVE-2024-23326 is the tunnel
/// opened anyway), WebSockets under `option httpclose`, and `timeout tunnel`.
@Suite(.serialized)
struct WebSocketEdgeTests {
    // MARK: - A 101 that must not open a tunnel

    struct BadAccept: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var value: String?
    }

    static let badAccepts = [
        BadAccept(testDescription: "a wrong Sec-WebSocket-Accept", value: "AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
        BadAccept(testDescription: "no Sec-WebSocket-Accept", value: nil),
        // RFC 6455 §1.2's other example: the value for the key x3JJHMbDL1EzLkh9GBhXDw==.
        BadAccept(testDescription: "the accept value of another key", value: "HSmrc0sMlYUkAGmm5OPpG2HaGWk="),
    ]

    @Test(arguments: badAccepts)
    func switchWithABadAcceptIs502AndClosesTheServerConnection(_ accept: BadAccept) throws {
        let origin = try UpgradeOrigin(answers: [.switchProtocols(accept: accept.value)])
        defer { origin.stop() }
        let usher = try UsherUnderTest(Self.configuration(origin: origin.address))
        defer { usher.stop() }

        let client = try HTTPClientConnection(port: usher.port("fe"))
        client.run([.send(Self.upgradeRequest)])
        client.collect(finalResponses: 1, timeout: 3, grace: 0)
        #expect(client.responses.map(\.status) == [502], "the client got \(client.responses.map(\.startLine)), problems \(client.problems)")
        #expect(
            origin.wait(seconds: 2) { $0.count == 1 && $0[0].closedByPeer },
            "usher did not close the server connection: \(origin.connections.map(\.closedByPeer))")
        // Nothing the client sends next reaches the server.
        client.run([.send(HTTPWire.text(Self.frame(text: "hello", mask: [1, 2, 3, 4]))), .pause(0.3)])
        #expect(origin.connections.allSatisfy { $0.tunnelled.isEmpty }, "bytes went through a tunnel")
        #expect(origin.requestLines == ["GET /chat HTTP/1.1"], "the origin received \(origin.requestLines)")
    }

    /// The same origin with the right accept value opens the tunnel: the check above is the
    /// proxy's, not the origin's doing.
    @Test func switchWithTheRightAcceptOpensTheTunnel() throws {
        let origin = try UpgradeOrigin(answers: [.switchProtocols(accept: UpgradeOrigin.exampleAccept)])
        defer { origin.stop() }
        let usher = try UsherUnderTest(Self.configuration(origin: origin.address))
        defer { usher.stop() }

        let client = try ClientSocket(port: usher.port("fe"))
        try client.send(HTTPWire.bytes(Self.upgradeRequest))
        let head = Self.read(client, seconds: 3) { $0.contains(Array("\r\n\r\n".utf8)) }
        #expect(HTTPWire.text(head.bytes).hasPrefix("HTTP/1.1 101 "), "the client got \(HTTPWire.printable(head.bytes))")
        let frame = Self.frame(text: "hello", mask: [1, 2, 3, 4])
        try client.send(frame)
        let echo = Self.read(client, seconds: 3) { $0.count >= frame.count }
        #expect(echo.bytes == frame, "through the tunnel came back \(HTTPWire.printable(echo.bytes))")
        #expect(origin.connections.first?.tunnelled == frame)
    }

    /// RFC 9110 §15.2.2: a server switches only to a protocol the client asked for. HAProxy 2.6
    /// answers 502 (`PH--`) too.
    @Test func switchToARequestWithoutUpgradeIs502() throws {
        let origin = try UpgradeOrigin(answers: [.switchProtocols(accept: UpgradeOrigin.exampleAccept)])
        defer { origin.stop() }
        let usher = try UsherUnderTest(Self.configuration(origin: origin.address))
        defer { usher.stop() }

        let client = try HTTPClientConnection(port: usher.port("fe"))
        client.run([.send(Request.get("/plain"))])
        client.collect(finalResponses: 1, timeout: 3, grace: 0)
        #expect(client.responses.map(\.status) == [502], "the client got \(client.responses.map(\.startLine)), problems \(client.problems)")
        #expect(origin.wait(seconds: 2) { $0.count == 1 && $0[0].closedByPeer }, "usher did not close the server connection")
    }

    // MARK: - An upgrade the server declines

    struct Refusal: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var answer: UpgradeOrigin.Answer
        var status: Int
    }

    static let refusals = [
        Refusal(testDescription: "200", answer: .status(200, "OK", body: "no websocket here\n"), status: 200),
        Refusal(
            testDescription: "426", answer: .status(426, "Upgrade Required", ["Upgrade: websocket", "Connection: Upgrade"], body: "upgrade first\n"),
            status: 426),
    ]

    /// After a declined upgrade, the next request on the connection is a request: the origin sees
    /// its request line on its own.
    @Test(arguments: refusals)
    func declinedUpgradeLeavesTheConnectionHTTP(_ refusal: Refusal) throws {
        let origin = try UpgradeOrigin(answers: [refusal.answer, .status(200, "OK", body: "next\n")])
        defer { origin.stop() }
        let usher = try UsherUnderTest(Self.configuration(origin: origin.address))
        defer { usher.stop() }

        let client = try HTTPClientConnection(port: usher.port("fe"))
        client.run([.send(Self.upgradeRequest)])
        client.collect(finalResponses: 1, timeout: 3, grace: 0)
        client.run([.send(Request.get("/next"))])
        client.collect(finalResponses: 2, timeout: 3, grace: 0)
        #expect(client.responses.map(\.status) == [refusal.status, 200], "the client got \(client.responses.map(\.startLine)), problems \(client.problems)")
        #expect(client.responses.last.map { HTTPWire.text($0.body) } == "next\n")
        #expect(origin.requestLines == ["GET /chat HTTP/1.1", "GET /next HTTP/1.1"], "the origin received \(origin.requestLines)")
        #expect(origin.connections.allSatisfy { $0.tunnelled.isEmpty && $0.unparsable.isEmpty })
    }

    /// Frames a client sends once the upgrade was declined, with and without a byte 0x0A in them.
    struct StrayFrame: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var bytes: [UInt8]
    }

    static let strayFrames = [
        StrayFrame(testDescription: "masked text frame without a line feed byte", bytes: frame(text: "hello", mask: [1, 2, 3, 4])),
        StrayFrame(testDescription: "text frame whose payload holds a line feed", bytes: frame(text: "hi\n", mask: [0, 0, 0, 0])),
    ]

    /// A WebSocket frame sent after a declined upgrade is not a request: 400 at once, connection
    /// closed, the frame never at the origin. (HAProxy 2.6 answers 400 as soon as it reads it.)
    @Test(arguments: strayFrames)
    func frameAfterADeclinedUpgradeGets400(_ stray: StrayFrame) throws {
        let origin = try UpgradeOrigin(answers: [.status(200, "OK", body: "no websocket here\n")])
        defer { origin.stop() }
        let usher = try UsherUnderTest(Self.configuration(origin: origin.address))
        defer { usher.stop() }

        let client = try HTTPClientConnection(port: usher.port("fe"))
        client.run([.send(Self.upgradeRequest)])
        client.collect(finalResponses: 1, timeout: 3, grace: 0)
        client.run([.send(HTTPWire.text(stray.bytes))])
        client.collect(finalResponses: 2, timeout: 2, grace: 0.3)
        #expect(client.responses.map(\.status) == [200, 400], "the client got \(client.responses.map(\.startLine)), problems \(client.problems)")
        #expect(client.end == .closed, "the connection was \(client.end.rawValue)")
        #expect(!origin.received(stray.bytes), "the frame reached the origin")
        #expect(origin.connections.allSatisfy { $0.tunnelled.isEmpty })
    }

    /// CVE-2024-23326's shape: the client sends its first frame right behind the upgrade request,
    /// before any answer. The server declines; the frame must be read as a (bad) request, not
    /// tunnelled.
    @Test(arguments: strayFrames)
    func frameSentAheadOfADeclinedUpgradeIsNeverTunnelled(_ stray: StrayFrame) throws {
        let origin = try UpgradeOrigin(answers: [.status(200, "OK", body: "no websocket here\n")])
        defer { origin.stop() }
        let usher = try UsherUnderTest(Self.configuration(origin: origin.address))
        defer { usher.stop() }

        let client = try HTTPClientConnection(port: usher.port("fe"))
        client.run([.send(Self.upgradeRequest + HTTPWire.text(stray.bytes))])
        client.collect(finalResponses: 2, timeout: 2, grace: 0.3)
        #expect(client.responses.map(\.status) == [200, 400], "the client got \(client.responses.map(\.startLine)), problems \(client.problems)")
        #expect(!origin.received(stray.bytes), "the frame reached the origin")
        #expect(origin.requestLines == ["GET /chat HTTP/1.1"], "the origin received \(origin.requestLines)")
        #expect(origin.connections.allSatisfy { $0.tunnelled.isEmpty })
    }

    // MARK: - WebSockets and connection modes, timeouts

    struct CloseMode: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var defaults: [String] = []
        var frontend: [String] = []
        var backend: [String] = []
    }

    static let closeModes = [
        CloseMode(testDescription: "httpclose in frontend and backend", frontend: ["option httpclose"], backend: ["option httpclose"]),
        CloseMode(testDescription: "httpclose in defaults", defaults: ["option httpclose"]),
        CloseMode(testDescription: "http-server-close in frontend, httpclose in backend", frontend: ["option http-server-close"], backend: ["option httpclose"]),
    ]

    /// `option httpclose` closes after each exchange, but a switched connection is no longer an
    /// exchange: the handshake and the messages go through.
    @Test(arguments: closeModes)
    func webSocketThroughHTTPClose(_ mode: CloseMode) throws {
        let service = try StandInService.start(name: "ws", port: 0, webSocketEcho: true, group: testGroup)
        defer { service.stop() }
        let usher = try UsherUnderTest(
            Self.configuration(origin: "127.0.0.1:\(service.port)", defaults: mode.defaults, frontend: mode.frontend, backend: mode.backend))
        defer { usher.stop() }

        let client = try WebSocketTestClient(port: usher.port("fe"), host: "ws.example.test", group: testGroup)
        defer { client.close() }
        try client.waitForUpgrade(seconds: 5)
        let messages = (1...10).map { "message \($0) " + String(repeating: "y", count: $0 * 300) }
        for message in messages { try client.send(message) }
        #expect(client.messages(count: messages.count, seconds: 5) == messages)
    }

    /// `timeout tunnel 1s` with `timeout client 30s`: an idle WebSocket is closed after about a second.
    @Test func timeoutTunnelClosesAnIdleWebSocket() throws {
        let service = try StandInService.start(name: "ws", port: 0, webSocketEcho: true, group: testGroup)
        defer { service.stop() }
        let usher = try UsherUnderTest(
            Self.configuration(origin: "127.0.0.1:\(service.port)", client: "30s", server: "30s", defaults: ["timeout tunnel 1s"]))
        defer { usher.stop() }

        let client = try WebSocketTestClient(port: usher.port("fe"), host: "ws.example.test", group: testGroup)
        defer { client.close() }
        try client.waitForUpgrade(seconds: 5)
        try client.send("ping")
        #expect(client.messages(count: 1, seconds: 5) == ["ping"])
        let idleSince = Date()
        let closed = Self.waitUntilClosed(client, seconds: 6)
        let elapsed = Date().timeIntervalSince(idleSince)
        #expect(closed, "the idle tunnel was still open after 6 s")
        #expect(elapsed > 0.5 && elapsed < 5, "the idle tunnel closed after \(elapsed) s, expected about 1 s")
    }

    /// Traffic in either direction keeps the tunnel open past `timeout tunnel`.
    @Test func trafficKeepsTheTunnelOpen() throws {
        let service = try StandInService.start(name: "ws", port: 0, webSocketEcho: true, group: testGroup)
        defer { service.stop() }
        let usher = try UsherUnderTest(
            Self.configuration(origin: "127.0.0.1:\(service.port)", client: "30s", server: "30s", defaults: ["timeout tunnel 1s"]))
        defer { usher.stop() }

        let client = try WebSocketTestClient(port: usher.port("fe"), host: "ws.example.test", group: testGroup)
        defer { client.close() }
        try client.waitForUpgrade(seconds: 5)
        // A message every quarter second for two and a half seconds: never a second of silence.
        let messages = (1...10).map { "tick \($0)" }
        for message in messages {
            try client.send(message)
            Thread.sleep(forTimeInterval: 0.25)
        }
        #expect(client.channel.isActive, "the tunnel closed while in use")
        #expect(client.messages(count: messages.count, seconds: 3) == messages)
    }

    /// In a tunnel `timeout tunnel` replaces `timeout client` and `timeout server`: with those at
    /// 1 s and the tunnel's at 3 s, an idle WebSocket outlives the first and closes near the second.
    @Test func timeoutTunnelOverridesAShorterTimeoutClient() throws {
        let service = try StandInService.start(name: "ws", port: 0, webSocketEcho: true, group: testGroup)
        defer { service.stop() }
        let usher = try UsherUnderTest(
            Self.configuration(origin: "127.0.0.1:\(service.port)", client: "1s", server: "1s", defaults: ["timeout tunnel 3s"]))
        defer { usher.stop() }

        let client = try WebSocketTestClient(port: usher.port("fe"), host: "ws.example.test", group: testGroup)
        defer { client.close() }
        try client.waitForUpgrade(seconds: 5)
        try client.send("ping")
        #expect(client.messages(count: 1, seconds: 5) == ["ping"])
        let idleSince = Date()
        let closed = Self.waitUntilClosed(client, seconds: 8)
        let elapsed = Date().timeIntervalSince(idleSince)
        #expect(closed, "the idle tunnel was still open after 8 s")
        #expect(elapsed > 2 && elapsed < 7, "the idle tunnel closed after \(elapsed) s, expected about 3 s")
    }

    // MARK: - Helpers

    static let upgradeRequest = Request.get(
        "/chat", ["Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Key: \(UpgradeOrigin.exampleKey)", "Sec-WebSocket-Version: 13"])

    static func configuration(
        origin: String, client: String = "5s", server: String = "5s", defaults: [String] = [], frontend: [String] = [], backend: [String] = []
    ) -> String {
        var lines = [
            "defaults", "    mode http", "    timeout connect 2s", "    timeout client \(client)", "    timeout server \(server)",
            "    timeout http-request 10s",
        ]
        lines += defaults.map { "    " + $0 }
        lines += ["frontend fe", "    bind 127.0.0.1:0"] + frontend.map { "    " + $0 } + ["    default_backend be"]
        lines += ["backend be"] + backend.map { "    " + $0 } + ["    server s1 \(origin)"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A client's text frame (RFC 6455 §5.2), masked with `mask`, payload under 126 bytes.
    static func frame(text: String, mask: [UInt8]) -> [UInt8] {
        let payload = Array(text.utf8)
        return [0x81, 0x80 | UInt8(payload.count)] + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    /// Reads until `done` says so, the stream ends, or `seconds` pass.
    static func read(_ client: ClientSocket, seconds: Double, until done: ([UInt8]) -> Bool) -> (bytes: [UInt8], ended: Bool) {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        while !done(bytes) && Date() < deadline {
            var descriptor = pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000))) > 0 else { continue }
            guard let chunk = try? client.receive(), !chunk.isEmpty else { return (bytes, true) }
            bytes += chunk
        }
        return (bytes, false)
    }

    static func waitUntilClosed(_ client: WebSocketTestClient, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while client.channel.isActive && Date() < deadline { usleep(10_000) }
        return !client.channel.isActive
    }
}
