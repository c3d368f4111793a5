import Testing

@testable import UsherConfig

/// `log` lines with UNIX datagram sockets, `len`, `format`, `sample`; `log-send-hostname`; the
/// logging options. Each accepted keyword lands in the model; each bad value is refused at its line.
@Suite struct LogTargetTests {
    static func global(_ lines: [String]) -> ConfigurationParser.Outcome {
        parse("global\n" + lines.map { "    \($0)\n" }.joined() + quietDefaults + "\n")
    }

    @Test func unixSocketTargets() throws {
        let outcome = Self.global([
            "log /dev/log local0",
            "log unix@/run/syslog.sock len 200 format rfc5424 sample 2,4-5:5 local1 info notice",
        ])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let targets = try #require(outcome.configuration?.global.logTargets)
        #expect(targets.count == 2)
        #expect(targets[0].destination == .unix(path: "/dev/log"))
        #expect(targets[0].facility == .local0)
        #expect(targets[0].format == .rfc3164 && !targets[0].hasExplicitFormat)
        #expect(targets[0].sample == nil)
        #expect(targets[1].destination == .unix(path: "/run/syslog.sock"))
        #expect(targets[1].maximumLength == 200)
        #expect(targets[1].format == .rfc5424 && targets[1].hasExplicitFormat)
        #expect(targets[1].sample == LogSample(ranges: [2...2, 4...5], size: 5))
        #expect(targets[1].level == .info && targets[1].minimumLevel == .notice)
        #expect(targets[1].location == SourceLocation(file: "t.cfg", line: 3))
    }

    @Test func unixSocketInAProxy() throws {
        let outcome = parse(quietDefaults + "\nfrontend fe\n    bind :80\n    log /dev/log len 100 local2 err\n    option tcplog\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let targets = try #require(try outcome.proxy("fe").settings.logTargets)
        #expect(targets.map(\.destination) == [.unix(path: "/dev/log")])
        #expect(targets[0].level == .err && targets[0].maximumLength == 100)
    }

    @Test func sampleKeepsThePositionsOfItsRanges() {
        let sample = LogSample(ranges: [2...2, 4...5], size: 5)
        let kept = (0..<12).filter { sample.accepts(index: $0) }.map { $0 + 1 }
        // The 2nd, 4th and 5th of every five, as HAProxy 2.6 sent them with `sample 2,4-5:5`.
        #expect(kept == [2, 4, 5, 7, 9, 10, 12])
        #expect((0..<6).filter { LogSample(ranges: [1...1], size: 3).accepts(index: $0) } == [0, 3])
    }

    @Test func logSendHostname() throws {
        #expect(Self.global([]).configuration?.global.logSendHostname == nil)
        #expect(Self.global(["log-send-hostname"]).configuration?.global.logSendHostname == .system)
        #expect(Self.global(["log-send-hostname edge-1"]).configuration?.global.logSendHostname == .named("edge-1"))
    }

    @Test func loggingOptions() throws {
        let outcome = parse(quietDefaults + """

                option log-health-checks
                option log-separate-errors
                option dontlog-normal
            frontend fe
                bind :80
            backend be
                no option log-health-checks
                server s 127.0.0.1:80
            listen both
                bind :81
                server s 127.0.0.1:80
            """)
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let fe = try outcome.proxy("fe").settings
        #expect(fe.isEnabled("log-separate-errors") && fe.isEnabled("dontlog-normal"))
        #expect(try !outcome.proxy("be").settings.isEnabled("log-health-checks"))
        #expect(try outcome.proxy("both").settings.isEnabled("log-health-checks"))
    }

    @Test func optionOnTheWrongSideWarns() throws {
        let outcome = parse(quietDefaults + "\nbackend be\n    option log-separate-errors\n    server s 127.0.0.1:80\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.warnings.contains { $0.message.contains("'option log-separate-errors' ignored") && $0.location?.line == 6 }, "\(outcome.warnings)")
    }

    @Test(arguments: [
        ("log unix@ local0", ["'log unix@' expects a socket path"]),
        ("log /" + String(repeating: "d", count: 120) + " local0", ["a UNIX socket path holds at most 107"]),
        ("log /dev/log sample 0:2 local0", ["invalid sample range '0'"]),
        ("log /dev/log sample 2-1:3 local0", ["invalid sample range '2-1'"]),
        ("log /dev/log sample a:3 local0", ["invalid sample range 'a'"]),
        ("log /dev/log sample 1-2: local0", ["invalid sample size ''"]),
        ("log /dev/log sample 3:2 local0", ["sample size 2 is smaller than 3"]),
        ("log /dev/log sample 1,3 local0", ["'sample' expects RANGES:SIZE"]),
        ("log /dev/log sample 1:2 len 100 local0", ["'len' must come before 'sample'"]),
        ("log /dev/log format raw len 100 local0", ["'len' must come before 'format'"]),
        ("log /dev/log len 79 local0", ["from 80 to 65535"]),
        ("log /dev/log len 65536 local0", ["from 80 to 65535"]),
        ("log /dev/log format fancy local0", ["unknown log format 'fancy'"]),
        ("log /dev/log", ["expects a facility"]),
        ("log /dev/log local9", ["unknown log facility 'local9'"]),
        ("log ring@buf local0", ["not supported by usher yet"]),
        ("log-send-hostname a b", ["'log-send-hostname' expects at most one argument"]),
    ])
    func badGlobalLines(line: String, needles: [String]) throws {
        try Self.global([line]).expectSingleAlert(line: 2, needles)
    }

    @Test(arguments: [
        ("option log-separate-errors now", ["takes no arguments"]),
        ("option log-health-checks 1", ["takes no arguments"]),
        ("option dontlog-normal x", ["takes no arguments"]),
        ("log-send-hostname", ["log-send-hostname"]),
    ])
    func badProxyLines(line: String, needles: [String]) throws {
        try parseHTTPFrontend([line]).expectSingleAlert(line: 8, needles)
    }
}
