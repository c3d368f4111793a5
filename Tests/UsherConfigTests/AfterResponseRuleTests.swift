import Testing
@testable import UsherConfig

/// `http-after-response` lines.
@Suite struct AfterResponseRuleTests {
    @Test func actionsAreRead() throws {
        let outcome = parseHTTPFrontend([
            "http-after-response set-header X-A b",
            "http-after-response del-header X-B if { status 404 }",
            "http-after-response set-status 299 reason Fine",
            "http-after-response set-var(txn.x) str(y)",
            "http-after-response allow",
        ])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let rules = try outcome.proxy("fe").httpAfterResponseRules
        #expect(rules.count == 5)
        #expect(rules.map(\.location.line) == [8, 9, 10, 11, 12])
        #expect(rules[1].condition != nil)
    }

    @Test(arguments: [
        ("http-after-response deny", "not an 'http-after-response' action"),
        ("http-after-response set-headr X y", "did you mean 'set-header'"),
        ("http-after-response capture res.hdr(X) id 0", "not supported by usher yet"),
        ("http-after-response", "expects an action"),
        ("http-after-response set-header X y if nosuchacl", "no such ACL"),
    ])
    func errors(_ line: String, _ needle: String) throws {
        try parseHTTPFrontend([line]).expectSingleAlert(line: 8, [needle])
    }

    @Test func ignoredInTCPMode() throws {
        let outcome = parse(quietDefaults + "\nfrontend fe\n    bind :80\n    http-after-response set-header X y\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.warnings.map(\.message).contains { $0.contains("'http-after-response' rules ignored") })
        #expect(try outcome.proxy("fe").httpAfterResponseRules.isEmpty)
    }
}
