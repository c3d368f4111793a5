import Foundation
import NIOCore
import Testing

/// What happens when servers refuse or fail: retries, redispatch, health checks marking servers
/// DOWN and UP, and clients closed at once when no server is left, with the log saying so.
@Suite(.serialized)
final class FailoverTests {
    /// A port nothing listens on: bound, then closed.
    static func refusedPort() throws -> Int {
        let backend = try TCPBackend(name: "gone", behaviour: .announce, group: testGroup)
        let port = backend.port
        backend.stop()
        return port
    }

    @Test func refusedServerIsRetriedThenRedispatchedToAnother() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let good = try TCPBackend(name: "good", behaviour: .announce, group: testGroup)
        defer { good.stop() }
        let dead = try Self.refusedPort()
        let usher = try UsherUnderTest("""
            global
                log 127.0.0.1:\(syslog.port) local0
            defaults
                mode tcp
                log global
                option tcplog
                timeout connect 200ms
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:0
                default_backend app
            backend app
                balance first
                option redispatch
                retries 2
                server dead 127.0.0.1:\(dead)
                server good 127.0.0.1:\(good.port)
            """)
        defer { usher.stop() }
        let client = try RawClient(port: usher.port("fe"))
        try client.send("hello")
        #expect(try client.receiveLine() == "good")
        client.shutdownWrite()
        _ = try client.receiveAll()
        let line = try await syslog.waitFor("fe app/good")
        #expect(line != nil, "the log line names the server finally used; got \(syslog.received.debugDescription)")
        // Two attempts on the dead server, the last retry redispatched: "+2" retries.
        #expect(line?.contains("/+2 ") == true, "retries are logged with the redispatch mark: \(line ?? "")")
    }

    @Test func checkedServerGoesDownWithinInterTimesFallAndUpAfterRise() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        var backend: TCPBackend? = try TCPBackend(name: "flaky", behaviour: .announce, group: testGroup)
        let port = backend!.port
        let usher = try UsherUnderTest("""
            global
                log 127.0.0.1:\(syslog.port) local0
            defaults
                mode tcp
                log global
                timeout connect 200ms
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:0
                default_backend app
            backend app
                server flaky 127.0.0.1:\(port) check inter 100ms fall 3 rise 2
            """)
        defer { usher.stop() }
        try await Task.sleep(for: .milliseconds(300))
        #expect(syslog.received.allSatisfy { !$0.contains("is DOWN") })

        backend?.stop()
        backend = nil
        let stopped = Date()
        let down = try await syslog.waitFor("Server app/flaky is DOWN", timeout: 3)
        let downAfter = Date().timeIntervalSince(stopped)
        #expect(down != nil, "\(syslog.received.debugDescription)")
        #expect(down?.contains("reason: Layer4 connection problem, info: \"Connection refused\"") == true, "\(down ?? "")")
        // inter 100ms × fall 3: not before the third failed check (the first may come at once),
        // and not much after (the bound is loose: a loaded CI machine delays timers, not checks).
        #expect(downAfter >= 0.15 && downAfter < 1.5, "marked DOWN after \(downAfter)s")
        #expect(try await syslog.waitFor("backend app has no server available!") != nil)
        #expect(down?.hasPrefix("<129>") == true, "DOWN is an alert (local0 = 16): \(down ?? "")")

        // Every server down: a client is closed at once, and the log line says why.
        let client = try RawClient(port: usher.port("fe"))
        try client.send("hi")
        #expect(client.isClosedByPeer(within: 1))

        // Back up after `rise` good checks.
        let revived = try TCPBackend(name: "flaky", behaviour: .announce, group: testGroup, port: port)
        defer { revived.stop() }
        let restarted = Date()
        let up = try await syslog.waitFor("Server app/flaky is UP", timeout: 3)
        #expect(up != nil)
        let upAfter = Date().timeIntervalSince(restarted)
        #expect(upAfter >= 0.05 && upAfter < 1.5, "marked UP after \(upAfter)s")
        #expect(up?.contains("reason: Layer4 check passed") == true)
        let again = try RawClient(port: usher.port("fe"))
        try again.send("hi")
        #expect(try again.receiveLine() == "flaky")
    }

    @Test func noServerAvailableIsLogged() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let dead = try Self.refusedPort()
        let usher = try UsherUnderTest("""
            defaults
                mode tcp
                log 127.0.0.1:\(syslog.port) local2
                option tcplog
                timeout connect 200ms
                timeout client 5s
                timeout server 5s
                retries 0
            frontend fe
                bind 127.0.0.1:0
                default_backend app
            backend app
                server only 127.0.0.1:\(dead) disabled
            """)
        defer { usher.stop() }
        let client = try RawClient(port: usher.port("fe"))
        try client.send("anything")
        #expect(client.isClosedByPeer(within: 1), "with no usable server the client is closed at once")
        let line = try await syslog.waitFor(" fe app/<NOSRV> ")
        #expect(line != nil, "\(syslog.received)")
        #expect(line?.contains(" SC ") == true, "termination state SC (server side, connect phase): \(line ?? "")")
        #expect(line?.contains("-1/-1/") == true, "never queued, never connected: \(line ?? "")")
    }
}
