import Foundation
import Testing

/// `maxconn` on a frontend pauses accepting (nothing is refused), a server's `maxconn` queues
/// connections until a slot frees or `timeout queue` expires, and the inactivity timeouts close
/// idle tunnels with the side to blame in the log.
@Suite(.serialized)
final class LimitsTests {
    let backend: TCPBackend
    let syslog: SyslogCollector

    init() throws {
        backend = try TCPBackend(name: "app", behaviour: .announce, group: testGroup)
        syslog = try SyslogCollector(group: testGroup)
    }

    deinit {
        backend.stop()
        syslog.stop()
    }

    func configuration(frontend: String = "", server: String = "", defaults: String = "") -> String {
        """
        defaults
            mode tcp
            log 127.0.0.1:\(syslog.port) local0
            option tcplog
            timeout connect 1s
            timeout client 5s
            timeout server 5s
        \(defaults)
        frontend fe
            bind 127.0.0.1:0
        \(frontend)
            default_backend app
        backend app
            server s1 127.0.0.1:\(backend.port) \(server)
        """
    }

    /// Whether a client gets the backend's answer within `timeout` seconds.
    static func answered(_ client: RawClient, within timeout: Double) -> Bool {
        guard let line = try? client.receiveLine() else { return false }
        return line == "app"
    }

    @Test func frontendMaxconnPausesAcceptingAndResumes() throws {
        let usher = try UsherUnderTest(configuration(frontend: "    maxconn 2"))
        defer { usher.stop() }
        let port = usher.port("fe")
        let first = try RawClient(port: port, timeout: 2)
        try first.send("1")
        #expect(Self.answered(first, within: 2))
        let second = try RawClient(port: port, timeout: 2)
        try second.send("2")
        #expect(Self.answered(second, within: 2))
        // The third connection is not refused: the kernel holds it while usher does not accept.
        let third = try RawClient(port: port, timeout: 0.5)
        try third.send("3")
        #expect(!Self.answered(third, within: 0.5), "a third connection must wait while maxconn 2 is reached")
        #expect(usher.server.activeConnections == 2)
        // One leaves: accepting resumes and the waiting client is served.
        first.shutdownWrite()
        _ = try? first.receiveAll()
        let thirdAnswer = try? RawClient.receiveLine(third, timeout: 3)
        #expect(thirdAnswer == "app")
    }

    @Test func serverMaxconnQueuesThenServes() throws {
        let usher = try UsherUnderTest(configuration(server: "maxconn 1", defaults: "    timeout queue 3s"))
        defer { usher.stop() }
        let port = usher.port("fe")
        let holder = try RawClient(port: port, timeout: 2)
        try holder.send("hold")
        #expect(Self.answered(holder, within: 2))
        let waiting = try RawClient(port: port, timeout: 0.4)
        try waiting.send("wait")
        #expect(!Self.answered(waiting, within: 0.4), "the second connection waits in the queue")
        holder.shutdownWrite()
        _ = try? holder.receiveAll()
        #expect(try RawClient.receiveLine(waiting, timeout: 3) == "app", "served as soon as the slot is free")
    }

    @Test func queueTimeoutClosesTheWaitingClientAndLogsIt() async throws {
        let usher = try UsherUnderTest(configuration(server: "maxconn 1", defaults: "    timeout queue 300ms"))
        defer { usher.stop() }
        let port = usher.port("fe")
        let holder = try RawClient(port: port, timeout: 2)
        try holder.send("hold")
        #expect(Self.answered(holder, within: 2))
        let waiting = try RawClient(port: port, timeout: 2)
        try waiting.send("wait")
        #expect(waiting.isClosedByPeer(within: 2))
        let line = try await syslog.waitFor(" sQ ")
        #expect(line != nil, "a queue timeout is logged with termination state sQ: \(syslog.received)")
    }

    @Test func idleTunnelIsClosedByTheClientTimeout() async throws {
        let usher = try UsherUnderTest(configuration().replacingOccurrences(of: "timeout client 5s", with: "timeout client 300ms"))
        defer { usher.stop() }
        let client = try RawClient(port: usher.port("fe"), timeout: 3)
        try client.send("x")
        #expect(Self.answered(client, within: 2))
        let started = Date()
        #expect(client.isClosedByPeer(within: 3))
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.25 && waited < 1.5, "closed after \(waited)s")
        let line = try await syslog.waitFor(" cD ")
        #expect(line != nil, "an idle client is logged with termination state cD: \(syslog.received)")
    }

    @Test func tunnelTimeoutOverridesClientAndServerTimeouts() throws {
        let config = configuration(defaults: "    timeout tunnel 2s")
            .replacingOccurrences(of: "timeout client 5s", with: "timeout client 200ms")
            .replacingOccurrences(of: "timeout server 5s", with: "timeout server 200ms")
        let usher = try UsherUnderTest(config)
        defer { usher.stop() }
        let client = try RawClient(port: usher.port("fe"), timeout: 3)
        try client.send("x")
        #expect(Self.answered(client, within: 2))
        #expect(!client.isClosedByPeer(within: 0.8), "timeout tunnel applies once the tunnel is up")
        try client.send("still here")
    }

    @Test func clientFinTimeoutAppliesOnceTheServerHasClosed() throws {
        // The server answers and closes; its FIN is passed on; the client never closes (the
        // FIN_WAIT case). Only `timeout client-fin` can end the session before `timeout client`.
        let closing = try TCPBackend(name: "app", behaviour: .announceAndClose, group: testGroup)
        defer { closing.stop() }
        let config = configuration(defaults: "    timeout client-fin 200ms")
            .replacingOccurrences(of: "127.0.0.1:\(backend.port)", with: "127.0.0.1:\(closing.port)")
        let usher = try UsherUnderTest(config)
        defer { usher.stop() }
        let client = try RawClient(port: usher.port("fe"), timeout: 3)
        try client.send("x")
        #expect(Self.answered(client, within: 2))
        #expect(try client.receive().isEmpty, "the server's FIN reaches the client")
        let started = Date()
        // Still connected for writing: usher waits for the client, but only client-fin long.
        while (try? client.send("more")) != nil, Date().timeIntervalSince(started) < 3 {
            usleep(50_000)
        }
        let waited = Date().timeIntervalSince(started)
        #expect(waited < 2, "closed by client-fin after \(waited)s, not by the 5s client timeout")
    }

    @Test func clientHalfCloseDoesNotCutTheServersSlowReply() throws {
        // The client sends and half-closes at once; the server takes its time (longer than
        // client-fin) to answer: the answer must still arrive, as nothing waits on the client.
        let slow = try TCPBackend(name: "app", behaviour: .bulkReply(replyBytes: 1000, delay: .milliseconds(500)), group: testGroup)
        defer { slow.stop() }
        let config = configuration(defaults: "    timeout client-fin 100ms")
            .replacingOccurrences(of: "127.0.0.1:\(backend.port)", with: "127.0.0.1:\(slow.port)")
        let usher = try UsherUnderTest(config)
        defer { usher.stop() }
        let client = try RawClient(port: usher.port("fe"), timeout: 3)
        try client.send(BytePattern.bytes(count: 10))
        client.shutdownWrite()
        let reply = try client.receiveAll()
        #expect(reply.count == 1000)
    }
}

extension RawClient {
    /// Reads a line with a fresh timeout.
    static func receiveLine(_ client: RawClient, timeout: Double) throws -> String {
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(client.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return try client.receiveLine()
    }
}

/// `option dontlog-normal`: sessions that end normally are not logged, the others still are.
@Suite(.serialized)
final class DontLogNormalTests {
    @Test func onlyAbnormalSessionsAreLogged() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let backend = try TCPBackend(name: "app", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let usher = try UsherUnderTest("""
            defaults
                mode tcp
                log 127.0.0.1:\(syslog.port) local0
                option tcplog
                option dontlog-normal
                timeout connect 1s
                timeout client 300ms
                timeout server 5s
            frontend fe
                bind 127.0.0.1:0
                default_backend app
            backend app
                server s1 127.0.0.1:\(backend.port)
            """)
        defer { usher.stop() }
        let normal = try RawClient(port: usher.port("fe"))
        try normal.send("bye")
        #expect(try normal.receiveLine() == "app")
        normal.shutdownWrite()
        _ = try normal.receiveAll()
        // This one idles until the client timeout: not normal, so logged.
        let idle = try RawClient(port: usher.port("fe"), timeout: 3)
        try idle.send("stay")
        #expect(try idle.receiveLine() == "app")
        #expect(idle.isClosedByPeer(within: 2))
        let line = try await syslog.waitFor(" cD ")
        #expect(line != nil, "\(syslog.received)")
        #expect(syslog.received.filter { $0.contains(" fe app/s1 ") }.count == 1, "only the timed-out session is logged: \(syslog.received)")
    }
}
