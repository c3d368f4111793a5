import Testing

@testable import UsherConfig

/// `option tcp-check` with `tcp-check` rules, the protocol check options and the server options
/// that act on health changes: what HAProxy 2.6 accepts, and its refusals at their lines.
@Suite("tcp-check rules and protocol checks")
struct TCPCheckTests {
    /// A tcp-mode backend `be` (its first line is 6) with `lines`, then a checked server.
    static func parseTCPBackend(_ lines: [String], server: String = "server s 127.0.0.1:6379 check") -> ConfigurationParser.Outcome {
        parse(quietDefaults + "\nbackend be\n" + (lines + [server]).map { "    \($0)\n" }.joined())
    }

    static func rules(_ lines: String..., sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [TCPCheckRule] {
        let outcome = parseTCPBackend(["option tcp-check"] + lines)
        #expect(outcome.alerts.isEmpty && outcome.warnings.isEmpty, "\(outcome.diagnostics)", sourceLocation: sourceLocation)
        return try outcome.proxy("be", sourceLocation: sourceLocation).settings.tcpCheckRules
    }

    @Test func redisSequenceFromTheManual() throws {
        let rules = try Self.rules(
            #"tcp-check comment PING\ phase"#, #"tcp-check send PING\r\n"#, "tcp-check expect string +PONG",
            #"tcp-check send info\ replication\r\n"#, "tcp-check expect string role:master comment master?",
            "tcp-check send-binary 51554954 comment quit", "tcp-check expect binary 2b4f4b"
        )
        #expect(rules.map(\.action) == [
            .comment("PING phase"), .send(.text("PING\r\n")), .expect(.init(match: .string("+PONG"))),
            .send(.text("info replication\r\n")), .expect(.init(match: .string("role:master"))),
            .send(.binary(Array("QUIT".utf8))), .expect(.init(match: .binary(Array("+OK".utf8)))),
        ])
        #expect(rules[4].comment == "master?" && rules[5].comment == "quit")
        #expect(rules[0].location.line == 7)
    }

    @Test func expectOptionsAroundThePattern() throws {
        let rules = try Self.rules(
            "tcp-check connect port 110 linger", "tcp-check expect min-recv 4 ! rstring ^-ERR error-status L7STS tout-status L4TOUT on-error bad",
            "tcp-check connect port 143 addr 127.0.0.2 send-proxy", "tcp-check expect ok-status L4OK rbinary ^2A on-success fine status-code int(7)"
        )
        guard case .expect(let first) = rules[1].action, case .expect(let second) = rules[3].action, case .connect(let connect) = rules[2].action else {
            Issue.record("\(rules)")
            return
        }
        #expect(first.negated && first.minimumReceived == 4 && first.match == .regex("^-ERR"))
        #expect(first.errorStatus == .l7Status && first.timeoutStatus == .l4Timeout && first.onError == "bad")
        #expect(second.okStatus == .l4OK && second.onSuccess == "fine" && second.statusCode != nil && second.match == .binaryRegex("^2A"))
        #expect(connect.port == 143 && connect.address == "127.0.0.2" && connect.sendProxy)
    }

    /// HAProxy 2.6's refusals, each at its line (checked against `haproxy -c`).
    @Test(arguments: [
        (["tcp-check frob x"], "unknown 'tcp-check frob'"),
        (["tcp-check send-binary 5g"], "not hexadecimal"),
        (["tcp-check send-binary 505"], "even number"),
        (["tcp-check expect rstring ^(a"], "invalid regular expression"),
        (["tcp-check expect binary 2b4f foo"], "unexpected 'foo'"),
        (["tcp-check expect"], "expects a match"),
        (["tcp-check expect string"], "expects a pattern"),
        (["tcp-check expect string x error-status L9"], "'error-status'"),
        (["tcp-check expect string x ok-status L7STS"], "'ok-status'"),
        (["tcp-check connect port 0"], "port from 1 to 65535"),
        (["tcp-check connect foo"], "unexpected 'foo'"),
        (["tcp-check send"], "expects the data to send"),
        (["tcp-check send PING\\r\\n", "tcp-check connect port 80"], "must come first"),
        (["tcp-check expect string +OK", "tcp-check connect port 80"], "must come first"),
    ] as [([String], String)])
    func refusedAtItsLine(lines: [String], needle: String) throws {
        let outcome = Self.parseTCPBackend(["option tcp-check"] + lines)
        try outcome.expectSingleAlert(line: 7 + lines.count - 1, [needle])
    }

    @Test func connectMayFollowCommentsAndVariables() throws {
        let rules = try Self.rules("tcp-check comment start", "tcp-check set-var(check.port) int(80)", "tcp-check connect", "tcp-check connect port 443", "tcp-check unset-var(check.port)")
        #expect(rules.count == 5)
    }

    @Test func notSupportedYet() throws {
        for line in ["tcp-check connect via-socks4", "tcp-check connect alpn h2", "tcp-check connect ssl send-proxy", "tcp-check connect port var(check.port)"] {
            let outcome = Self.parseTCPBackend(["option tcp-check", line])
            #expect(outcome.alerts.first?.message.contains("not supported by usher yet") == true, "\(line): \(outcome.alerts)")
        }
    }

    @Test func rulesWithoutTheOptionAreIgnoredWithAWarning() throws {
        let outcome = Self.parseTCPBackend(["tcp-check send x"])
        #expect(outcome.alerts.isEmpty)
        #expect(outcome.warnings.contains { $0.message.contains("uses tcp-check rules without 'option tcp-check'") && $0.location?.line == 6 }, "\(outcome.warnings)")
        #expect(try outcome.proxy("be").settings.tcpCheckRules.isEmpty)
    }

    @Test func rulesAreInheritedAsAWhole() throws {
        let outcome = parse(quietDefaults + """

            defaults
                option tcp-check
                tcp-check send PING\\r\\n
                tcp-check expect string +PONG
            backend inherits
                server s 127.0.0.1:1 check
            backend own
                tcp-check expect string ready
                server s 127.0.0.1:1 check
            """)
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(try outcome.proxy("inherits").settings.tcpCheckRules.count == 2)
        #expect(try outcome.proxy("own").settings.tcpCheckRules.map(\.action) == [.expect(.init(match: .string("ready")))])
    }

    @Test func protocolChecks() throws {
        func check(_ option: String) throws -> (ProtocolCheck?, Bool) {
            let outcome = Self.parseTCPBackend([option])
            #expect(outcome.alerts.isEmpty, "\(option): \(outcome.alerts)")
            let settings = try outcome.proxy("be").settings
            return (settings.protocolCheck, settings.protocolCheck.map { settings.isEnabled($0.optionName) } ?? false)
        }
        #expect(try check("option mysql-check") == (.mysql(user: nil, post41: true), true))
        #expect(try check("option mysql-check user haproxy") == (.mysql(user: "haproxy", post41: true), true))
        #expect(try check("option mysql-check user haproxy pre-41") == (.mysql(user: "haproxy", post41: false), true))
        #expect(try check("option pgsql-check user postgres") == (.pgsql(user: "postgres"), true))
        #expect(try check("option redis-check") == (.redis, true))
        #expect(try check("option smtpchk") == (.smtp(hello: "HELO", domain: "localhost"), true))
        #expect(try check("option smtpchk EHLO mail.example.test") == (.smtp(hello: "EHLO", domain: "mail.example.test"), true))
        #expect(try check("option smtpchk FOO a.test") == (.smtp(hello: "HELO", domain: "a.test"), true))
        #expect(try check("option ldap-check") == (.ldap, true))
        // The last check method wins.
        let outcome = Self.parseTCPBackend(["option redis-check", "option httpchk"])
        let settings = try outcome.proxy("be").settings
        #expect(settings.isEnabled("httpchk") && !settings.isEnabled("redis-check"))
    }

    @Test(arguments: [
        ("option mysql-check user", "expects a user name"),
        ("option mysql-check user bob post-42", "'post-41' or 'pre-41'"),
        ("option mysql-check foo", "unexpected 'foo'"),
        ("option pgsql-check", "expects 'user NAME'"),
        ("option pgsql-check user bob extra", "unexpected 'extra'"),
        ("option smtpchk EHLO a.b c", "unexpected 'c'"),
        ("option redis-check x", "takes no arguments"),
        ("no option mysql-check", "not allowed"),
    ])
    func protocolCheckRefusals(line: String, needle: String) throws {
        try Self.parseTCPBackend([line]).expectSingleAlert(line: 6, [needle])
    }

    @Test func serverHealthOptions() throws {
        let outcome = Self.parseTCPBackend(
            ["default-server on-marked-down shutdown-sessions"],
            server: "server s 127.0.0.1:5432 check on-marked-up shutdown-backup-sessions on-error mark-down observe layer4 error-limit 5"
        )
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let server = try #require(try outcome.proxy("be").servers.first)
        #expect(server.options.onMarkedDown == .shutdownSessions && server.options.onMarkedUp == .shutdownBackupSessions)
        #expect(server.onError == .markDown && server.observe == .layer4 && server.errorLimit == 5)
        let defaults = try #require(try Self.parseTCPBackend([]).proxy("be").servers.first)
        #expect(defaults.onError == .failCheck && defaults.observe == ObserveMode.none && defaults.errorLimit == 10)
    }

    @Test(arguments: [
        ("on-marked-down foo", "'shutdown-sessions'"),
        ("on-marked-up foo", "'shutdown-backup-sessions'"),
        ("on-error foo", "'fastinter', 'fail-check', 'sudden-death' or 'mark-down'"),
        ("observe layer3", "'none', 'layer4' or 'layer7'"),
        ("error-limit 0", "above 0"),
        ("error-limit x", "above 0"),
    ])
    func serverHealthOptionRefusals(option: String, needle: String) throws {
        try Self.parseTCPBackend([], server: "server s 127.0.0.1:1 check \(option)").expectSingleAlert(line: 6, [needle])
    }

    @Test func observeLayer7InTCPModeIsAWarning() throws {
        let outcome = Self.parseTCPBackend([], server: "server s 127.0.0.1:1 check observe layer7")
        #expect(outcome.alerts.isEmpty)
        #expect(outcome.warnings.contains { $0.message.contains("'observe layer7' can only be used in HTTP proxies") }, "\(outcome.warnings)")
        #expect(try outcome.proxy("be").servers.first?.observe == ObserveMode.none)
    }
}
