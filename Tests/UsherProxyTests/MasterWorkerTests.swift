import Foundation
import NIOConcurrencyHelpers
import Testing
import UsherProxy

#if canImport(Glibc)
import Glibc
#endif

/// `-W` (master-worker) reloads and `-x`/`-sf` hand-overs, with real processes: a client keeps
/// making requests while the configuration is replaced, and none may fail.
@Suite(.serialized) struct MasterWorkerTests {
    static func configuration(port: Int, answer: String, extra: String = "") -> String {
        """
        global
            hard-stop-after 5s
        \(extra)
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:\(port)
            http-request return status 200 content-type text/plain string "\(answer)"

        """
    }

    /// Requests one after the other on new connections until stopped; counts each answer's body
    /// and every failure (a refused or reset connection, no answer).
    final class Traffic: @unchecked Sendable {
        let port: Int
        private let state = NIOLockedValueBox<(bodies: [String: Int], failures: [String], running: Bool)>(([:], [], true))
        private let done = DispatchSemaphore(value: 0)

        init(port: Int) {
            self.port = port
            Thread { [self] in
                while state.withLockedValue({ $0.running }) {
                    do {
                        let response = try httpGet(port: port)
                        let body = response.components(separatedBy: "\r\n\r\n").dropFirst().joined()
                        if response.hasPrefix("HTTP/1.1 200") {
                            state.withLockedValue { $0.bodies[body, default: 0] += 1 }
                        } else {
                            state.withLockedValue { $0.failures.append(String(response.prefix(40))) }
                        }
                    } catch {
                        state.withLockedValue { $0.failures.append("\(error)") }
                    }
                }
                done.signal()
            }.start()
        }

        var bodies: [String: Int] { state.withLockedValue { $0.bodies } }
        var failures: [String] { state.withLockedValue { $0.failures } }

        /// Waits until an answer with `body` has come, up to `timeout` seconds.
        func waitFor(_ body: String, timeout: Double = 10) -> Bool {
            let start = Date()
            let before = bodies[body] ?? 0
            while Date().timeIntervalSince(start) < timeout {
                if (bodies[body] ?? 0) > before { return true }
                usleep(20_000)
            }
            return false
        }

        func stop() {
            state.withLockedValue { $0.running = false }
            done.wait()
        }
    }

    static func pid(in file: String, timeout: Double = 10) -> pid_t? {
        let start = Date()
        while Date().timeIntervalSince(start) < timeout {
            if let text = try? String(contentsOfFile: file, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return pid
            }
            usleep(20_000)
        }
        return nil
    }

    /// The master's workers (its children), from /proc.
    static func children(of pid: pid_t) -> [pid_t] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { pid_t($0) }
    }

    @Test func reloadsUnderTrafficRefuseNothing() throws {
        let directory = try ScratchDirectory()
        let port = freePort()
        let file = try directory.write("usher.cfg", Self.configuration(port: port, answer: "one"))
        let pidfile = directory.path + "/usher.pid"
        let usher = try UsherProcess(["-W", "-f", file, "-p", pidfile])
        defer { usher.stop() }
        let master = try #require(Self.pid(in: pidfile))
        #expect(ClientSocket.waitUntilAccepting(port, timeout: 10, alive: { usher.isRunning }))
        let traffic = Traffic(port: port)
        #expect(traffic.waitFor("one"))
        let answers = ["two", "one", "two", "one", "two", "one"]
        for answer in answers {
            _ = try directory.write("usher.cfg", Self.configuration(port: port, answer: answer))
            kill(master, SIGUSR2)
            #expect(traffic.waitFor(answer), "the answer became \(answer): \(usher.error)")
        }
        traffic.stop()
        #expect(traffic.failures.isEmpty, "\(traffic.failures.prefix(5))")
        #expect((traffic.bodies["one"] ?? 0) > 0 && (traffic.bodies["two"] ?? 0) > 0)
        // The old workers have finished: one worker is left.
        var workers = Self.children(of: master)
        for _ in 0..<100 where workers.count != 1 {
            usleep(50_000)
            workers = Self.children(of: master)
        }
        #expect(workers.count == 1, "\(workers)")
        #expect(usher.isRunning, "\(usher.error.suffix(3000))")
    }

    /// A configuration with an error is refused: the alert is printed, the running worker goes on
    /// with the old configuration, and a later good one is taken.
    @Test func aBadConfigurationKeepsTheRunningWorker() throws {
        let directory = try ScratchDirectory()
        let port = freePort()
        let file = try directory.write("usher.cfg", Self.configuration(port: port, answer: "old"))
        let pidfile = directory.path + "/usher.pid"
        let usher = try UsherProcess(["-W", "-f", file, "-p", pidfile])
        defer { usher.stop() }
        let master = try #require(Self.pid(in: pidfile))
        #expect(ClientSocket.waitUntilAccepting(port, timeout: 10, alive: { usher.isRunning }))
        let before = Self.children(of: master)
        _ = try directory.write("usher.cfg", Self.configuration(port: port, answer: "new") + "    frobnicate yes\n")
        kill(master, SIGHUP)
        let start = Date()
        while !usher.error.contains("frobnicate"), Date().timeIntervalSince(start) < 10 { usleep(20_000) }
        #expect(usher.error.contains("usher.cfg:12: unknown keyword 'frobnicate'"), "\(usher.error)")
        #expect(try httpGet(port: port).hasSuffix("old"))
        #expect(Self.children(of: master) == before)
        _ = try directory.write("usher.cfg", Self.configuration(port: port, answer: "new"))
        kill(master, SIGHUP)
        let traffic = Traffic(port: port)
        #expect(traffic.waitFor("new"))
        traffic.stop()
        #expect(traffic.failures.isEmpty, "\(traffic.failures.prefix(5))")
        // SIGTERM stops the worker and the master.
        kill(master, SIGTERM)
        #expect(usher.waitForExit(timeout: 10) != nil)
    }

    /// A process asked for its listening sockets stops accepting; if the new process never tells
    /// it to finish (here: the test takes the sockets and lets them go), it accepts again after
    /// ten seconds. A connection made meanwhile waits in the kernel's queue and is answered.
    @Test func aTakeOverThatNeverFinishesIsUndone() throws {
        let directory = try ScratchDirectory()
        let port = freePort()
        let socket = directory.path + "/usher.sock"
        let file = try directory.write("usher.cfg", Self.configuration(
            port: port, answer: "still", extra: "    stats socket \(socket) level admin expose-fd listeners"))
        let usher = try UsherProcess(["-db", "-f", file])
        defer { usher.stop() }
        #expect(ClientSocket.waitUntilAccepting(port, timeout: 10, alive: { usher.isRunning }))
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) { usleep(10_000) }
        let taken = try ListenerTakeOver.fetch(from: socket)
        #expect(!taken.isEmpty)
        for socket in taken { close(socket.descriptor) }
        let start = Date()
        let client = try RawClient(port: port, timeout: 20)
        try client.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let answer = String(decoding: try client.receiveAll(), as: UTF8.self)
        let waited = Date().timeIntervalSince(start)
        #expect(answer.hasSuffix("still"), "\(answer)")
        #expect(waited > 5, "answered after \(waited) s: the listener was not paused")
        #expect(usher.isRunning)
    }

    /// `-x` and `-sf` by hand, across products: usher takes HAProxy 2.6's listening socket over and
    /// tells it to finish. (Without traffic during the overlap: HAProxy keeps accepting until its
    /// SIGUSR1, and a debug build of SwiftNIO asserts when a wake-up finds the connection taken.)
    @Test(.enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
    func usherTakesOverFromHAProxy() throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this test")
        let directory = try ScratchDirectory()
        let port = freePort()
        let socket = directory.path + "/haproxy.sock"
        let haproxyFile = try directory.write("haproxy.cfg", Self.configuration(
            port: port, answer: "haproxy", extra: "    stats socket \(socket) level admin expose-fd listeners"))
        let haproxy = try ExternalProcess.start(["haproxy", "-db", "-f", haproxyFile], logFile: directory.path + "/haproxy.log")
        defer { if haproxy.isRunning { haproxy.terminate() } }
        #expect(ClientSocket.waitUntilAccepting(port, timeout: 10, alive: { haproxy.isRunning }))
        #expect(try httpGet(port: port).hasSuffix("haproxy"))
        let usherFile = try directory.write("usher.cfg", Self.configuration(port: port, answer: "usher"))
        let usher = try UsherProcess(["-db", "-f", usherFile, "-x", socket, "-sf", "\(haproxy.processIdentifier)"])
        defer { usher.stop() }
        let start = Date()
        while haproxy.isRunning, Date().timeIntervalSince(start) < 10 { usleep(20_000) }
        #expect(!haproxy.isRunning, "HAProxy finished after -sf")
        #expect(try httpGet(port: port).hasSuffix("usher"))
        #expect(!usher.error.contains("could not take the listening sockets over"), "\(usher.error)")
        #expect(usher.error.isEmpty || !usher.error.contains("cannot bind"), "\(usher.error)")
    }
}
