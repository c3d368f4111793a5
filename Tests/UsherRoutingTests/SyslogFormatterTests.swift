import Testing
@testable import UsherConfig
@testable import UsherRouting

/// Datagrams and lines from docs/haproxy-reference-observations.md §2.1 and §2.4.
@Suite("Syslog framing")
struct SyslogFormatterTests {
    static let formatter = SyslogFormatter(tag: "haproxy", processID: 5199, hostname: nil)
    static let time = LogTimestamp(year: 2026, month: 11, day: 27, hour: 1, minute: 23, second: 54, millisecond: 452, microsecond: 452_123)
    static let message = "127.0.0.1:41830 [27/Nov/2026:01:23:54.452] https-in pumpio-ssl/pump 1/0/7 1901 -- 1/1/0/0/0 0/0"

    static func target(
        _ destination: LogTarget.Destination = .udp(host: "127.0.0.1", port: 514), format: LogTarget.Format = .rfc3164,
        facility: SyslogFacility = .local2, level: SyslogLevel = .debug, minimumLevel: SyslogLevel? = nil, length: Int = 1024
    ) -> LogTarget {
        LogTarget(
            destination: destination, format: format, facility: facility, level: level, minimumLevel: minimumLevel, maximumLength: length,
            location: UsherConfig.SourceLocation(file: "t.cfg", line: 1)
        )
    }

    /// HAProxy 2.6 ends every UDP datagram with a newline (observed: `…0/0\n`).
    @Test func rfc3164DatagramMatchesHAProxy() {
        let framed = Self.formatter.frame(Self.message, level: .info, at: Self.time, for: Self.target())
        #expect(framed == "<150>Nov 27 01:23:54 haproxy[5199]: " + Self.message + "\n")
    }

    @Test func priorityIsFacilityTimesEightPlusSeverity() {
        func pri(_ level: SyslogLevel, _ facility: SyslogFacility = .local2) -> String {
            let framed = Self.formatter.frame("m", level: level, at: Self.time, for: Self.target(facility: facility))
            return String(framed.prefix { $0 != ">" }.dropFirst())
        }
        #expect(pri(.info) == "150")
        #expect(pri(.alert) == "145")
        #expect(pri(.emerg) == "144")
        #expect(pri(.notice) == "149")
        #expect(pri(.info, .local0) == "134")
        #expect(pri(.emerg, .kern) == "0")
    }

    @Test func dayIsSpacePadded() {
        let early = LogTimestamp(year: 2026, month: 3, day: 5, hour: 7, minute: 8, second: 9)
        #expect(early.rfc3164Text == "Mar  5 07:08:09")
        let framed = Self.formatter.frame("m", level: .info, at: early, for: Self.target())
        #expect(framed == "<150>Mar  5 07:08:09 haproxy[5199]: m\n")
    }

    @Test func stdoutLine() {
        let framed = Self.formatter.frame(Self.message, level: .info, at: Self.time, for: Self.target(.stdout, facility: .local0))
        #expect(framed == "<134>Nov 27 01:23:54 haproxy[5199]: " + Self.message + "\n")
    }

    @Test func rawFormatIsTheMessageAlone() {
        let framed = Self.formatter.frame(Self.message, level: .info, at: Self.time, for: Self.target(.stdout, format: .raw, facility: .local0))
        #expect(framed == Self.message + "\n")
    }

    @Test func rfc5424() {
        let time = LogTimestamp(year: 2026, month: 11, day: 27, hour: 1, minute: 25, second: 41, millisecond: 159, microsecond: 159_124)
        let formatter = SyslogFormatter(tag: "haproxy", processID: 6779, hostname: nil)
        let framed = formatter.frame("msg", level: .info, at: time, for: Self.target(format: .rfc5424))
        #expect(framed == "<150>1 2026-11-27T01:25:41.159124+00:00 - haproxy 6779 - - msg\n")
        let east = LogTimestamp(year: 2026, month: 1, day: 2, hour: 3, minute: 4, second: 5, microsecond: 6, utcOffset: 5 * 3600 + 30 * 60)
        #expect(east.rfc5424Text == "2026-01-02T03:04:05.000006+05:30")
        let west = LogTimestamp(year: 2026, month: 1, day: 2, hour: 3, minute: 4, second: 5, utcOffset: -3600)
        #expect(west.rfc5424Text.hasSuffix("-01:00"))
    }

    @Test func healthMessages() {
        let down = "Server servers-ssl/server-ssl1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."
        let time = LogTimestamp(year: 2026, month: 11, day: 27, hour: 1, minute: 24, second: 6)
        #expect(Self.formatter.frame(down, level: .alert, at: time, for: Self.target()) == "<145>Nov 27 01:24:06 haproxy[5199]: " + down + "\n")
        #expect(Self.formatter.frame("backend servers-ssl has no server available!", level: .emerg, at: time, for: Self.target())
            == "<144>Nov 27 01:24:06 haproxy[5199]: backend servers-ssl has no server available!\n")
    }

    /// `log … len N`: the text is cut to N bytes and the newline follows, as HAProxy 2.6 sends it
    /// (observed: `len 80` gives 81-byte datagrams, over UDP and over a UNIX socket).
    @Test func lengthLimitIsBeforeTheNewline() {
        let long = String(repeating: "x", count: 500)
        let framed = Self.formatter.frame(long, level: .info, at: Self.time, for: Self.target(length: 100))
        #expect(framed.utf8.count == 101)
        #expect(framed.hasPrefix("<150>Nov 27 01:23:54 haproxy[5199]: xxx"))
        #expect(framed.hasSuffix("x\n"))
        let short = Self.formatter.frame("ok", level: .info, at: Self.time, for: Self.target(length: 100))
        #expect(short == "<150>Nov 27 01:23:54 haproxy[5199]: ok\n")
    }

    /// `log ADDR FACILITY LEVEL MINLEVEL`: a more severe message is sent at MINLEVEL (HAProxy's
    /// `MAX(level, minlvl)`); a less severe one keeps its own.
    @Test func minimumLevelCapsSeverity() {
        let target = Self.target(minimumLevel: .notice)
        #expect(Self.formatter.frame("m", level: .emerg, at: Self.time, for: target).hasPrefix("<149>"))
        #expect(Self.formatter.frame("m", level: .alert, at: Self.time, for: target).hasPrefix("<149>"))
        #expect(Self.formatter.frame("m", level: .info, at: Self.time, for: target).hasPrefix("<150>"))
    }

    @Test func levelFilter() {
        let target = Self.target(level: .notice)
        #expect(SyslogFormatter.accepts(.emerg, target: target))
        #expect(SyslogFormatter.accepts(.notice, target: target))
        #expect(!SyslogFormatter.accepts(.info, target: target))
        #expect(!SyslogFormatter.accepts(.debug, target: target))
    }

    @Test func otherFormats() {
        #expect(Self.formatter.frame("m", level: .info, at: Self.time, for: Self.target(format: .short)) == "<6>m\n")
        #expect(Self.formatter.frame("m", level: .info, at: Self.time, for: Self.target(format: .priority)) == "<150>m\n")
        #expect(Self.formatter.frame("m", level: .info, at: Self.time, for: Self.target(format: .timed)) == "<150>Nov 27 01:23:54 m\n")
        #expect(Self.formatter.frame("m", level: .info, at: Self.time, for: Self.target(format: .iso)) == "2026-11-27T01:23:54.452123+00:00 m\n")
    }
}
