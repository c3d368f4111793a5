import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `option httplog` lines, received as syslog datagrams, compared field by field with the line
/// HAProxy 2.6 (/usr/sbin/haproxy) sends for the same configuration and the same client traffic.
///
/// Each case starts a fresh HAProxy and a fresh usher (in process) on the same configuration, each
/// in front of its own recording origin scripted with the same replies, plays the same client
/// bytes against both, and finds each proxy's lines by the client's port.
///
/// What may differ, and is normalised: the client port, the date, the timer values (their number,
/// and whether each is `-1`, must agree), and the byte count. HAProxy 2.6 counts `%B` on its
/// internal (HTX) form of the response, not on the wire: a few bytes off for a forwarded response
/// (113 logged for the 110 bytes of the first case), 0 for the error pages its HTTP/1 layer sends
/// itself (400, 408). The doc (8.2.3, "bytes_read") says "the
/// total number of bytes transmitted to the client", so usher's count is checked against what the
/// client received instead. Everything else — names, status, cookies, termination state with its
/// cookie flags, counters, queues, captures, request line — must be the same.
///
/// `USHER_DIFF_VERBOSE=1` prints both lines of every case.
@Suite(.serialized, .enabled(if: ExternalProcess.required("haproxy"), "needs /usr/sbin/haproxy"))
struct HTTPLogComparisonTests {
    /// The configuration both proxies run. `frontend fe` routes by path to every kind of backend;
    /// `fe-capture` captures headers. `backend servers` is the seed's, persistence cookie included.
    static func configuration(syslog: Int, port: Int, capturePort: Int, origin: String, dead: String, extraDefaults: [String]) -> String {
        """
        global
            log 127.0.0.1:\(syslog) local0
        defaults
            log global
            mode http
            option httplog
            option http-server-close
            timeout connect 2s
            timeout client 5s
            timeout server 5s
            timeout http-request 1s
            timeout http-keep-alive 5s
            timeout tunnel 1s
            timeout tarpit 300ms
        \(extraDefaults.map { "    " + $0 + "\n" }.joined())frontend fe
            bind 127.0.0.1:\(port)
            tcp-request content reject if { path_beg /tcp-reject }
            http-request deny if { path_beg /forbidden }
            http-request tarpit if { path_beg /tarpit }
            http-request silent-drop if { path_beg /silent }
            use_backend dead if { path_beg /dead }
            use_backend down if { path_beg /down }
            use_backend slow if { path_beg /slow }
            use_backend servers if { path_beg /app }
            default_backend web
        frontend fe-capture
            bind 127.0.0.1:\(capturePort)
            capture request header Host len 20
            capture response header Content-Type len 20
            default_backend web
        backend web
            server web1 \(origin)
        backend servers
            option httpclose
            option forwardfor
            cookie JSESSIONID prefix
            server server1 \(origin) cookie A
        backend dead
            retries 1
            server dead1 \(dead)
        backend down
            server down1 \(dead) check inter 100ms fall 1 rise 1
        backend slow
            timeout server 1s
            server slow1 \(origin)

        """
    }

    @Test(arguments: HTTPLogCase.all)
    func sameLineAsHAProxy(_ logCase: HTTPLogCase) async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let haproxy = try LoggingProxy(.haproxy, syslog: syslog, replies: logCase.replies)
        defer { haproxy.stop() }
        try await haproxy.waitForProbeLines()
        let usher = try LoggingProxy(.usher, syslog: syslog, replies: logCase.replies)
        defer { usher.stop() }

        let expected = try await haproxy.play(logCase)
        try #require(
            expected.lines.count == logCase.lines,
            "HAProxy sent \(expected.lines.count) lines, the case expects \(logCase.lines): \(expected.lines)\n\(haproxy.log)")
        let actual = try await usher.play(logCase)
        if DifferentialSettings.verbose {
            print(
                "=== \(logCase.name)\nHAProxy: \(expected.lines.joined())usher:   \(actual.lines.joined())"
                    + "client received \(expected.responseSizes) bytes from HAProxy, \(actual.responseSizes) from usher")
        }
        #expect(
            actual.lines.count == expected.lines.count,
            "\(logCase.name): usher sent \(actual.lines.count) lines, HAProxy \(expected.lines.count)\nHAProxy: \(expected.lines)\nusher: \(actual.lines)")

        for (index, (haproxyLine, usherLine)) in zip(expected.lines, actual.lines).enumerated() {
            let differences = Self.differences(haproxy: haproxyLine, usher: usherLine)
            #expect(differences.isEmpty, "\(logCase.name), line \(index + 1): \(differences.joined(separator: "; "))\nHAProxy: \(haproxyLine)\nusher:   \(usherLine)")
            // The bytes the client received for this response (0 if none came).
            let received = index < actual.responseSizes.count ? actual.responseSizes[index] : 0
            let logged = LogLine(usherLine)?.field(.bytes) ?? "?"
            #expect(logged == "\(received)", "\(logCase.name), line \(index + 1): usher logs \(logged) bytes, the client received \(received)\nusher: \(usherLine)")
            #expect(LogLine(usherLine)?.clientPort == actual.clientPort, "\(logCase.name): usher's line names another client port than \(actual.clientPort): \(usherLine)")
        }
    }

    /// `option dontlognull`: a connection that brought nothing is not logged, by either proxy; the
    /// request on the next connection is.
    @Test func dontlognullLeavesOutTheEmptyConnection() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        for kind in [ProxyKind.haproxy, .usher] {
            let proxy = try LoggingProxy(kind, syslog: syslog, replies: [.ok], extraDefaults: ["option dontlognull"])
            defer { proxy.stop() }
            // No probe lines to wait for: give HAProxy a moment to see the probes close.
            try await Task.sleep(for: .milliseconds(300))
            let empty = try await proxy.play(HTTPLogCase("empty", "", responses: 0, lines: 0))
            let normal = try await proxy.play(HTTPLogCase("normal", Request.get("/after"), responses: 1))
            // Any late line for the empty connection would have come by now.
            #expect(proxy.lines(clientPort: empty.clientPort).isEmpty, "\(kind) logged the empty connection: \(proxy.lines(clientPort: empty.clientPort))")
            #expect(normal.lines.count == 1 && normal.lines[0].contains("\"GET /after HTTP/1.1\""), "\(kind): \(normal.lines)")
        }
    }

    /// `option logasap`: the line is sent as the response head goes out, its total time and
    /// byte count marked `+` (so far), and otherwise as HAProxy's.
    @Test func logasapMarksTheFiguresSoFar() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        var lines: [ProxyKind: String] = [:]
        for kind in [ProxyKind.haproxy, .usher] {
            let proxy = try LoggingProxy(kind, syslog: syslog, replies: [.ok], extraDefaults: ["option logasap"])
            defer { proxy.stop() }
            let played = try await proxy.play(HTTPLogCase("logasap", Request.get("/early"), responses: 1))
            #expect(played.lines.count == 1, "\(kind): \(played.lines)")
            lines[kind] = played.lines.first
        }
        for (kind, line) in lines {
            let parsed = try #require(LogLine(line), "\(kind): \(line)")
            #expect(parsed.field(.timers).split(separator: "/").last?.hasPrefix("+") == true, "\(kind): \(parsed.field(.timers))")
            #expect(parsed.field(.bytes).hasPrefix("+"), "\(kind): \(parsed.field(.bytes))")
        }
        if let haproxy = lines[.haproxy], let usher = lines[.usher] {
            #expect(Self.differences(haproxy: haproxy, usher: usher).isEmpty, "\(Self.differences(haproxy: haproxy, usher: usher))\nHAProxy: \(haproxy)\nusher:   \(usher)")
        }
    }

    // MARK: - Comparing lines

    /// The fields that differ once what must differ is normalised, named, with both values.
    /// `ac/fc/bc/sc/rc`: the process's and the frontend's connection counts may include, on
    /// either side, the previous case's connection still closing (a proxy closes asynchronously):
    /// they may differ by one; the backend, server and retry counts may not.
    static func sameCounters(_ mine: String, _ theirs: String) -> Bool {
        let a = mine.split(separator: "/").compactMap { Int($0) }, b = theirs.split(separator: "/").compactMap { Int($0) }
        guard a.count == 5, b.count == 5 else { return false }
        return abs(a[0] - b[0]) <= 1 && abs(a[1] - b[1]) <= 1 && a[2...] == b[2...]
    }

    static func differences(haproxy: String, usher: String) -> [String] {
        guard let expected = LogLine(haproxy) else { return ["HAProxy's line is not an httplog line"] }
        guard let actual = LogLine(usher) else { return ["usher's line is not an httplog line"] }
        var result: [String] = []
        if expected.priority != actual.priority { result.append("syslog priority \(actual.priority), HAProxy \(expected.priority)") }
        if expected.endsWithNewline != actual.endsWithNewline { result.append("datagram ending differs") }
        if !actual.hasValidHeader { result.append("syslog header not in HAProxy's format") }
        if !actual.hasValidDate { result.append("date not in HAProxy's format: \(actual.field(.date))") }
        for field in LogLine.Field.allCases where field != .bytes {
            let mine = actual.normalized(field), theirs = expected.normalized(field)
            if field == .counters, Self.sameCounters(mine, theirs) { continue }
            if mine != theirs { result.append("\(field.rawValue) \(mine.debugDescription), HAProxy \(theirs.debugDescription)") }
        }
        return result
    }
}

/// One client exchange the suite replays through both proxies.
struct HTTPLogCase: Sendable, CustomTestStringConvertible {
    enum Frontend: Sendable {
        /// `frontend fe`, without captures.
        case main
        /// `frontend fe-capture`.
        case capture
    }

    var name: String
    var frontend: Frontend
    /// Sent as soon as connected (one byte per character); nothing if empty.
    var request: String
    /// Shut the sending side once the request is out.
    var halfClose: Bool
    /// Responses the client waits for (a 101 counts) before it waits for the lines.
    var responses: Int
    /// Seconds to wait before connecting (for health checks to run).
    var delay: Double
    /// Lines the connection produces.
    var lines: Int
    /// What the origin answers, request after request.
    var replies: [RecordingOrigin.Reply]

    init(
        _ name: String, _ request: String, frontend: Frontend = .main, halfClose: Bool = false, responses: Int, lines: Int = 1,
        replies: [RecordingOrigin.Reply] = [.ok], delay: Double = 0
    ) {
        self.name = name
        self.frontend = frontend
        self.request = request
        self.halfClose = halfClose
        self.responses = responses
        self.lines = lines
        self.replies = replies
        self.delay = delay
    }

    var testDescription: String { name }

    static let html = HTTPWire.Field("Content-Type", "text/html; charset=utf-8")

    static let all: [HTTPLogCase] = [
        .init("200 from the origin", Request.get("/index.html"), responses: 1, replies: [.ok("<p>hello</p>\n", [html])]),
        .init("404 from the origin", Request.get("/missing"), responses: 1, replies: [.status(404, "Not Found", body: "not here\n")]),
        .init("POST with a body", Request.post("/form", body: "name=usher&kind=proxy"), responses: 1, replies: [.ok("thanks\n")]),
        .init("403 from http-request deny", Request.get("/forbidden"), responses: 1, replies: []),
        // HAProxy logs `-1` for TR and the time held as Tw, with `PT`.
        .init("500 from http-request tarpit after timeout tarpit", Request.get("/tarpit"), responses: 1, replies: []),
        // No status, no request time, `PR`.
        .init("http-request silent-drop", Request.get("/silent"), responses: 0, replies: []),
        // In mode http the content rules run on each request; HAProxy logs the refused one as `<BADREQ>`.
        .init("tcp-request content reject in mode http", Request.get("/tcp-reject"), responses: 0, replies: []),
        .init("503 when the server refuses the connection (retries 1)", Request.get("/dead"), responses: 1, replies: []),
        .init("503 when the only server is down (health check)", Request.get("/down"), responses: 1, replies: [], delay: 0.8),
        .init("504 when the server does not answer within timeout server", Request.get("/slow"), responses: 1, replies: [.silence]),
        .init(
            "captured request and response headers, truncated to len 20", Request.get("/captured"), frontend: .capture, responses: 1,
            replies: [.ok("<p>hello</p>\n", [html])]),
        .init("captures of a missing header, quotes in the target", "GET /q?a=\"b\"&c=%20 HTTP/1.0\r\n\r\n", frontend: .capture, responses: 1),
        .init(
            "persistence cookie set by the server (prefix)", Request.get("/app"), responses: 1,
            replies: [.ok("app\n", [.init("Set-Cookie", "JSESSIONID=abc123; Path=/")])]),
        .init("valid persistence cookie from the client", Request.get("/app", ["Cookie: JSESSIONID=A~abc123"]), responses: 1, replies: [.ok("app\n")]),
        .init("persistence cookie for an unknown server", Request.get("/app", ["Cookie: JSESSIONID=Z~abc123"]), responses: 1, replies: [.ok("app\n")]),
        .init("400 for a header line without a colon", Request.get("/", ["Bad Header"]), responses: 1, replies: []),
        .init("400 on a capturing frontend", "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", frontend: .capture, responses: 1, replies: []),
        .init(
            // What a client speaking TLS to the HTTP port sends: no line end to wait for, the first
            // byte already cannot start a method.
            "400 at once for a TLS ClientHello (no line end in it)",
            "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{FC}\u{03}\u{03}" + String(repeating: "\u{AB}", count: 32), responses: 1, replies: []),
        .init("400 when the client closes in the middle of the head", "GET /partial HT", halfClose: true, responses: 1, replies: []),
        .init("408 when the head does not come within timeout http-request", "GET /wait HTTP/1.1\r\nHost: x\r\n", responses: 1, replies: []),
        .init(
            "two requests on one keep-alive connection", Request.get("/one") + Request.get("/two"), responses: 2, lines: 2,
            replies: [.ok("one\n"), .ok("two\n")]),
        .init(
            "WebSocket upgrade, tunnel closed by timeout tunnel",
            Request.get("/chat", ["Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Key: \(UpgradeOrigin.exampleKey)", "Sec-WebSocket-Version: 13"]),
            responses: 1,
            replies: [
                .init(
                    status: 101, reason: "Switching Protocols",
                    fields: [.init("Upgrade", "websocket"), .init("Connection", "Upgrade"), .init("Sec-WebSocket-Accept", UpgradeOrigin.exampleAccept)],
                    body: "", framing: .bodiless)
            ]),
        // Doc, "option dontlognull": "By default, even a simple port probe or scan will produce a log."
        .init("a connection closed without sending a byte (no dontlognull)", "", responses: 0),
    ]
}

/// An httplog line split into its fields. The first twelve are single words; the rest — the
/// optional capture blocks and the quoted request line — is kept as one piece.
struct LogLine {
    enum Field: String, CaseIterable {
        case client = "client address"
        case date
        case frontend
        case backendAndServer = "backend/server"
        case timers = "timers TR/Tw/Tc/Tr/Ta"
        case status
        case bytes
        case requestCookie = "captured request cookie"
        case responseCookie = "captured response cookie"
        case termination = "termination state"
        case counters = "counters ac/fc/bc/sc/rc"
        case queues = "queues sq/bq"
        case rest = "captures and request line"
    }

    let priority: String
    let endsWithNewline: Bool
    let fields: [String]
    /// `<PRI>`, an RFC 3164 date, the program name and its pid.
    let hasValidHeader: Bool

    init?(_ datagram: String) {
        guard datagram.hasPrefix("<"), let close = datagram.firstIndex(of: ">"), let start = datagram.range(of: "]: ") else { return nil }
        priority = String(datagram[...close])
        endsWithNewline = datagram.hasSuffix("\n")
        hasValidHeader = datagram.range(of: #"^<\d+>[A-Z][a-z]{2} [ 1-3][0-9] \d\d:\d\d:\d\d [a-z]+\[\d+\]: "#, options: .regularExpression) != nil
        let body = datagram[start.upperBound...].trimmingCharacters(in: .newlines)
        fields = body.split(separator: " ", maxSplits: Field.allCases.count - 1, omittingEmptySubsequences: false).map(String.init)
        guard fields.count == Field.allCases.count else { return nil }
    }

    func field(_ field: Field) -> String {
        fields[Field.allCases.firstIndex(of: field)!]
    }

    var clientPort: Int? {
        field(.client).split(separator: ":").last.flatMap { Int($0) }
    }

    var hasValidDate: Bool {
        field(.date).range(of: #"^\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]$"#, options: .regularExpression) != nil
    }

    /// The field with what differs by nature blanked.
    func normalized(_ field: Field) -> String {
        let value = self.field(field)
        switch field {
        case .client: return String(value.split(separator: ":").first ?? "")
        case .date: return "[date]"
        case .timers: return value.split(separator: "/", omittingEmptySubsequences: false).map { $0 == "-1" ? "-1" : "t" }.joined(separator: "/")
        case .bytes: return "bytes"
        default: return value
        }
    }
}

/// HAProxy or usher running the suite's configuration, with its own origin.
private final class LoggingProxy {
    let kind: ProxyKind
    let port = freePort()
    let capturePort = freePort()
    let origin: RecordingOrigin
    let syslog: SyslogCollector
    private let directory: ScratchDirectory
    private var haproxy: Process?
    private var usher: UsherUnderTest?
    private var probes: [ClientSocket] = []
    private var probePorts: [Int] = []

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// What one case gave on one proxy.
    struct Outcome {
        var clientPort: Int
        /// Wire sizes of the responses the client received, in order.
        var responseSizes: [Int]
        var lines: [String]
    }

    init(_ kind: ProxyKind, syslog: SyslogCollector, replies: [RecordingOrigin.Reply], extraDefaults: [String] = []) throws {
        self.kind = kind
        self.syslog = syslog
        directory = try ScratchDirectory()
        // The same name for both origins: the responses they send are then the same bytes.
        origin = try RecordingOrigin(name: "origin", replies: replies.isEmpty ? [.ok] : replies)
        let text = HTTPLogComparisonTests.configuration(
            syslog: syslog.port, port: port, capturePort: capturePort, origin: origin.address, dead: "127.0.0.1:\(freePort())",
            extraDefaults: extraDefaults)
        switch kind {
        case .haproxy:
            let file = try directory.write("haproxy.cfg", text)
            let process = try ExternalProcess.start(["haproxy", "-db", "-f", file], logFile: directory.path + "/haproxy.log")
            haproxy = process
            // One probe per listener that got through: HAProxy logs each (no `dontlognull`).
            for listener in [port, capturePort] {
                guard let probe = Self.connect(listener, timeout: 10, alive: { process.isRunning }) else {
                    let log = self.log
                    stop()
                    throw Failure(description: "HAProxy did not start:\n\(log)")
                }
                probePorts.append(Self.localPort(probe.fd))
                // Both directions shut: the proxy reads the end of the stream, as after a close.
                shutdown(probe.fd, Int32(SHUT_RDWR))
                probes.append(probe)
            }
        case .usher:
            usher = try UsherUnderTest(text)
        }
    }

    /// The syslog tag of the proxy's lines.
    var tag: String { kind == .haproxy ? "haproxy[" : "usher[" }

    var log: String { (try? String(contentsOfFile: directory.path + "/haproxy.log", encoding: .utf8)) ?? "" }

    /// HAProxy logs the readiness probes (empty connections, no `dontlognull`) once it has seen
    /// them close: after that, they no longer count in a line's connection figures.
    func waitForProbeLines() async throws {
        for probePort in probePorts {
            let logged = try await waitForLines(clientPort: probePort, count: 1, timeout: 3)
            // Not logged after all: at least let the close be seen.
            if logged.isEmpty { try await Task.sleep(for: .milliseconds(300)) }
        }
        probes.removeAll()
    }

    /// A connection to 127.0.0.1:`port` once something listens there (nil after `timeout` seconds,
    /// or once `alive` says the listener's program has gone).
    static func connect(_ port: Int, timeout: Double, alive: () -> Bool) -> ClientSocket? {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if let socket = try? ClientSocket(port: port, timeout: 1) { return socket }
            guard alive() else { return nil }
            Thread.sleep(forTimeInterval: 0.02)
        } while Date() < deadline
        return nil
    }

    /// This proxy's lines for the client port `clientPort`, in arrival order.
    func lines(clientPort: Int) -> [String] {
        let marker = "]: 127.0.0.1:\(clientPort) ["
        return syslog.received.filter { $0.contains(tag) && $0.contains(marker) }
    }

    func waitForLines(clientPort: Int, count: Int, timeout: Double = 5) async throws -> [String] {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while ContinuousClock.now < deadline {
            let found = lines(clientPort: clientPort)
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
        return lines(clientPort: clientPort)
    }

    /// Connects, sends the case's bytes, reads its responses, waits for its lines while the
    /// connection is still open (so the line's figures count it), then closes.
    func play(_ logCase: HTTPLogCase) async throws -> Outcome {
        if logCase.delay > 0 { try await Task.sleep(for: .milliseconds(Int(logCase.delay * 1000))) }
        let client = try ClientSocket(port: logCase.frontend == .main ? port : capturePort)
        let clientPort = Self.localPort(client.fd)
        if !logCase.request.isEmpty { try client.send(HTTPWire.bytes(logCase.request)) }
        if logCase.halfClose { shutdown(client.fd, Int32(SHUT_WR)) }
        let sizes = logCase.responses > 0 ? Self.readResponses(client, count: logCase.responses, sent: HTTPWire.bytes(logCase.request)) : []
        if logCase.responses == 0 {
            // A probe: connect, and close without a byte.
            shutdown(client.fd, Int32(SHUT_RDWR))
            // Both proxies log an empty connection within milliseconds, or never.
            let lines = try await waitForLines(clientPort: clientPort, count: max(1, logCase.lines), timeout: 1.5)
            return Outcome(clientPort: clientPort, responseSizes: [], lines: lines)
        }
        let lines = try await waitForLines(clientPort: clientPort, count: logCase.lines, timeout: 5)
        withExtendedLifetime(client) {}
        return Outcome(clientPort: clientPort, responseSizes: sizes, lines: lines)
    }

    /// Reads until `count` responses (1xx included) are complete, the stream ends, or 5 seconds
    /// pass; returns each response's size on the wire.
    static func readResponses(_ client: ClientSocket, count: Int, sent: [UInt8]) -> [Int] {
        let methods = HTTPClientConnection.requestMethods(in: sent)
        var buffer: [UInt8] = []
        var sizes: [Int] = []
        var ended = false
        let deadline = Date().addingTimeInterval(5)
        while sizes.count < count {
            let method = sizes.count < methods.count ? methods[sizes.count] : "GET"
            switch HTTPWire.parseResponse(buffer[...], requestMethod: method, atEnd: ended) {
            case .complete(_, let consumed):
                sizes.append(consumed)
                buffer.removeFirst(consumed)
                continue
            case .invalid:
                return sizes + [buffer.count]
            case .incomplete:
                break
            }
            guard !ended, Date() < deadline else { return buffer.isEmpty ? sizes : sizes + [buffer.count] }
            var descriptor = pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000))) > 0 else { continue }
            let chunk = (try? client.receive()) ?? []
            if chunk.isEmpty { ended = true } else { buffer += chunk }
        }
        return sizes
    }

    static func localPort(_ fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func stop() {
        if let haproxy, haproxy.isRunning {
            haproxy.terminate()
            let deadline = Date().addingTimeInterval(3)
            while haproxy.isRunning && Date() < deadline { usleep(20_000) }
            if haproxy.isRunning { kill(haproxy.processIdentifier, SIGKILL) }
            haproxy.waitUntilExit()
        }
        haproxy = nil
        usher?.stop()
        usher = nil
        origin.stop()
    }

    deinit {
        stop()
    }
}
