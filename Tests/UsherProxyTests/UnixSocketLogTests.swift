import Foundation
import Glibc
import Logging
import NIOConcurrencyHelpers
import Testing
import UsherConfig
@testable import UsherProxy

/// Log lines received on a UNIX datagram socket the test binds, as a syslog daemon's `/dev/log`:
/// their format, level and hostname, `sample`, `len`, `log-separate-errors`, `dontlog-normal`,
/// `httplog clf`, `log-format` in mode tcp, `log-health-checks`; a socket removed and created again
/// while usher runs, and one missing at start. Expected lines are those HAProxy 2.6 sent for the same
/// configuration (see docs/differences-from-haproxy.md for the few on purpose differences).
@Suite(.serialized)
final class UnixSocketLogTests {
    static let defaults = """
        defaults
            log global
            mode tcp
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        """

    /// One TCP exchange: send `payload`, read the backend's answer to the end.
    static func exchange(port: Int, payload: String = "ping") throws {
        let client = try RawClient(port: port)
        try client.send(payload)
        client.shutdownWrite()
        _ = try client.receiveAll()
    }

    /// One HTTP/1.1 request on its own connection; returns the response.
    static func get(port: Int, _ path: String) throws -> String {
        let client = try RawClient(port: port)
        try client.send("GET \(path) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        return String(decoding: try client.receiveAll(), as: UTF8.self)
    }

    /// A port nothing listens on: the kernel's choice for a socket that is then closed.
    static func deadPort() throws -> Int {
        let holder = try TCPBackend(name: "gone", behaviour: .announce, group: testGroup)
        let port = holder.port
        holder.stop()
        return port
    }

    static func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: pattern, options: .regularExpression) != nil
    }

    // MARK: - format, hostname, level, len

    @Test func tcpLogFormatWithHostnameLevelsAndLen() async throws {
        let syslog = try UnixSyslogCollector()
        defer { syslog.stop() }
        let short = try UnixSyslogCollector()
        defer { short.stop() }
        let backend = try TCPBackend(name: "backend-answer", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let dead = try Self.deadPort()
        let usher = try UsherUnderTest("""
            global
                log \(syslog.path) local0
                log unix@\(short.path) len 80 format rfc5424 local1 info
                log-send-hostname edge-1
            \(Self.defaults)
            frontend fet
                bind 127.0.0.1:0
                option log-separate-errors
                log-format "TCP %ci %ft %b/%s %B %ts %U %{+Q}ft %hr end"
                default_backend bt
            frontend broken
                bind 127.0.0.1:0
                option tcplog
                option log-separate-errors
                default_backend dead
            backend bt
                server s1 127.0.0.1:\(backend.port)
            backend dead
                retries 0
                server s9 127.0.0.1:\(dead)
            """)
        defer { usher.stop() }
        try Self.exchange(port: usher.port("fet"), payload: "hello")

        // No `format`, log-send-hostname set: an RFC 3164 header with the hostname; local0.info = 134.
        let line = try #require(try await syslog.waitFor(" fet bt/s1 "), "\(syslog.received)")
        #expect(Self.matches(line, #"^<134>[A-Z][a-z]{2} [ 1-3][0-9] \d\d:\d\d:\d\d edge-1 usher\[\d+\]: TCP 127\.0\.0\.1 fet bt/s1 15 -- 5 "fet" end\n$"#), "\(line.debugDescription)")
        // RFC 5424 with the hostname; local1.info = 142; `len 80` keeps 80 bytes, then the newline.
        let cut = try #require(try await short.waitFor(" edge-1 usher "), "\(short.received)")
        #expect(Self.matches(cut, #"^<142>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d edge-1 usher \d+ - - TCP "#), "\(cut.debugDescription)")
        #expect(cut.utf8.count == 81 && !cut.contains("end"), "\(cut.debugDescription)")

        // A refused server: an error, raised to err (local0.err = 131) by log-separate-errors.
        _ = try? Self.exchange(port: usher.port("broken"))
        let error = try #require(try await syslog.waitFor(" broken dead/s9 ", timeout: 10), "\(syslog.received)")
        #expect(error.hasPrefix("<131>"), "\(error)")
        #expect(Self.matches(error, #" SC \d+/\d+/\d+/\d+/\d+ 0/0\n$"#), "\(error)")
    }

    // MARK: - sample, len

    @Test func sampleSendsTheChosenPositionsAndLenCuts() async throws {
        let syslog = try UnixSyslogCollector()
        defer { syslog.stop() }
        let backend = try TCPBackend(name: "backend-answer", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let padding = String(repeating: "x", count: 100)
        let usher = try UsherUnderTest("""
            global
                log unix@\(syslog.path) len 80 sample 2,4-5:5 local0
            \(Self.defaults)
            frontend fe
                bind 127.0.0.1:0
                log-format "n=%U \(padding)"
                default_backend bt
            backend bt
                server s1 127.0.0.1:\(backend.port)
            """)
        defer { usher.stop() }
        // Session n sends n bytes, so its line says which one it is.
        for n in 1...7 {
            try Self.exchange(port: usher.port("fe"), payload: String(repeating: "a", count: n))
            _ = try await syslog.waitFor("n=\(n) ", timeout: 0.3)
        }
        let lines = try await syslog.waitFor(4, containing: "n=")
        try await Task.sleep(for: .milliseconds(200))
        let numbers = syslog.received.compactMap { line in
            line.range(of: #"n=\d+"#, options: .regularExpression).map { String(line[$0].dropFirst(2)) }
        }
        #expect(numbers == ["2", "4", "5", "7"], "\(syslog.received)")
        for line in lines {
            #expect(line.utf8.count == 81 && line.hasSuffix("x\n"), "\(line.debugDescription)")
        }
    }

    // MARK: - HTTP: httplog clf, log-separate-errors, dontlog-normal

    @Test func httpClfSeparateErrorsAndDontlogNormal() async throws {
        let syslog = try UnixSyslogCollector()
        defer { syslog.stop() }
        let good = try RecordingOrigin(name: "good", replies: [.ok("fine\n")])
        defer { good.stop() }
        let failing = try RecordingOrigin(name: "failing", replies: [.status(500, "Internal Server Error", body: "no\n")])
        defer { failing.stop() }
        let usher = try UsherUnderTest("""
            global
                log \(syslog.path) local0
            \(Self.defaults)
                mode http
            frontend clf
                bind 127.0.0.1:0
                option httplog clf
                option log-separate-errors
                use_backend failing if { path_beg /err }
                default_backend good
            frontend quiet
                bind 127.0.0.1:0
                option httplog
                option dontlog-normal
                use_backend failing if { path_beg /err }
                default_backend good
            backend good
                server g 127.0.0.1:\(good.port)
            backend failing
                server f 127.0.0.1:\(failing.port)
            """)
        defer { usher.stop() }
        #expect(try Self.get(port: usher.port("clf"), "/fine").hasPrefix("HTTP/1.1 200"))
        #expect(try Self.get(port: usher.port("clf"), "/err").hasPrefix("HTTP/1.1 500"))
        #expect(try Self.get(port: usher.port("quiet"), "/fine-quiet").hasPrefix("HTTP/1.1 200"))
        #expect(try Self.get(port: usher.port("quiet"), "/err-quiet").hasPrefix("HTTP/1.1 500"))

        let fine = try #require(try await syslog.waitFor("\"GET /fine HTTP/1.1\""), "\(syslog.received)")
        // CLF: client, identities, [date +0000], request, status, bytes, then HAProxy's fields quoted
        // or not as HAProxy 2.6 prints them, a space at the end (no captures).
        let clf = #"127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET /fine HTTP/1\.1" 200 \d+ "" "" \d+ \d{3} "clf" "good" "g" \d+ \d+ \d+ \d+ \d+ ---- \d+ \d+ \d+ \d+ 0 0 0 "" "" \n$"#
        #expect(fine.hasPrefix("<134>") && Self.matches(fine, clf), "\(fine.debugDescription)")
        let error = try #require(try await syslog.waitFor("\"GET /err HTTP/1.1\""), "\(syslog.received)")
        #expect(error.hasPrefix("<131>") && error.contains(" 500 "), "\(error)")

        // dontlog-normal: the 5xx is logged (at info, without log-separate-errors), the 200 is not.
        let quietError = try #require(try await syslog.waitFor("\"GET /err-quiet HTTP/1.1\""), "\(syslog.received)")
        #expect(quietError.hasPrefix("<134>") && quietError.contains(" quiet failing/f "), "\(quietError)")
        try await Task.sleep(for: .milliseconds(300))
        #expect(!syslog.received.contains { $0.contains("/fine-quiet") }, "\(syslog.received)")
    }

    // MARK: - log-health-checks

    @Test func healthCheckLinesAsHAProxyWritesThem() async throws {
        let syslog = try UnixSyslogCollector()
        defer { syslog.stop() }
        let up = try TCPBackend(name: "up", behaviour: .announce, group: testGroup)
        defer { up.stop() }
        let laterPort = try Self.deadPort()
        let usher = try UsherUnderTest("""
            global
                log \(syslog.path) local0
            \(Self.defaults)
            frontend fe
                bind 127.0.0.1:0
                default_backend bk
            backend bk
                option log-health-checks
                server s1 127.0.0.1:\(up.port) check inter 200 rise 2 fall 3
                server s2 127.0.0.1:\(laterPort) check inter 200 rise 2 fall 3
            backend drained
                option log-health-checks
                server s3 127.0.0.1:\(up.port) weight 0 check inter 200 rise 2 fall 3
            """)
        defer { usher.stop() }
        // local0.notice = 133 for check lines, local0.alert = 129 for the state change.
        let s1 = try #require(try await syslog.waitFor("server bk/s1 succeeded"), "\(syslog.received)")
        #expect(Self.matches(s1, #"^<133>.*usher\[\d+\]: Health check for server bk/s1 succeeded, reason: Layer4 check passed, check duration: \d+ms, status: 3/3 UP\.\n$"#), "\(s1)")
        // A server at weight 0 takes no new clients: DRAIN, as HAProxy 2.6 writes it.
        let s3 = try #require(try await syslog.waitFor("server drained/s3 succeeded"), "\(syslog.received)")
        #expect(s3.hasSuffix(", status: 3/3 DRAIN.\n"), "\(s3)")
        let s2 = try #require(try await syslog.waitFor("server bk/s2 failed"), "\(syslog.received)")
        #expect(Self.matches(s2, #"^<133>.*: Health check for server bk/s2 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: \d+ms, status: 0/2 DOWN\.\n$"#), "\(s2)")
        // With the option, the state change does not repeat the reason.
        let down = try #require(try await syslog.waitFor("Server bk/s2 is DOWN"), "\(syslog.received)")
        #expect(Self.matches(down, #"^<129>.*: Server bk/s2 is DOWN\. 1 active and 0 backup servers left\. 0 sessions active, 0 requeued, 0 remaining in queue\.\n$"#), "\(down)")

        // The server comes up: one line per check that changes its health, then the state change.
        let later = try TCPBackend(name: "later", behaviour: .announce, group: testGroup, port: laterPort)
        defer { later.stop() }
        let rising = try #require(try await syslog.waitFor("status: 1/2 DOWN"), "\(syslog.received)")
        #expect(rising.contains("Health check for server bk/s2 succeeded, reason: Layer4 check passed"), "\(rising)")
        #expect(try await syslog.waitFor("server bk/s2 succeeded, reason: Layer4 check passed, check duration: ") != nil)
        let upLine = try #require(try await syslog.waitFor("Server bk/s2 is UP"), "\(syslog.received)")
        #expect(upLine.hasSuffix("Server bk/s2 is UP. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.\n"), "\(upLine)")
        // Checks that change nothing (a healthy server stays at 3/3) are not logged.
        try await Task.sleep(for: .milliseconds(600))
        #expect(syslog.received.filter { $0.contains("bk/s1 succeeded") }.count == 1, "\(syslog.received)")
    }

    // MARK: - the same configuration through HAProxy 2.6

    static func differentialConfiguration(socket: String, port: Int, backend: Int, dead: Int) -> String {
        """
        global
            nbthread 1
            log-tag haproxy
            log unix@\(socket) local0
            log-send-hostname edge-1
        \(defaults)
        frontend fet
            bind 127.0.0.1:\(port)
            option log-separate-errors
            # The readiness probe of the HAProxy run sends nothing: not logged.
            option dontlognull
            log-format "TCP %ci %ft %b/%s %B %ts %tsc %ST %U %Th %hr %rc %{+Q}ft %ID end"
            default_backend bt
        backend bt
            option log-health-checks
            server s1 127.0.0.1:\(backend) check inter 300 rise 2 fall 3
            server s2 127.0.0.1:\(dead) check inter 300 rise 2 fall 3

        """
    }

    /// A datagram with what differs by nature (date, pid, check duration) masked.
    static func comparable(_ datagram: String) -> String {
        datagram
            .replacingOccurrences(of: #"^(<\d+>)[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d "#, with: "$1DATE ", options: .regularExpression)
            .replacingOccurrences(of: #"haproxy\[\d+\]"#, with: "haproxy[PID]", options: .regularExpression)
            .replacingOccurrences(of: #"check duration: \d+ms"#, with: "check duration: Nms", options: .regularExpression)
    }

    /// Health lines, their state change, then one session: what each proxy sent, masked.
    static func run(_ start: () throws -> Int, syslog: UnixSyslogCollector) async throws -> [String] {
        let port = try start()
        _ = try await syslog.waitFor("Server bt/s2 is DOWN", timeout: 10)
        try await Task.sleep(for: .milliseconds(300))
        try exchange(port: port, payload: "hello")
        _ = try await syslog.waitFor("TCP 127.0.0.1 fet", timeout: 5)
        return syslog.received.map(comparable).sorted()
    }

    @Test(.enabled(if: ExternalProcess.required("haproxy")))
    func sameLinesAsHAProxyOverAUnixSocket() async throws {
        let backend = try TCPBackend(name: "backend-answer", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let dead = try Self.deadPort()

        let usherLog = try UnixSyslogCollector()
        defer { usherLog.stop() }
        var usher: UsherUnderTest?
        defer { usher?.stop() }
        let usherLines = try await Self.run({
            let started = try UsherUnderTest(Self.differentialConfiguration(socket: usherLog.path, port: 0, backend: backend.port, dead: dead))
            usher = started
            return started.port("fet")
        }, syslog: usherLog)

        let haproxyLog = try UnixSyslogCollector()
        defer { haproxyLog.stop() }
        let haproxyPort = freePort()
        let configuration = haproxyLog.directory + "/haproxy.cfg"
        try Self.differentialConfiguration(socket: haproxyLog.path, port: haproxyPort, backend: backend.port, dead: dead)
            .write(toFile: configuration, atomically: true, encoding: .utf8)
        var haproxy: Process?
        defer {
            haproxy?.terminate()
            haproxy?.waitUntilExit()
            unlink(configuration)
            unlink(haproxyLog.directory + "/haproxy.log")
        }
        let haproxyLines = try await Self.run({
            haproxy = try ExternalProcess.start(["haproxy", "-db", "-f", configuration], logFile: haproxyLog.directory + "/haproxy.log")
            #expect(waitUntilListening(haproxyPort))
            return haproxyPort
        }, syslog: haproxyLog)

        #expect(usherLines == haproxyLines, "usher:\n\(usherLines.joined())\nhaproxy:\n\(haproxyLines.joined())")
    }

    static func httpDifferentialConfiguration(main: String, sampled: String, port: Int, quietPort: Int, good: Int, failing: Int) -> String {
        """
        global
            nbthread 1
            log-tag haproxy
            log unix@\(main) local0
            log \(sampled) len 90 format rfc3164 sample 1,3:3 local1 info
        \(defaults)
            mode http
        frontend clf
            bind 127.0.0.1:\(port)
            option httplog clf
            option log-separate-errors
            option dontlognull
            use_backend failing if { path_beg /err }
            default_backend good
        frontend quiet
            bind 127.0.0.1:\(quietPort)
            option httplog
            option dontlog-normal
            option dontlognull
            capture request header Host len 20
            use_backend failing if { path_beg /err }
            default_backend good
        backend good
            server g 127.0.0.1:\(good)
        backend failing
            server f 127.0.0.1:\(failing)

        """
    }

    /// An HTTP log datagram with what differs by nature masked: dates, pid, client port, the
    /// accept milliseconds and the timers; and the byte count, as usher forwards the response's
    /// fields as the server wrote them and adds `Connection: close` where HAProxy 2.6 lowercases
    /// the names and adds nothing (not a logging matter).
    static func comparableHTTP(_ datagram: String) -> String {
        comparable(datagram)
            .replacingOccurrences(of: #"\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d(\.\d{3}| \+0000)\]"#, with: "[DATE]", options: .regularExpression)
            .replacingOccurrences(of: #"127\.0\.0\.1:\d+ "#, with: "127.0.0.1:PORT ", options: .regularExpression)
            .replacingOccurrences(of: #" -?\d+/-?\d+/-?\d+/-?\d+/-?\d+ "#, with: " TIMERS ", options: .regularExpression)
            .replacingOccurrences(of: #"("" "" )\d+ \d{3} ("[^"]*" "[^"]*" "[^"]*") -?\d+ -?\d+ -?\d+ -?\d+ -?\d+ "#, with: "$1PORT MS $2 TIMERS ", options: .regularExpression)
            .replacingOccurrences(of: #"(HTTP/1\.1" \d{3}) \d+ "#, with: "$1 BYTES ", options: .regularExpression)
            .replacingOccurrences(of: #"( TIMERS \d{3}) \d+ "#, with: "$1 BYTES ", options: .regularExpression)
    }

    /// Five requests, each line awaited before the next; the lines of both targets, masked, in order.
    static func runHTTP(_ ports: (clf: Int, quiet: Int), main: UnixSyslogCollector, sampled: UnixSyslogCollector) async throws -> [[String]] {
        let requests: [(Int, String, Bool)] = [(ports.clf, "/a", true), (ports.clf, "/err", true), (ports.quiet, "/b", false), (ports.quiet, "/err2", true), (ports.clf, "/c", true)]
        var expected = 0
        for (port, path, logged) in requests {
            _ = try get(port: port, path)
            if logged {
                expected += 1
                _ = try await main.waitFor(expected, containing: " HTTP/1.1\"")
            }
        }
        // The sampled target keeps lines 1, 3 and 4 of the four: wait for them (a loaded machine
        // may deliver them late), then a moment more for any line that should not be there.
        _ = try await sampled.waitFor(3, containing: "")
        try await Task.sleep(for: .milliseconds(300))
        return [main.received.map(comparableHTTP), sampled.received.map(comparableHTTP)]
    }

    @Test(.enabled(if: ExternalProcess.required("haproxy")))
    func sameHTTPLinesAsHAProxy() async throws {
        let good = try RecordingOrigin(name: "good", replies: [.ok("fine\n")])
        defer { good.stop() }
        let failing = try RecordingOrigin(name: "failing", replies: [.status(500, "Internal Server Error", body: "no\n")])
        defer { failing.stop() }

        let usherMain = try UnixSyslogCollector()
        defer { usherMain.stop() }
        let usherSampled = try UnixSyslogCollector()
        defer { usherSampled.stop() }
        let usher = try UsherUnderTest(Self.httpDifferentialConfiguration(
            main: usherMain.path, sampled: usherSampled.path, port: 0, quietPort: 0, good: good.port, failing: failing.port))
        defer { usher.stop() }
        let usherLines = try await Self.runHTTP((usher.port("clf"), usher.port("quiet")), main: usherMain, sampled: usherSampled)

        let haproxyMain = try UnixSyslogCollector()
        defer { haproxyMain.stop() }
        let haproxySampled = try UnixSyslogCollector()
        defer { haproxySampled.stop() }
        let (clfPort, quietPort) = (freePort(), freePort())
        let configuration = haproxyMain.directory + "/haproxy.cfg"
        try Self.httpDifferentialConfiguration(
            main: haproxyMain.path, sampled: haproxySampled.path, port: clfPort, quietPort: quietPort, good: good.port, failing: failing.port
        ).write(toFile: configuration, atomically: true, encoding: .utf8)
        let haproxy = try ExternalProcess.start(["haproxy", "-db", "-f", configuration], logFile: haproxyMain.directory + "/haproxy.log")
        defer {
            haproxy.terminate()
            haproxy.waitUntilExit()
            unlink(configuration)
            unlink(haproxyMain.directory + "/haproxy.log")
        }
        #expect(waitUntilListening(clfPort) && waitUntilListening(quietPort))
        let haproxyLines = try await Self.runHTTP((clfPort, quietPort), main: haproxyMain, sampled: haproxySampled)

        #expect(usherLines[0] == haproxyLines[0], "usher:\n\(usherLines[0].joined())\nhaproxy:\n\(haproxyLines[0].joined())")
        // The sampled target cuts lines at `len 90`: where the cut falls moves with the width of
        // each process's pid in the header, so those lines are compared up to the masked date.
        func head(_ lines: [String]) -> [String] {
            lines.map { line in line.range(of: "[DATE]").map { String(line[..<$0.upperBound]) } ?? line }
        }
        #expect(head(usherLines[1]) == head(haproxyLines[1]), "usher:\n\(usherLines[1].joined())\nhaproxy:\n\(haproxyLines[1].joined())")
        #expect(usherLines[1].allSatisfy { $0.utf8.count <= 91 }, "cut at len 90: \(usherLines[1])")
        #expect(usherLines[0].count == 4 && usherLines[1].count == 3)
    }

    // MARK: - stdout

    /// `log stdout`: the usher executable writes the lines (here a server going down) on its
    /// standard output, through its writer thread, and has written them all when it stops.
    @Test func stdoutTargetOfTheExecutable() throws {
        let directory = try ScratchDirectory()
        let dead = try Self.deadPort()
        let configuration = try directory.write("usher.cfg", """
            global
                log stdout format raw local0
            \(Self.defaults)
            frontend fe
                bind 127.0.0.1:0
                default_backend bk
            backend bk
                server s1 127.0.0.1:\(dead) check inter 200
            """)
        let usher = try UsherProcess(["-db", "-f", configuration])
        defer { usher.stop() }
        #expect(usher.waitForOutput("Server bk/s1 is DOWN", timeout: 10), "stdout: \(usher.output)\nstderr: \(usher.error)")
        usher.signal(SIGTERM)
        #expect(usher.waitForExit(timeout: 5) == 0)
        let lines = usher.output.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("Server bk/s1 is DOWN, reason: Layer4 connection problem") }, "\(lines)")
        #expect(lines.contains("backend bk has no server available!"), "\(lines)")
    }

    // MARK: - a socket that goes away, one missing at start

    @Test func socketRemovedAndCreatedAgainWhileUsherRuns() async throws {
        let syslog = try UnixSyslogCollector()
        defer { syslog.stop() }
        let backend = try TCPBackend(name: "backend-answer", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let usher = try UsherUnderTest("""
            global
                log \(syslog.path) local0
            \(Self.defaults)
            frontend fe
                bind 127.0.0.1:0
                log-format "session %U"
                default_backend bt
            backend bt
                server s1 127.0.0.1:\(backend.port)
            """)
        defer { usher.stop() }
        try Self.exchange(port: usher.port("fe"), payload: "a")
        #expect(try await syslog.waitFor("session 1") != nil, "\(syslog.received)")

        // The daemon stops: its socket disappears. Traffic goes on; its lines are dropped.
        syslog.remove()
        let log = usher.server.runtime.log
        let droppedBefore = log.droppedMessages
        try Self.exchange(port: usher.port("fe"), payload: "aa")
        // The session's line is sent once both of its connections are closed: it is dropped, counted.
        let deadline = ContinuousClock.now + .seconds(5)
        while log.droppedMessages == droppedBefore && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(log.droppedMessages == droppedBefore + 1)
        // The daemon is back, with a new socket at the same path: the next line reaches it.
        try syslog.open()
        try Self.exchange(port: usher.port("fe"), payload: "aaa")
        #expect(try await syslog.waitFor("session 3") != nil, "\(syslog.received)")
        #expect(!syslog.received.contains { $0.contains("session 2") })
    }

    @Test func missingSocketAtStartWarnsAndIsTriedLater() async throws {
        let syslog = try UnixSyslogCollector(bound: false)
        defer { syslog.stop() }
        let backend = try TCPBackend(name: "backend-answer", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let text = """
            global
                log \(syslog.path) local0
            \(Self.defaults)
            frontend fe
                bind 127.0.0.1:0
                log-format "session %U"
                default_backend bt
            backend bt
                server s1 127.0.0.1:\(backend.port)
            """
        let loaded = ConfigurationLoader(environment: [:]).compile([.init(name: "test.cfg", text: text)])
        let table = try #require(loaded.table, "\(loaded.alerts)")
        let captured = CapturedLog()
        let server = try UsherServer(table: table, logger: Logger(label: "usher-test") { _ in captured })
        defer { server.shutdown() }
        try server.start()
        let warning = try #require(captured.messages.first { $0.contains(syslog.path) }, "\(captured.messages)")
        #expect(warning.hasPrefix("warning ") && warning.contains("test.cfg:2") && warning.contains("No such file or directory"), "\(warning)")

        // usher serves traffic without it…
        let port = try #require(server.boundAddresses(frontend: "fe").first?.port)
        let client = try RawClient(port: port)
        try client.send("ab")
        #expect(try client.receiveLine() == "backend-answer")
        client.shutdownWrite()
        _ = try client.receiveAll()
        // …and once the socket exists, the lines reach it.
        try syslog.open()
        try Self.exchange(port: port, payload: "abc")
        #expect(try await syslog.waitFor("session 3") != nil, "\(syslog.received)")
    }
}

/// Keeps the messages of a swift-log logger, as "level message".
final class CapturedLog: LogHandler, @unchecked Sendable {
    private let box = NIOLockedValueBox<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var messages: [String] { box.withLockedValue { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        box.withLockedValue { $0.append("\(event.level) \(event.message)") }
    }
}
