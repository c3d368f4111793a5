import NIOCore
import Testing
@testable import UsherConfig
@testable import UsherRouting

/// The pure parts of usher's logging options: the syslog header's hostname, `len`, separators in
/// `log-format`, the TCP `log-format`, `option httplog clf`, the level and filtering of
/// `log-separate-errors`/`dontlog-normal`, and `log-health-checks`' status. Expected lines are those
/// HAProxy 2.6 sent for the same configuration.
@Suite("Logging options")
struct LoggingOptionsTests {
    static let time = LogTimestamp(year: 2026, month: 12, day: 2, hour: 2, minute: 33, second: 20, millisecond: 504, microsecond: 504_123)

    static func target(_ format: LogTarget.Format, explicit: Bool, length: Int = 1024) -> LogTarget {
        LogTarget(
            destination: .unix(path: "/dev/log"), format: format, facility: .local0, level: .debug, minimumLevel: nil,
            maximumLength: length, hasExplicitFormat: explicit, location: UsherConfig.SourceLocation(file: "t.cfg", line: 2)
        )
    }

    // MARK: - log-send-hostname

    @Test func hostnameFollowsLogSendHostnameAndTheFormat() {
        let without = SyslogFormatter(tag: "haproxy", processID: 9890, hostname: nil)
        let with = SyslogFormatter(tag: "haproxy", processID: 9890, hostname: "myhost")
        func frame(_ formatter: SyslogFormatter, _ format: LogTarget.Format, explicit: Bool) -> String {
            formatter.frame("m", level: .info, at: Self.time, for: Self.target(format, explicit: explicit))
        }
        // No `format` word: no hostname field unless log-send-hostname gives one.
        #expect(frame(without, .rfc3164, explicit: false) == "<134>Dec  2 02:33:20 haproxy[9890]: m\n")
        #expect(frame(with, .rfc3164, explicit: false) == "<134>Dec  2 02:33:20 myhost haproxy[9890]: m\n")
        // `format rfc3164` always has one.
        #expect(frame(without, .rfc3164, explicit: true) == "<134>Dec  2 02:33:20 localhost haproxy[9890]: m\n")
        #expect(frame(with, .rfc3164, explicit: true) == "<134>Dec  2 02:33:20 myhost haproxy[9890]: m\n")
        // `format local` never has one.
        #expect(frame(with, .local, explicit: true) == "<134>Dec  2 02:33:20 haproxy[9890]: m\n")
        // RFC 5424: "-" without log-send-hostname.
        #expect(frame(without, .rfc5424, explicit: true) == "<134>1 2026-12-02T02:33:20.504123+00:00 - haproxy 9890 - - m\n")
        #expect(frame(with, .rfc5424, explicit: true) == "<134>1 2026-12-02T02:33:20.504123+00:00 myhost haproxy 9890 - - m\n")
    }

    // MARK: - len

    @Test func lenCutsTheTextBeforeTheNewline() {
        let formatter = SyslogFormatter(tag: "haproxy", processID: 13672, hostname: nil)
        let message = "127.0.0.1:55446 [02/Dec/2026:02:34:12.424] fet bt/s9 1/-1/3006 0 SC 1/1/0/0/3 0/0"
        let framed = formatter.frame(message, level: .err, at: Self.time, for: Self.target(.local, explicit: true, length: 80))
        #expect(framed.utf8.count == 81)
        #expect(framed == "<131>Dec  2 02:33:20 haproxy[13672]: 127.0.0.1:55446 [02/Dec/2026:02:34:12.424] \n")
        // A character is never cut in half.
        let accented = formatter.frame(String(repeating: "é", count: 100), level: .info, at: Self.time, for: Self.target(.raw, explicit: true, length: 81))
        #expect(accented == String(repeating: "é", count: 40) + "\n")
    }

    // MARK: - log-format

    static let facts = LogFormatLine.Facts(
        frontendAddress: "127.0.0.1", frontendPort: 18002, serverAddress: "127.0.0.1", serverPort: 18080, bytesFromClient: 81,
        acceptDate: LogTimestamp(year: 2026, month: 12, day: 2, hour: 2, minute: 33, second: 45, millisecond: 7), hostname: "vm", pid: 42
    )

    static let tcpRecord = TCPLogRecord(
        clientAddress: "127.0.0.1", clientPort: 40000, acceptDate: facts.acceptDate, frontend: "fet", backend: "bt", server: "s1",
        queueTime: 1, connectTime: 0, totalTime: 2, bytesToClient: 117, termination: .normal, activeConnections: 1,
        frontendConnections: 1, backendConnections: 0, serverConnections: 0, retries: 0, redispatched: false, serverQueue: 0, backendQueue: 0
    )

    func renderTCP(_ format: String) throws -> String {
        var context = SampleContext(
            connection: ConnectionInfo(source: IPAddress("127.0.0.1"), sourcePort: 40000, destination: nil, destinationPort: 18002),
            payload: ByteBuffer(), isFinal: true, request: nil
        )
        return try LogFormatLine(format).render(Self.tcpRecord, Self.facts, &context)
    }

    @Test func tcpLogFormatAsHAProxyPrintsIt() throws {
        // HAProxy 2.6: "TCP 127.0.0.1 fet bt/s1 1/0/2 117 -- ---- 0 81 0 0 "fet" - 007" (%hr printed nothing).
        #expect(try renderTCP(#"TCP %ci %ft %b/%s %Tw/%Tc/%Tt %B %ts %tsc %ST %U %Th %hr %rc %{+Q}ft %ID %ms"#)
            == #"TCP 127.0.0.1 fet bt/s1 1/0/2 117 -- ---- 0 81 0 0 "fet" - 007"#)
        #expect(try renderTCP("%[src]:%cp %fi:%fp %si:%sp %H") == "127.0.0.1:40000 127.0.0.1:18002 127.0.0.1:18080 vm")
    }

    @Test func separatorsCollapse() throws {
        // HAProxy 2.6 printed "lead 127.0.0.1 x 007 ""|-| end" for this format.
        #expect(try renderTCP(#" lead %ci  x %hr %hs %ms %{+Q}CC|%CC| end"#) == #"lead 127.0.0.1 x 007 ""|-| end"#)
        #expect(try renderTCP(#"a\ \ b"#) == "a  b")
    }

    @Test func httpOnlyVariablesAreNamed() throws {
        #expect(try LogFormatLine("%ci %r %Ta").httpOnlyNames == ["%r", "%Ta"])
        #expect(try LogFormatLine("%ci %[req.hdr(host)]").httpOnlyNames == ["req.hdr"])
        #expect(try LogFormatLine("%ci %Tt %B %[src]").httpOnlyNames.isEmpty)
    }

    @Test func tcpLogFormatWithHTTPVariablesIsRefusedAtItsLine() throws {
        let configuration = try #require(ConfigurationParser().parse(RoutingFixtures.quietDefaults + """

            frontend fet
                bind :80
                log stdout local0
                log-format "%ci %r"
                default_backend bt
            backend bt
                server s 127.0.0.1:80
            """, file: "t.cfg").configuration)
        let (table, diagnostics) = RoutingTable.compile(configuration, loadPatternFile: { _ in [] })
        #expect(table == nil)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.location == UsherConfig.SourceLocation(file: "t.cfg", line: 8))
        #expect(diagnostics.first?.message.contains("'%r' reads HTTP") == true, "\(diagnostics)")
    }

    @Test func tcpLogFormatIsCompiled() throws {
        let table = try RoutingFixtures.table(RoutingFixtures.quietDefaults + """

            frontend fet
                bind :80
                log-format "%ci %b/%s %Tt"
                default_backend bt
            backend bt
                server s 127.0.0.1:80
            """)
        #expect(try table.frontend("fet").logFormat != nil)
    }

    // MARK: - option httplog clf

    @Test func commonLogFormatAsHAProxyPrintsIt() {
        var record = HTTPLogRecordTests.record(
            port: 53530, date: (2, 33, 20, 0), frontend: "fe", backend: "be", server: "s1", times: (0, 0, 0, 6, 6), status: 200,
            bytes: 120, termination: .normal, request: "GET /hello HTTP/1.1"
        )
        let date = LogTimestamp(year: 2026, month: 12, day: 2, hour: 2, minute: 33, second: 20)
        #expect(record.commonLogFormatLine(requestDateUTC: date, acceptMillisecond: 504)
            == #"127.0.0.1 - - [02/Dec/2026:02:33:20 +0000] "GET /hello HTTP/1.1" 200 120 "" "" 53530 504 "fe" "be" "s1" 0 0 0 6 6 ---- 1 1 0 0 0 0 0 "" "" "#)
        record.capturedRequestHeaders = ["127.0.0.1:18001", #"a"b c"#]
        record.capturedResponseHeaders = ["6"]
        #expect(record.commonLogFormatLine(requestDateUTC: date, acceptMillisecond: 7).hasSuffix(#" 007 "fe" "be" "s1" 0 0 0 6 6 ---- 1 1 0 0 0 0 0 "" "" "127.0.0.1:18001" "a#22b c" "6""#))
        let bad = HTTPLogRecordTests.record(
            port: 36326, date: (2, 36, 33, 0), frontend: "fe", backend: "fe", server: "<NOSRV>", times: (-1, -1, -1, -1, 0), status: 400,
            bytes: 0, termination: TerminationState(.proxy, .request), request: nil
        )
        #expect(bad.commonLogFormatLine(requestDateUTC: date, acceptMillisecond: 700)
            == #"127.0.0.1 - - [02/Dec/2026:02:33:20 +0000] "<BADREQ>" 400 0 "" "" 36326 700 "fe" "fe" "<NOSRV>" -1 -1 -1 -1 0 PR-- 1 1 0 0 0 0 0 "" "" "#)
    }

    /// HAProxy documents `option httplog clf` as this log-format; written out, it gives the same line.
    static let clfFormat = #"%{+Q}o %{-Q}ci - - [%trg] %r %ST %B \"\" \"\" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl"#

    @Test func theDocumentedCLFLogFormatGivesTheCLFLine() throws {
        let date = LogTimestamp(year: 2026, month: 12, day: 2, hour: 2, minute: 33, second: 20, millisecond: 504)
        var record = HTTPLogRecordTests.record(
            port: 53530, date: (2, 33, 20, 0), frontend: "fe", backend: "be", server: "s1", times: (0, 0, 0, 6, 6), status: 200,
            bytes: 120, termination: .normal, request: "GET /hello HTTP/1.1"
        )
        var facts = Self.facts
        facts.acceptDate = date
        var context = SampleContext(
            connection: ConnectionInfo(source: IPAddress("127.0.0.1"), sourcePort: 53530, destination: nil, destinationPort: 80),
            payload: ByteBuffer(), isFinal: true, request: nil
        )
        let format = try LogFormatLine(Self.clfFormat)
        #expect(format.render(record, facts, &context) == record.commonLogFormatLine(requestDateUTC: record.requestDate, acceptMillisecond: 504))
        record.capturedRequestHeaders = ["127.0.0.1:18001", #"a"b c"#]
        record.capturedResponseHeaders = ["6"]
        #expect(format.render(record, facts, &context) == record.commonLogFormatLine(requestDateUTC: record.requestDate, acceptMillisecond: 504))
        #expect(format.render(record, facts, &context).hasSuffix(#" "" "" "127.0.0.1:18001" "a#22b c" "6""#))
    }

    @Test func quotingAppliesToTextsOnly() throws {
        // HAProxy 2.6 with `%{+Q}o`: `"127.0.0.1" 41548 "fe" "be" "s1" 200 195 ---- -- "box" "" 42 "" "{www.example.org|q#22x}" "www.example.org" "q#22x" "GET" … "127.0.0.1" fe`.
        var record = HTTPLogRecordTests.record(
            port: 41548, date: (3, 53, 25, 228), frontend: "fe", backend: "be", server: "s1", times: (1, 0, 2, 3, 9), status: 200,
            bytes: 195, termination: .normal, headers: (["www.example.org", #"q"x"#], nil), request: "GET /p?q=1 HTTP/1.1"
        )
        record.capturedResponseHeaders = nil
        var context = SampleContext(
            connection: ConnectionInfo(source: IPAddress("127.0.0.1"), sourcePort: 41548, destination: nil, destinationPort: 80),
            payload: ByteBuffer(), isFinal: true, request: nil
        )
        let line = try LogFormatLine("%{+Q}o %ci %cp %ft %b %s %ST %B %tsc %ts %H %ID %pid %CC %hr %hrl %HM %HU %HP %HQ %HV %r %[src] %{-Q}ft %rc")
            .render(record, Self.facts, &context)
        #expect(line == #""127.0.0.1" 41548 "fe" "be" "s1" 200 195 ---- -- "vm" "" 42 "" "{www.example.org|q#22x}" "www.example.org" "q#22x" "GET" "/p?q=1" "/p" "?q=1" "HTTP/1.1" "GET /p?q=1 HTTP/1.1" "127.0.0.1" fe 0"#)
        #expect(try LogFormatLine("%ID %CC %{+Q}ID").render(record, Self.facts, &context) == #"- - """#)
    }

    @Test func requestDatesInCLFForm() throws {
        let paris = LogTimestamp(year: 2027, month: 1, day: 1, hour: 0, minute: 30, second: 5, utcOffset: 3600)
        #expect(paris.clfDateText == "01/Jan/2027:00:30:05 +0100")
        #expect(paris.utc.clfDateText == "31/Dec/2026:23:30:05 +0000")
        let newYork = LogTimestamp(year: 2024, month: 2, day: 28, hour: 22, minute: 0, second: 0, utcOffset: -5 * 3600)
        #expect(newYork.utc.clfDateText == "29/Feb/2024:03:00:00 +0000")
        #expect(newYork.clfDateText == "28/Feb/2024:22:00:00 -0500")
    }

    // MARK: - log-separate-errors, dontlog-normal

    @Test func errorsAsHAProxyJudgesThem() {
        #expect(!SessionLogPolicy.isError(termination: .normal, retries: 0, redispatched: false, status: 200))
        #expect(!SessionLogPolicy.isError(termination: .normal, retries: 0, redispatched: false, status: 404))
        #expect(SessionLogPolicy.isError(termination: .normal, retries: 0, redispatched: false, status: 500))
        #expect(SessionLogPolicy.isError(termination: .normal, retries: 1, redispatched: false))
        #expect(SessionLogPolicy.isError(termination: .normal, retries: 0, redispatched: true))
        #expect(SessionLogPolicy.isError(termination: TerminationState(.serverAbort, .connect), retries: 0, redispatched: false))
        #expect(SessionLogPolicy.isError(termination: TerminationState(.clientTimeout, .data), retries: 0, redispatched: false))
        // The proxy answering by itself (a `return`, a redirect) is not an error.
        #expect(!SessionLogPolicy.isError(termination: TerminationState(.local, .request), retries: 0, redispatched: false, status: 302))
    }

    @Test func levels() {
        #expect(SessionLogPolicy().level(isError: true) == .info)
        #expect(SessionLogPolicy().level(isError: false) == .info)
        #expect(SessionLogPolicy(separateErrors: true).level(isError: true) == .err)
        #expect(SessionLogPolicy(separateErrors: true).level(isError: false) == .info)
        #expect(SessionLogPolicy(dontLogNormal: true).level(isError: false) == nil)
        #expect(SessionLogPolicy(separateErrors: true, dontLogNormal: true).level(isError: true) == .err)
    }

    // MARK: - log-health-checks

    @Test func healthStatusAsHAProxyCountsIt() {
        var machine = HealthStateMachine(rise: 2, fall: 3, inter: .seconds(2), fastinter: .seconds(2), downinter: .seconds(2))
        var statuses: [String] = []
        for success in [true, false, false, false, true, true, false] {
            _ = machine.record(success: success)
            statuses.append(machine.logStatus())
        }
        // The sequence HAProxy 2.6 logged for a server going up, down and up again (rise 2, fall 3).
        #expect(statuses == ["3/3 UP", "2/3 UP", "1/3 UP", "0/2 DOWN", "1/2 DOWN", "3/3 UP", "2/3 UP"])
        #expect(machine.logStatus(draining: true) == "2/3 DRAIN")
    }
}
