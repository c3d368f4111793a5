import Testing
@testable import UsherConfig

@Suite("Durations, integers and sizes")
struct DurationTests {
    @Test(arguments: [
        ("0", Duration.zero),
        ("10", .milliseconds(10)),
        ("10ms", .milliseconds(10)),
        ("250us", .microseconds(250)),
        ("5s", .seconds(5)),
        ("1m", .seconds(60)),
        ("2h", .seconds(7200)),
        ("1d", .seconds(86_400)),
    ])
    func validDurations(text: String, expected: Duration) {
        #expect(ConfigurationValues.duration(text) == expected)
    }

    @Test(arguments: ["", "s", "10x", "10 s", "1.5s", "-1", "+1s", "1e3", "10S", "ms10", "10ux", "٣s"])
    func invalidDurations(text: String) {
        #expect(ConfigurationValues.duration(text) == nil)
    }

    /// HAProxy 2.6 reads a time up to its unit and ignores the rest, with a warning.
    @Test(arguments: [
        ("15min", Duration.seconds(900), "in"), ("1s[", .seconds(1), "["), ("1m30s", .seconds(60), "30s"), ("5mss", .milliseconds(5), "s"),
    ])
    func charactersAfterTheUnitAreIgnored(text: String, expected: Duration, ignored: String) throws {
        let (value, rest) = try #require(ConfigurationValues.durationAndIgnoredSuffix(text))
        #expect(value == expected)
        #expect(rest == Substring(ignored))
    }

    @Test func ignoredCharactersGiveAWarningAtTheLine() throws {
        let outcome = parse(quietDefaults + "\nfrontend fe\n    bind :80\n    timeout client 15min\n")
        #expect(outcome.alerts.isEmpty)
        let warning = try #require(outcome.warnings.first { $0.message.contains("'15min'") })
        #expect(warning.location?.line == 7)
        #expect(try outcome.proxy("fe").settings.timeouts.client == .seconds(900))
    }

    @Test func millisecondsRoundDown() {
        #expect(Duration.seconds(90).milliseconds == 90_000)
        #expect(Duration.microseconds(1_999).milliseconds == 1)
    }

    @Test func integers() {
        #expect(ConfigurationValues.integer("42") == 42)
        #expect(ConfigurationValues.integer("0") == 0)
        #expect(ConfigurationValues.integer("2147483647") == 2_147_483_647)
        #expect(ConfigurationValues.integer("2147483648") == nil)
        #expect(ConfigurationValues.integer("+1") == nil)
        #expect(ConfigurationValues.integer("-1") == nil)
        #expect(ConfigurationValues.integer("") == nil)
        #expect(ConfigurationValues.integer("1k") == nil)
        #expect(ConfigurationValues.integer("300", in: 0...256) == nil)
        #expect(ConfigurationValues.integer("256", in: 0...256) == 256)
    }

    @Test func sizes() {
        #expect(ConfigurationValues.size("512") == 512)
        #expect(ConfigurationValues.size("16k") == 16_384)
        #expect(ConfigurationValues.size("2m") == 2 * 1024 * 1024)
        #expect(ConfigurationValues.size("1G") == 1024 * 1024 * 1024)
        #expect(ConfigurationValues.size("k") == nil)
    }

    // MARK: - Through the parser

    @Test func timeoutsAcceptBareMillisecondsAndDays() throws {
        let outcome = parse("""
            defaults
                timeout client 10
                timeout server 1d
                timeout connect 24d
            backend be
                server s 127.0.0.1:80
            """)
        let timeouts = try outcome.proxy("be").settings.timeouts
        #expect(timeouts.client == .milliseconds(10))
        #expect(timeouts.server == .seconds(86_400))
        #expect(timeouts.connect == .seconds(24 * 86_400))
    }

    @Test func badDurationNamesTheLineAndTheValue() throws {
        let outcome = parse(quietDefaults + """

            frontend fe
                bind :80
                timeout client 10x
            """)
        let alert = try outcome.singleAlert()
        #expect(alert.location == UsherConfig.SourceLocation(file: "t.cfg", line: 7))
        #expect(alert.message.contains("'timeout client'"))
        #expect(alert.message.contains("'10x'"))
        #expect(outcome.configuration == nil)
    }

    /// HAProxy: "timer overflow in argument '10000000000' to 'timeout client' (maximum value is
    /// 2147483647 ms or ~24.8 days)".
    @Test(arguments: ["10000000000", "25d", "2147484s"])
    func timerOverflowIsAnError(value: String) throws {
        let outcome = parse(quietDefaults + "\nfrontend fe\n    bind :80\n    timeout client \(value)\n")
        let alert = try outcome.singleAlert()
        #expect(alert.location?.line == 7)
        #expect(alert.message.contains("overflow"))
        #expect(alert.message.contains("2147483647 ms"))
    }

    @Test func largestTimerIsAccepted() {
        let outcome = parse(quietDefaults + "\nfrontend fe\n    bind :80\n    timeout client 2147483647\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
    }

    @Test func inspectDelayOverflowIsAnError() throws {
        let outcome = parse(quietDefaults + "\nfrontend fe\n    bind :80\n    tcp-request inspect-delay 30d\n")
        #expect(try outcome.singleAlert().message.contains("overflow"))
    }

    @Test func unknownTimeoutSuggestsTheName() throws {
        let outcome = parse(quietDefaults + "\nfrontend fe\n    bind :80\n    timeout clinet 5s\n")
        let alert = try outcome.singleAlert()
        #expect(alert.message.contains("unknown timeout 'clinet'"))
        #expect(alert.message.contains("did you mean 'client'"))
    }

    @Test func serverCheckIntervals() throws {
        let outcome = parse(quietDefaults + "\nbackend be\n    server s 127.0.0.1:80 check inter 3s fastinter 500ms downinter 1m rise 4 fall 5\n")
        let server = try #require(try outcome.proxy("be").servers.first)
        #expect(server.inter == .seconds(3))
        #expect(server.fastinter == .milliseconds(500))
        #expect(server.downinter == .seconds(60))
        #expect(server.rise == 4)
        #expect(server.fall == 5)
    }

    @Test func serverIntervalDefaults() throws {
        let outcome = parse(quietDefaults + "\nbackend be\n    server s 127.0.0.1:80 check inter 3s\n")
        let server = try #require(try outcome.proxy("be").servers.first)
        #expect(server.fastinter == .seconds(3))
        #expect(server.downinter == .seconds(3))
        #expect(server.rise == 2)
        #expect(server.fall == 3)
    }
}
