import Foundation
import NIOConcurrencyHelpers
import Testing

/// `set server … state drain` and `disable server` while clients keep sending requests: nothing in
/// progress fails, new requests avoid the server, a persistent (cookie) client still reaches a
/// draining server and no longer reaches one in maintenance.
@Suite(.serialized)
struct RuntimeAPIUnderLoadTests {
    /// One request's fate.
    struct Outcome: Sendable {
        var started: Double
        var ended: Double = 0
        var origin: String?
        var ok: Bool
    }

    final class Load: @unchecked Sendable {
        let outcomes = NIOLockedValueBox<[Outcome]>([])
        let stop = NIOLockedValueBox(false)
        var threads: [Thread] = []
        let start = Date()

        var now: Double { Date().timeIntervalSince(start) }

        /// `closeClients` clients sending one request per connection, and `keepAliveClients`
        /// clients sending requests one after another on one connection each.
        init(port: Int, closeClients: Int, keepAliveClients: Int) {
            for _ in 0..<closeClients {
                threads.append(Thread { [self] in
                    while !stop.withLockedValue({ $0 }) {
                        let started = now
                        let response = try? httpGet(port: port)
                        let ok = response?.hasPrefix("HTTP/1.1 200") ?? false
                        let outcome = Outcome(started: started, ended: now, origin: response.flatMap(origin(of:)), ok: ok)
                        outcomes.withLockedValue { $0.append(outcome) }
                    }
                })
            }
            for _ in 0..<keepAliveClients {
                threads.append(Thread { [self] in
                    guard let client = try? RawClient(port: port) else { return }
                    var buffer: [UInt8] = []
                    while !stop.withLockedValue({ $0 }) {
                        let started = now
                        var outcome = Outcome(started: started, origin: nil, ok: false)
                        defer {
                            outcome.ended = now
                            outcomes.withLockedValue { $0.append(outcome) }
                        }
                        guard (try? client.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n")) != nil else { return }
                        while true {
                            if case .complete(let message, let consumed) = HTTPWire.parseResponse(buffer[...], requestMethod: "GET", atEnd: false) {
                                buffer.removeFirst(consumed)
                                outcome.ok = message.status == 200
                                outcome.origin = message.values("x-origin").first
                                break
                            }
                            guard let chunk = try? client.receive(), !chunk.isEmpty else { return }
                            buffer += chunk
                        }
                    }
                })
            }
            for thread in threads { thread.start() }
        }

        func finish() -> [Outcome] {
            stop.withLockedValue { $0 = true }
            // Every client thread ends within one request (delay 150 ms) after the flag.
            Thread.sleep(forTimeInterval: 1)
            return outcomes.withLockedValue { $0 }
        }
    }

    func configuration(_ directory: TemporaryDirectory, _ s1: SlowOrigin, _ s2: SlowOrigin) -> String {
        """
        global
            stats socket \(directory.path)/admin.sock level admin
        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s
        frontend fe
            bind 127.0.0.1:0
            default_backend be
        backend be
            balance roundrobin
            cookie SRV insert indirect nocache
            server s1 \(s1.address) cookie s1
            server s2 \(s2.address) cookie s2
        """
    }

    @Test(arguments: ["set server be/s1 state drain", "disable server be/s1"])
    func noRequestInProgressFailsAndNewOnesAvoidTheServer(command: String) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let s1 = try SlowOrigin(name: "s1", delay: .milliseconds(150))
        let s2 = try SlowOrigin(name: "s2", delay: .milliseconds(150))
        defer { s1.stop(); s2.stop() }
        let usher = try UsherUnderTest(configuration(directory, s1, s2))
        defer { usher.stop() }
        let port = usher.port("fe")
        let socket = directory.path + "/admin.sock"
        let isDrain = command.contains("drain")

        let load = Load(port: port, closeClients: 4, keepAliveClients: 2)
        Thread.sleep(forTimeInterval: 0.8)
        let commandSent = load.now
        #expect(try RuntimeAPIClient.ask(socket, command) == "\n")
        let changed = load.now
        // A client that holds s1's cookie.
        let persistent = try httpGet(port: port, headers: "Cookie: SRV=s1\r\n")
        Thread.sleep(forTimeInterval: 1.2)
        let outcomes = load.finish()

        // Requests s1 was serving while the command ran: they completed, on s1.
        let inProgress = outcomes.filter { $0.origin == "s1" && $0.started < commandSent && $0.ended > changed }
        #expect(!inProgress.isEmpty, "no request was in progress on s1 during '\(command)'")
        let failed = outcomes.filter { !$0.ok }
        #expect(failed.isEmpty, "\(failed.count) of \(outcomes.count) requests failed: \(failed.prefix(5))")
        // Requests under way when the command ran (they started up to one response time before)
        // finish on s1; every request that started after it went to s2.
        let after = outcomes.filter { $0.started > changed + 0.01 }
        #expect(after.count > 10)
        #expect(after.allSatisfy { $0.origin == "s2" }, "\(after.filter { $0.origin != "s2" }.count) requests reached s1 after '\(command)'")
        let before = outcomes.filter { $0.started < changed - 0.2 }
        #expect(before.contains { $0.origin == "s1" })
        #expect(before.contains { $0.origin == "s2" })
        // Drain keeps persistent clients; maintenance takes nothing.
        #expect(persistent.hasPrefix("HTTP/1.1 200"))
        #expect(origin(of: persistent) == (isDrain ? "s1" : "s2"))
        let status = statTable(try RuntimeAPIClient.ask(socket, "show stat"))["be/s1"]?["status"]
        #expect(status == (isDrain ? "DRAIN" : "MAINT"))
    }
}

/// `shutdown session` and `shutdown sessions server` on HTTP sessions with a request under way.
@Suite(.serialized)
struct RuntimeAPIHTTPSessionTests {
    @Test func shuttingDownHTTPSessionsClosesTheirClients() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let slow = try SlowOrigin(name: "slow", delay: .seconds(5))
        defer { slow.stop() }
        let usher = try UsherUnderTest("""
            global
                stats socket \(directory.path)/admin.sock level admin
            defaults
                mode http
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            frontend fe
                bind 127.0.0.1:0
                default_backend be
            backend be
                server s1 \(slow.address)
            """)
        defer { usher.stop() }
        let socket = directory.path + "/admin.sock"
        let clients = try (0..<3).map { _ in try RawClient(port: usher.port("fe")) }
        for client in clients { try client.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n") }
        var lines: [Substring] = []
        for _ in 0..<50 {
            lines = try RuntimeAPIClient.ask(socket, "show sess").split(separator: "\n").filter { $0.contains(" fe=fe be=be srv=s1 ") }
            if lines.count == 3 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.contains(": proto=tcpv4 src=127.0.0.1:") })
        let first = String(try #require(lines.first).prefix { $0 != ":" })
        #expect(try RuntimeAPIClient.ask(socket, "shutdown session \(first)") == "\n")
        #expect(clients.filter { $0.isClosedByPeer(within: 0.5) }.count == 1)
        #expect(try RuntimeAPIClient.ask(socket, "shutdown sessions server be/s1") == "\n")
        for client in clients { #expect(client.isClosedByPeer(within: 3)) }
        #expect(try !RuntimeAPIClient.ask(socket, "show sess").contains("fe=fe "))
    }
}
