import Foundation
import NIOCore
import NIOPosix
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `usher` executable as HAProxy users drive it: `-c` to check, `-db`/`-D`/`daemon` to run,
/// `-p` for a pidfile, SIGTERM/SIGINT to stop and SIGUSR1 to stop softly, `-v`.
@Suite(.serialized)
struct CommandLineTests {
    // MARK: - usher -c

    @Test func checkAcceptsTheSeedWithHAProxysWarnings() throws {
        let seed = RepositoryPaths.seedConfiguration
        let result = try UsherProcess.run(["-c", "-f", seed])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == "Configuration file is valid\n")
        #expect(!result.error.contains("[ALERT]"), "\(result.error)")
        let warnings = result.warningLines
        #expect(warnings.count == 6, "\(result.error)")
        func warning(line: Int, _ text: String) -> Bool {
            warnings.contains { $0.hasPrefix("[WARNING] \(seed):\(line): ") && $0.contains(text) }
        }
        #expect(warning(line: 25, "'frontend http-in *:80' is HAProxy 1.x syntax"), "\(result.error)")
        #expect(warning(line: 28, "'frontend https-in *:443' is HAProxy 1.x syntax"), "\(result.error)")
        // The 1.x warnings show what to write instead.
        #expect(result.error.contains("bind *:80") && result.error.contains("bind *:443"), "\(result.error)")
        #expect(warning(line: 32, "'option ssl-hello-chk' ignored"), "\(result.error)")
        for proxy in ["frontend 'https-in'", "backend 'servers-ssl'", "backend 'pumpio-ssl'"] {
            #expect(warning(line: 14, "'option forwardfor' ignored for \(proxy)"), "\(proxy): \(result.error)")
        }
    }

    @Test func quietCheckPrintsNoWarnings() throws {
        let result = try UsherProcess.run(["-c", "-q", "-f", RepositoryPaths.seedConfiguration])
        #expect(result.status == 0)
        #expect(result.output == "Configuration file is valid\n")
        #expect(result.error.isEmpty, "\(result.error)")
    }

    @Test func checkReportsEveryErrorWithFileAndLine() throws {
        let directory = try ScratchDirectory()
        let file = try directory.write("bad.cfg", """
            global
                maxconn lots
            defaults
                mode tcp
                timeout client 30s
                timeout server 30s
                timeout connect 5s
            frontend fe
                bind 127.0.0.1:not-a-port
                bogus-keyword 1
                default_backend missing
            backend be
                balance roundrobinx
                server s1 127.0.0.1:9999
            """)
        let result = try UsherProcess.run(["-c", "-f", file])
        #expect(result.status == 1)
        #expect(!result.output.contains("valid"), "\(result.output)")
        let alerts = result.alertLines
        func alert(line: Int, _ text: String) -> Bool {
            alerts.contains { $0.hasPrefix("[ALERT] \(file):\(line): ") && $0.contains(text) }
        }
        #expect(alert(line: 2, "'maxconn' expects an integer"), "\(result.error)")
        #expect(alert(line: 9, "invalid port 'not-a-port'"), "\(result.error)")
        #expect(alert(line: 10, "unknown keyword 'bogus-keyword'"), "\(result.error)")
        #expect(alert(line: 11, "backend 'missing', which does not exist"), "\(result.error)")
        #expect(alert(line: 13, "unknown balance algorithm 'roundrobinx'; did you mean 'roundrobin'?"), "\(result.error)")
        #expect(alerts.count == 6, "five errors and the final line: \(result.error)")
        #expect(result.lastErrorLine == "[ALERT] Fatal errors found in configuration.", "\(result.error)")
    }

    @Test func checkReportsAnErrorInARuleCondition() throws {
        let directory = try ScratchDirectory()
        let file = try directory.write("acl.cfg", Self.tcpConfiguration(port: 9998, backendPort: 9999, extra: [
            "tcp-request content accept if { nonsense_fetch 1 }",
        ]))
        let result = try UsherProcess.run(["-c", "-f", file])
        #expect(result.status == 1)
        #expect(result.alertLines.first?.hasPrefix("[ALERT] \(file):8: ") == true, "\(result.error)")
        #expect(result.error.contains("unknown sample fetch 'nonsense_fetch'"), "\(result.error)")
        #expect(result.lastErrorLine == "[ALERT] Fatal errors found in configuration.", "\(result.error)")
    }

    @Test func checkReportsAMissingFile() throws {
        let directory = try ScratchDirectory()
        let missing = directory.path + "/no-such.cfg"
        let result = try UsherProcess.run(["-c", "-f", missing])
        #expect(result.status == 1)
        #expect(result.output.isEmpty, "\(result.output)")
        #expect(result.error.contains("[ALERT] Cannot open configuration file/directory \(missing) : No such file or directory"), "\(result.error)")
        #expect(result.lastErrorLine == "[ALERT] Fatal errors found in configuration.", "\(result.error)")
    }

    @Test func checkWithoutAnyFileSaysSo() throws {
        let result = try UsherProcess.run(["-c"])
        #expect(result.status == 1)
        #expect(result.error.contains("no configuration file"), "\(result.error)")
    }

    @Test func directoryFilesAreReadInLexicalOrder() throws {
        let directory = try ScratchDirectory()
        // Written in the reverse order, so the directory's own order is unlikely to be the lexical one.
        let frontend = try directory.write("conf.d/10-fe.cfg", """
            frontend fe from base
                bind 127.0.0.1:9998
                default_backend be
            backend be from base
                server s1 127.0.0.1:9999
            """)
        _ = try directory.write("conf.d/README.txt", "not a configuration file: ignored\n")
        _ = try directory.write("conf.d/00-defaults.cfg", """
            defaults base
                mode tcp
                timeout client 30s
                timeout server 30s
                timeout connect 5s
            """)
        let valid = try UsherProcess.run(["-c", "-f", directory.path + "/conf.d"])
        #expect(valid.status == 0, "\(valid.error)")
        #expect(valid.output == "Configuration file is valid\n")
        #expect(valid.error.isEmpty, "\(valid.error)")

        // Once the defaults sort after the frontend, `from base` names a section not declared before.
        try FileManager.default.moveItem(atPath: directory.path + "/conf.d/00-defaults.cfg", toPath: directory.path + "/conf.d/20-defaults.cfg")
        let refused = try UsherProcess.run(["-c", "-f", directory.path + "/conf.d/"])
        #expect(refused.status == 1)
        let alerts = refused.alertLines
        #expect(alerts.contains { $0.hasPrefix("[ALERT] \(frontend):1: ") && $0.contains("'from'") }, "\(refused.error)")
        #expect(alerts.contains { $0.hasPrefix("[ALERT] \(frontend):4: ") && $0.contains("'from'") }, "\(refused.error)")
        #expect(refused.lastErrorLine == "[ALERT] Fatal errors found in configuration.")
    }

    @Test func severalFilesMakeOneConfigurationInCommandLineOrder() throws {
        let directory = try ScratchDirectory()
        let defaults = try directory.write("defaults.cfg", """
            defaults base
                mode tcp
                timeout client 30s
                timeout server 30s
                timeout connect 5s
            """)
        let frontend = try directory.write("frontend.cfg", """
            frontend fe from base
                bind 127.0.0.1:9998
                default_backend be
            """)
        let backend = try directory.write("backend.cfg", """
            backend be from base
                server s1 127.0.0.1:9999
                bogus-keyword
            """)

        let missingBackend = try UsherProcess.run(["-c", "-f", defaults, "-f", frontend])
        #expect(missingBackend.status == 1)
        #expect(missingBackend.alertLines.contains { $0.hasPrefix("[ALERT] \(frontend):3: ") && $0.contains("'be', which does not exist") }, "\(missingBackend.error)")

        // An error in the third file is reported with that file's name and its own line numbers.
        let badBackend = try UsherProcess.run(["-c", "-f", defaults, "-f", frontend, "-f", backend])
        #expect(badBackend.status == 1)
        #expect(badBackend.alertLines.contains { $0.hasPrefix("[ALERT] \(backend):3: ") && $0.contains("unknown keyword 'bogus-keyword'") }, "\(badBackend.error)")

        try "backend be from base\n    server s1 127.0.0.1:9999\n".write(toFile: backend, atomically: true, encoding: .utf8)
        let valid = try UsherProcess.run(["-c", "-f", defaults, "-f", frontend, "-f", backend])
        #expect(valid.status == 0, "\(valid.error)")
        #expect(valid.output == "Configuration file is valid\n")

        let wrongOrder = try UsherProcess.run(["-c", "-f", frontend, "-f", backend, "-f", defaults])
        #expect(wrongOrder.status == 1, "the defaults come after the sections that use them")
        #expect(wrongOrder.alertLines.contains { $0.hasPrefix("[ALERT] \(frontend):1: ") }, "\(wrongOrder.error)")
    }

    // MARK: - Running in the foreground

    @Test(arguments: [SIGTERM, SIGINT])
    func foregroundProxiesAndStopsOnSignal(stopSignal: Int32) throws {
        let backend = try TCPBackend(name: "backend-one", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let directory = try ScratchDirectory()
        let port = freePort()
        let configuration = try directory.write("usher.cfg", Self.tcpConfiguration(port: port, backendPort: backend.port))
        let pidfile = directory.path + "/usher.pid"
        let usher = try UsherProcess(["-db", "-f", configuration, "-p", pidfile])
        defer { usher.stop() }

        #expect(waitUntilListening(port, timeout: 10), "usher is not listening: \(usher.error)")
        let pid = try #require(Self.waitForPidfile(pidfile), "no pidfile: \(usher.error)")
        #expect(pid == usher.pid)
        #expect(try Self.exchange(port: port) == "backend-one")
        #expect(usher.isRunning)

        let sent = ContinuousClock.now
        usher.signal(stopSignal)
        let status = usher.waitForExit(timeout: 5)
        let elapsed = ContinuousClock.now - sent
        #expect(status == 0, "exit status \(String(describing: status)): \(usher.error)")
        #expect(elapsed < .seconds(3), "stopped after \(elapsed)")
        #expect(!FileManager.default.fileExists(atPath: pidfile), "the pidfile is left behind")
        #expect(!Self.isAccepting(port), "still listening after the stop")
    }

    @Test func foregroundFlagWinsOverDaemonInTheFile() throws {
        let backend = try TCPBackend(name: "backend-fg", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let directory = try ScratchDirectory()
        let port = freePort()
        let pidfile = directory.path + "/usher.pid"
        let configuration = try directory.write("usher.cfg", Self.tcpConfiguration(port: port, backendPort: backend.port, global: ["daemon", "pidfile \(pidfile)"]))
        let usher = try UsherProcess(["-db", "-f", configuration])
        defer { usher.stop() }

        #expect(waitUntilListening(port, timeout: 10), "usher is not listening: \(usher.error)")
        #expect(Self.waitForPidfile(pidfile) == usher.pid, "the pidfile should hold the foreground process")
        #expect(usher.isRunning, "-db must keep usher in the foreground")
        #expect(try Self.exchange(port: port) == "backend-fg")
        usher.signal(SIGTERM)
        #expect(usher.waitForExit(timeout: 5) == 0)
    }

    @Test func bindFailureInTheForegroundIsAnAlert() throws {
        let holder = try TCPBackend(name: "holder", behaviour: .announce, group: testGroup)
        defer { holder.stop() }
        let directory = try ScratchDirectory()
        let configuration = try directory.write("usher.cfg", Self.tcpConfiguration(port: holder.port, backendPort: 9))
        let result = try UsherProcess.run(["-db", "-f", configuration])
        #expect(result.status == 1)
        #expect(result.error.hasPrefix("[ALERT] "), "\(result.error)")
        #expect(result.error.contains("cannot bind 127.0.0.1:\(holder.port)") && result.error.contains("Address already in use"), "\(result.error)")
        #expect(result.error.contains("\(configuration):7"), "the bind line: \(result.error)")
    }

    // MARK: - Daemon

    enum DaemonRequest: String, CaseIterable, CustomTestStringConvertible {
        case keywordInTheFile, dashD
        var testDescription: String { rawValue }
    }

    @Test(arguments: DaemonRequest.allCases)
    func daemonDetachesOnceListening(request: DaemonRequest) throws {
        let backend = try TCPBackend(name: "backend-daemon", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let directory = try ScratchDirectory()
        let port = freePort()
        let pidfile = directory.path + "/usher.pid"
        let arguments: [String]
        switch request {
        case .keywordInTheFile:
            let configuration = try directory.write("usher.cfg", Self.tcpConfiguration(port: port, backendPort: backend.port, global: ["daemon", "pidfile \(pidfile)"]))
            arguments = ["-f", configuration]
        case .dashD:
            let configuration = try directory.write("usher.cfg", Self.tcpConfiguration(port: port, backendPort: backend.port))
            arguments = ["-D", "-f", configuration, "-p", pidfile]
        }
        let launcher = try UsherProcess(arguments)
        defer { launcher.stop() }
        var daemonPid: pid_t? = nil
        defer {
            // Whatever happened, no daemon outlives the test.
            if let pid = daemonPid ?? (try? String(contentsOfFile: pidfile, encoding: .utf8)).flatMap({ pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
               pid > 1, Self.isAlive(pid) {
                kill(pid, SIGKILL)
            }
        }

        let status = launcher.waitForLauncherExit(timeout: 20)
        #expect(status == 0, "the launching process: \(String(describing: status)) \(launcher.error)")
        // Listening already when the launcher has exited: no waiting here.
        #expect(Self.isAccepting(port), "not listening once the launcher exited")
        let text = try String(contentsOfFile: pidfile, encoding: .utf8)
        let pid = try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), "pidfile: \(text.debugDescription)")
        daemonPid = pid
        #expect(text.hasSuffix("\n"))
        #expect(pid != launcher.pid, "the pidfile holds the launcher, not the daemon")
        #expect(Self.isAlive(pid))
        #expect(try Self.exchange(port: port) == "backend-daemon")
        #expect(try Self.exchange(port: port, text: "again\n") == "backend-daemon")

        kill(pid, SIGTERM)
        #expect(Self.waitUntil(timeout: 2) { !Self.isAlive(pid) }, "the daemon ignores SIGTERM")
        #expect(!Self.isAccepting(port))
        #expect(Self.waitUntil(timeout: 1) { !FileManager.default.fileExists(atPath: pidfile) }, "the pidfile is left behind")
    }

    @Test func daemonThatCannotBindMakesTheLauncherFail() throws {
        let holder = try TCPBackend(name: "holder", behaviour: .announce, group: testGroup)
        defer { holder.stop() }
        let directory = try ScratchDirectory()
        let pidfile = directory.path + "/usher.pid"
        let configuration = try directory.write("usher.cfg", Self.tcpConfiguration(port: holder.port, backendPort: 9))
        let result = try UsherProcess.run(["-D", "-f", configuration, "-p", pidfile])
        #expect(result.status == 1)
        #expect(result.error.hasPrefix("[ALERT] "), "\(result.error)")
        #expect(result.error.contains("cannot bind 127.0.0.1:\(holder.port)") && result.error.contains("Address already in use"), "\(result.error)")
        #expect(!FileManager.default.fileExists(atPath: pidfile))
        // The holder's listener is untouched.
        #expect(try Self.exchange(port: holder.port) == "holder")
    }

    // MARK: - Soft stop

    @Test func softStopClosesTheListenerAndWaitsForTheLastConnection() throws {
        let backend = try EchoingBackend()
        defer { backend.stop() }
        let directory = try ScratchDirectory()
        let port = freePort()
        let pidfile = directory.path + "/usher.pid"
        let configuration = try directory.write("usher.cfg", Self.tcpConfiguration(port: port, backendPort: backend.port))
        let usher = try UsherProcess(["-db", "-f", configuration, "-p", pidfile])
        defer { usher.stop() }
        #expect(Self.waitForPidfile(pidfile) == usher.pid, "\(usher.error)")

        let client = try RawClient(port: port, timeout: 5)
        try client.send("one\n")
        #expect(try client.receiveLine() == "one")

        usher.signal(SIGUSR1)
        #expect(Self.waitUntil(timeout: 3) { !Self.isAccepting(port) }, "still accepting after SIGUSR1")
        #expect(throws: (any Error).self, "a new connection is refused") { try RawClient(port: port, timeout: 1) }
        #expect(usher.isRunning, "exited with a connection still open")
        try client.send("two\n")
        #expect(try client.receiveLine() == "two", "the established connection no longer works")
        try client.send("three\n")
        #expect(try client.receiveLine() == "three")
        #expect(usher.isRunning)

        let closed = ContinuousClock.now
        client.shutdownWrite()
        #expect(try client.receiveAll().isEmpty)
        let status = usher.waitForExit(timeout: 5)
        #expect(status == 0, "\(String(describing: status)): \(usher.error)")
        #expect(ContinuousClock.now - closed < .seconds(2))
        #expect(!FileManager.default.fileExists(atPath: pidfile))
    }

    @Test func stopSignalDuringASoftStopStopsAtOnce() throws {
        let backend = try EchoingBackend()
        defer { backend.stop() }
        let directory = try ScratchDirectory()
        let port = freePort()
        let pidfile = directory.path + "/usher.pid"
        let configuration = try directory.write("usher.cfg", Self.tcpConfiguration(port: port, backendPort: backend.port))
        let usher = try UsherProcess(["-db", "-f", configuration, "-p", pidfile])
        defer { usher.stop() }
        #expect(Self.waitForPidfile(pidfile) == usher.pid, "\(usher.error)")

        let client = try RawClient(port: port, timeout: 5)
        try client.send("one\n")
        #expect(try client.receiveLine() == "one")
        usher.signal(SIGUSR1)
        #expect(Self.waitUntil(timeout: 3) { !Self.isAccepting(port) }, "still accepting after SIGUSR1")

        let sent = ContinuousClock.now
        usher.signal(SIGTERM)
        let status = usher.waitForExit(timeout: 5)
        #expect(status == 0, "\(String(describing: status)): \(usher.error)")
        // The connection's own end would be `timeout client 30s` away. A sanitized usher takes
        // about a second more to exit (ThreadSanitizer's work at exit), so the bound is wider there.
        let bound: Duration = SanitizedRun.isActive ? .seconds(3) : .seconds(1)
        #expect(ContinuousClock.now - sent < bound, "SIGTERM waited for the connection to end")
        #expect(client.isClosedByPeer(within: 2), "the connection outlived the process")
        #expect(!FileManager.default.fileExists(atPath: pidfile))
    }

    @Test func hardStopAfterEndsASoftStopThatWouldNotEnd() throws {
        let backend = try EchoingBackend()
        defer { backend.stop() }
        let directory = try ScratchDirectory()
        let port = freePort()
        let configuration = try directory.write(
            "usher.cfg", Self.tcpConfiguration(port: port, backendPort: backend.port, global: ["hard-stop-after 500ms"])
        )
        let usher = try UsherProcess(["-db", "-f", configuration])
        defer { usher.stop() }
        #expect(Self.waitUntil(timeout: 5) { Self.isAccepting(port) }, "\(usher.error)")
        let client = try RawClient(port: port, timeout: 5)
        try client.send("one\n")
        #expect(try client.receiveLine() == "one")
        let sent = ContinuousClock.now
        usher.signal(SIGUSR1)
        // The connection stays open, so only hard-stop-after can end the process.
        let status = usher.waitForExit(timeout: 5)
        #expect(status == 0, "\(String(describing: status)): \(usher.error)")
        let waited = ContinuousClock.now - sent
        #expect(waited >= .milliseconds(400) && waited < .seconds(3), "stopped after \(waited)")
        #expect(client.isClosedByPeer(within: 2))
    }

    // MARK: - Other flags

    @Test func versionFlagPrintsAVersionLine() throws {
        let result = try UsherProcess.run(["-v"])
        #expect(result.status == 0)
        #expect(result.output.range(of: #"^usher version \d+\.\d+\.\d+\b.*\n$"#, options: .regularExpression) != nil, "\(result.output.debugDescription)")
    }

    @Test func unknownFlagIsRefused() throws {
        let result = try UsherProcess.run(["--no-such-flag", "-f", RepositoryPaths.seedConfiguration])
        #expect(result.status != 0)
        #expect(result.output.isEmpty)
        #expect(result.error.contains("--no-such-flag"), "\(result.error)")
    }

    // MARK: - Helpers

    /// A TCP frontend on `port` in front of one server on `backendPort`. Without `global` lines, the
    /// bind is on line 7 and the `extra` frontend lines start on line 8.
    static func tcpConfiguration(port: Int, backendPort: Int, global: [String] = [], extra: [String] = []) -> String {
        var lines = global.isEmpty ? [] : ["global"] + global.map { "    " + $0 }
        lines += ["defaults", "    mode tcp", "    timeout client 30s", "    timeout server 30s", "    timeout connect 5s",
                  "frontend fe", "    bind 127.0.0.1:\(port)"]
        lines += extra.map { "    " + $0 }
        lines += ["    default_backend be", "backend be", "    server s1 127.0.0.1:\(backendPort)"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// One connection: sends `text`, returns the line the announcing backend answers.
    static func exchange(port: Int, text: String = "hello\n") throws -> String {
        let client = try RawClient(port: port, timeout: 5)
        try client.send(text)
        return try client.receiveLine()
    }

    static func isAccepting(_ port: Int) -> Bool {
        (try? RawClient(port: port, timeout: 1)) != nil
    }

    static func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while true {
            if condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            usleep(20_000)
        }
    }

    /// The pid in `path` once it has been written.
    static func waitForPidfile(_ path: String, timeout: Double = 10) -> pid_t? {
        var pid: pid_t?
        _ = waitUntil(timeout: timeout) {
            pid = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return pid != nil
        }
        return pid
    }

    /// Whether `pid` is a running process (a zombie, exited but not yet reaped, counts as gone).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.range(of: ") ", options: .backwards) else { return true }
        return !stat[end.upperBound...].hasPrefix("Z")
    }
}

/// A TCP server on 127.0.0.1 that sends back whatever it receives, for as long as the client stays.
final class EchoingBackend: Sendable {
    let channel: Channel

    init() throws {
        channel = try ServerBootstrap(group: testGroup)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(EchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    var port: Int { channel.localAddress!.port! }

    func stop() {
        try? channel.close().wait()
    }

    private final class EchoHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(data, promise: nil)
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }
    }
}
