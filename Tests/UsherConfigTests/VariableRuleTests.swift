import Testing

@testable import UsherConfig

/// `set-var`, `set-var-fmt`, `unset-var` in `http-request`, `http-response`, `tcp-request` and
/// `global`; `silent-drop`; `tune.vars.*`. The errors' meanings follow `haproxy -c` (2.6.12):
/// a bad scope ("A variable name must be start by its scope…"), a bad character ("invalid syntax at
/// char…"), an unknown condition, conditions on `unset-var`, a missing expression ("missing fetch
/// method"), a non-`proc` variable in `global`.
@Suite("variables in the configuration")
struct VariableRuleTests {
    static func name(_ text: String) -> VariableName {
        try! VariableName.parse(text).get()
    }

    @Test func variableNamesAsHAProxyReadsThem() throws {
        #expect(try VariableName.parse("txn.host").get() == VariableName(scope: .txn, name: "host"))
        #expect(try VariableName.parse("sess.a.b_C9").get() == VariableName(scope: .sess, name: "a.b_C9"))
        for scope in VariableName.Scope.allCases {
            #expect(try VariableName.parse("\(scope.rawValue).x").get().scope == scope)
        }
        for bad in ["foo.bar", "txn", "txn.", "TXN.x", ".x", "", "txn.b-r", "txn.a b"] {
            #expect(throws: Address.ParseError.self, "\(bad)") { try VariableName.parse(bad).get() }
        }
    }

    @Test func httpRequestActions() throws {
        let rules = try HTTPRequestRuleTests.rules(
            "http-request set-var(txn.host) req.hdr(host),lower",
            "http-request set-var(sess.count,ifgt,ifnotempty) var(sess.count,0),add(1) if { path /count }",
            "http-request set-var-fmt(txn.from) %[src]:%[src_port]",
            "http-request unset-var(txn.host) unless { req.hdr(host) -m found }",
            "http-request silent-drop if { path /drop }",
            "http-request set-var(proc.hits) int(1)"
        )
        #expect(
            rules.map(\.action) == [
                .variable(.set(VariableAssignment(variable: Self.name("txn.host"), value: .expression(try SampleExpression.parse("req.hdr(host),lower").get())))),
                .variable(.set(VariableAssignment(
                    variable: Self.name("sess.count"), conditions: [.ifGreater, .ifNotEmpty],
                    value: .expression(try SampleExpression.parse("var(sess.count,0),add(1)").get())))),
                .variable(.set(VariableAssignment(variable: Self.name("txn.from"), value: .format("%[src]:%[src_port]")))),
                .variable(.unset(Self.name("txn.host"))),
                .silentDrop,
                .variable(.set(VariableAssignment(variable: Self.name("proc.hits"), value: .expression(try SampleExpression.parse("int(1)").get())))),
            ])
        #expect(rules[1].condition?.polarity == .if)
        #expect(rules[3].condition?.polarity == .unless)
    }

    @Test func everyConditionOfHAProxy26() throws {
        // 2.6.12 accepts all eight, and more than the four its manual allows at once.
        let rules = try HTTPRequestRuleTests.rules("http-request set-var(txn.x,ifexists,ifnotexists,ifempty,ifnotempty,ifset,ifnotset,ifgt,iflt) str(a)")
        guard case .variable(.set(let assignment)) = rules[0].action else {
            Issue.record("not a set-var: \(rules[0].action)")
            return
        }
        #expect(assignment.conditions == VariableCondition.allCases)
    }

    @Test func httpResponseActions() throws {
        let outcome = parseHTTPBackend([
            "http-response set-var(res.status) status",
            "http-response set-var-fmt(txn.summary) \"%[var(txn.host)] %[status]\"",
            "http-response unset-var(sess.user)",
            "http-response silent-drop if { status 500 }",
        ])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.specificWarnings.isEmpty, "\(outcome.specificWarnings)")
        let rules = try outcome.proxy("be").httpResponseRules
        #expect(rules.map(\.action) == [
            .variable(.set(VariableAssignment(variable: Self.name("res.status"), value: .expression(try SampleExpression.parse("status").get())))),
            .variable(.set(VariableAssignment(variable: Self.name("txn.summary"), value: .format("%[var(txn.host)] %[status]")))),
            .variable(.unset(Self.name("sess.user"))),
            .silentDrop,
        ])
    }

    @Test func tcpRequestPhases() throws {
        let outcome = parse(quietDefaults + """

            frontend fe
                bind :443
                tcp-request inspect-delay 5s
                tcp-request connection set-var(sess.client) src
                tcp-request connection silent-drop if { src 192.0.2.0/24 }
                tcp-request session set-var-fmt(sess.tag) "s-%[src]"
                tcp-request session unset-var(sess.client) if { src 10.0.0.1 }
                tcp-request session reject if { src 10.0.0.2 }
                tcp-request content set-var(txn.sni,ifnotempty) req.ssl_sni
                tcp-request content silent-drop if { req.len gt 4096 }
                tcp-request content accept if { req.ssl_hello_type 1 }
                default_backend be
            backend be
                server s 127.0.0.1:8443

            """)
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.warnings.isEmpty, "\(outcome.warnings)")
        let rules = try outcome.proxy("fe").tcpRequestRules
        #expect(rules.map(\.phase) == [.connection, .connection, .session, .session, .session, .content, .content, .content])
        #expect(rules.map(\.location.line) == Array(8...15))
        #expect(rules[0].action == .variable(.set(VariableAssignment(variable: Self.name("sess.client"), value: .expression(try SampleExpression.parse("src").get())))))
        #expect(rules[1].action == .silentDrop)
        #expect(rules[2].action == .variable(.set(VariableAssignment(variable: Self.name("sess.tag"), value: .format("s-%[src]")))))
        #expect(rules[3].action == .variable(.unset(Self.name("sess.client"))))
        #expect(rules[4].action == .reject)
        #expect(rules[5].action == .variable(.set(VariableAssignment(
            variable: Self.name("txn.sni"), conditions: [.ifNotEmpty], value: .expression(try SampleExpression.parse("req.ssl_sni").get())))))
        #expect(rules[6].action == .silentDrop && rules[7].action == .accept)
        #expect(!rules[0].action.isFinal && rules[1].action.isFinal && rules[7].action.isFinal)
    }

    /// What HAProxy accepts without a word but never does (there is no transaction before the
    /// content rules; `req` variables are gone once the response is processed…) gets a warning.
    @Test(arguments: [
        ("tcp-request connection set-var(txn.x) str(a)", "'txn.x' is never set by 'tcp-request connection' rules: there is no transaction yet"),
        ("tcp-request session set-var(req.x) str(a)", "'req.x' is never set by 'tcp-request session' rules"),
        ("http-request set-var(res.x) str(a)", "'res.x' is never set by 'http-request' rules: 'res' variables exist only while a response is processed"),
        ("http-request unset-var(check.x)", "'check.x' is never unset by 'http-request' rules: 'check' variables exist only in health checks"),
        ("http-response set-var(req.x) str(a)", "'req.x' is never set by 'http-response' rules"),
    ])
    func scopesThatDoNotExistThereAreWarnedAbout(line: String, message: String) throws {
        let outcome = parseHTTPFrontend([line])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let warning = try #require(outcome.specificWarnings.first, "\(outcome.warnings)")
        #expect(warning.location?.line == 8)
        #expect(warning.message.contains(message), "\(warning.message)")
    }

    @Test(arguments: [
        ("http-request set-var(foo.bar) str(x)", ["invalid variable name 'foo.bar'", "starts with its scope ('proc', 'sess', 'txn', 'req', 'res' or 'check')"]),
        ("http-request set-var(txn) str(x)", ["invalid variable name 'txn'"]),
        ("http-request set-var(txn.) str(x)", ["invalid variable name 'txn.'"]),
        ("http-request set-var(TXN.x) str(x)", ["invalid variable name 'TXN.x'"]),
        ("http-request set-var(txn.b-r) str(x)", ["invalid character '-' in variable name 'txn.b-r'"]),
        ("http-request set-var(txn.x)", ["'http-request set-var(txn.x)' expects a sample expression"]),
        ("http-request set-var(txn.x) if TRUE", ["'http-request set-var(txn.x)' expects a sample expression"]),
        ("http-request set-var(txn.x) str(a) str(b)", ["unexpected 'str(b)' in 'http-request set-var(txn.x)'", "'if' or 'unless'"]),
        ("http-request set-var(txn.x) req.hdr(host", ["in 'http-request set-var(txn.x)'", "missing ')'"]),
        ("http-request set-var(txn.x,ifbogus) str(x)", ["unknown condition 'ifbogus' in 'http-request set-var(txn.x,ifbogus)'", "ifexists, ifnotexists"]),
        ("http-request set-var(txn.x,ifexist) str(x)", ["did you mean 'ifexists'?"]),
        ("http-request set-var-fmt(txn.x)", ["'http-request set-var-fmt(txn.x)' expects a log-format string"]),
        ("http-request unset-var(txn.x) str(a)", ["unexpected 'str(a)' in 'http-request unset-var(txn.x)'"]),
        ("http-request unset-var(txn.x,ifexists)", ["takes no conditions after the variable name", "only 'set-var' and 'set-var-fmt'"]),
        ("http-request set-var str(a)", ["expects its variable in parentheses, as in 'set-var(txn.name)'"]),
        ("http-request set-var(txn.x str(a)", ["missing ')' after the variable name in 'set-var(txn.x'"]),
        ("http-request set-vr(txn.x) str(a)", ["unknown action 'set-vr(txn.x)' in 'http-request'"]),
        ("tcp-request content set-var(bad.x) src", ["invalid variable name 'bad.x'"]),
        ("tcp-request connection set-var(sess.x)", ["'tcp-request connection set-var(sess.x)' expects a sample expression"]),
        ("tcp-request session silent-drop now", ["unexpected 'now' in 'tcp-request session silent-drop'"]),
        ("tcp-request content silentdrop", ["unknown action 'silentdrop' in 'tcp-request content'", "did you mean 'silent-drop'?"]),
        ("http-request silent-drop 1", ["unexpected '1' in 'http-request silent-drop'"]),
    ])
    func badRulesNameTheirLine(line: String, needles: [String]) throws {
        try parseHTTPFrontend([line]).expectSingleAlert(line: 8, needles)
    }

    @Test func tcpRequestSessionNeedsAFrontend() throws {
        let outcome = parse(quietDefaults + "\nbackend be\n    tcp-request session set-var(sess.x) src\n")
        try outcome.expectSingleAlert(line: 6, ["'tcp-request session' is not allowed in backend 'be': it needs a frontend"])
    }

    // MARK: - global

    @Test func globalSetVarAndLimits() throws {
        let outcome = parse("""
            global
                set-var proc.current_state str(primary)
                set-var proc.prio int(100)
                set-var-fmt proc.tag "edge-%[var(proc.prio)]"
                tune.vars.global-max-size 1048576
                tune.vars.proc-max-size 65536
                tune.vars.sess-max-size 4096
                tune.vars.txn-max-size 2048
                tune.vars.reqres-max-size 1024
                tune.vars.check-max-size 0
            """ + "\n" + quietDefaults + "\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let global = try #require(outcome.configuration).global
        #expect(global.processVariables.map(\.assignment) == [
            VariableAssignment(variable: Self.name("proc.current_state"), value: .expression(try SampleExpression.parse("str(primary)").get())),
            VariableAssignment(variable: Self.name("proc.prio"), value: .expression(try SampleExpression.parse("int(100)").get())),
            VariableAssignment(variable: Self.name("proc.tag"), value: .format("edge-%[var(proc.prio)]")),
        ])
        #expect(global.processVariables.map(\.location.line) == [2, 3, 4])
        var limits = VariableLimits()
        limits.global = 1_048_576
        limits.process = 65536
        limits.session = 4096
        limits.transaction = 2048
        limits.requestResponse = 1024
        #expect(global.variableLimits == limits)
    }

    @Test(arguments: [
        ("set-var txn.p str(a)", ["'set-var' cannot set 'txn.p': only 'proc' variables may be set in the global section"]),
        ("set-var proc.p", ["'set-var' expects a process-wide variable name ('proc.NAME') and a sample expression"]),
        ("set-var-fmt proc.p", ["'set-var-fmt' expects a process-wide variable name ('proc.NAME') and a log-format string"]),
        ("set-var proc.p str(a) str(b)", ["'set-var' takes only a process-wide variable name"]),
        ("set-var p str(a)", ["in 'set-var': invalid variable name 'p'"]),
        ("set-var proc.p str(a", ["in 'set-var proc.p'", "missing ')'"]),
        ("set-var(proc.p) str(a)", ["unknown keyword 'set-var(proc.p)' in the global section"]),
        ("tune.vars.txn-max-size 1k", ["'tune.vars.txn-max-size' expects a size in bytes from 0 (no limit)", "not '1k'"]),
        ("tune.vars.sess-max-size -1", ["not '-1'"]),
        ("tune.vars.proc-max-size", ["'tune.vars.proc-max-size' expects exactly one argument"]),
    ])
    func badGlobalLines(line: String, needles: [String]) throws {
        try parse("global\n    \(line)\n").expectSingleAlert(line: 2, needles)
    }
}
