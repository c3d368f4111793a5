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

/// `declare capture`, `http-request capture`, `http-response capture`: slots and their checks.
@Suite struct CaptureRuleTests {
    @Test func slotsAreNumberedInDeclarationOrder() throws {
        let outcome = parseHTTPFrontend([
            "capture request header Host len 10", "http-request capture req.hdr(X-A) len 5", "declare capture request len 8",
            "http-request capture path id 2", "declare capture response len 6", "http-response capture res.hdr(X) id 0",
        ])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let fe = try outcome.proxy("fe")
        #expect(fe.requestHeaderCaptures.map(\.name) == ["Host", nil, nil])
        #expect(fe.requestHeaderCaptures.map(\.length) == [10, 5, 8])
        #expect(fe.responseHeaderCaptures.map(\.length) == [6])
        #expect(fe.httpRequestRules.map(\.action) == [.capture(sample: "req.hdr(X-A)", slot: 1), .capture(sample: "path", slot: 2)])
    }

    @Test(arguments: [
        ("http-request capture path id 3", "slot 3", "declares 0"),
        ("http-response capture res.hdr(X) id 0", "response capture slot 0", "declares 0"),
        ("http-request capture path len 0", "positive number", ""),
        ("http-request capture path size 4", "'len N' or 'id N'", ""),
        ("http-response capture res.hdr(X) len 4", "'id N'", ""),
        ("declare capture request 4", "'capture request len N'", ""),
    ])
    func errors(_ line: String, _ first: String, _ second: String) throws {
        try parseHTTPFrontend([line]).expectSingleAlert(line: 8, [first, second].filter { !$0.isEmpty })
    }

    @Test func lenInABackendIsRefused() throws {
        try parseHTTPBackend(["http-request capture path len 4"]).expectSingleAlert(line: 8, ["only a frontend or listen"])
        #expect(parseHTTPBackend(["http-request capture path id 4"]).alerts.isEmpty)
    }
}

/// `http-error status CODE …`.
@Suite struct HTTPErrorConfigTests {
    @Test func replacesTheStatusPage() throws {
        let outcome = parseHTTPBackend(["http-error status 503 content-type text/plain string busy hdr X-A b"])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        guard case .reply(let reply)? = try outcome.proxy("be").settings.errorFiles[503]?.response else {
            Issue.record("no reply for 503")
            return
        }
        #expect(reply.status == 503 && reply.contentType == "text/plain" && reply.payload == .string("busy"))
        #expect(reply.headers.map(\.name) == ["X-A"])
    }

    @Test(arguments: [
        ("http-error status 302 string x", "not one HAProxy answers with"), ("http-error 503", "expects 'status CODE'"),
        ("http-error status 503 content-type text/plain lf-string %[path]", "not supported by usher yet"),
        ("http-error status 503 content-type text/plain string a hdr X %[path]", "not supported by usher yet"),
        ("http-error status 503 content-type text/plain string a file /x", "already gives the response"),
    ])
    func errors(_ line: String, _ needle: String) throws {
        try parseHTTPBackend([line]).expectSingleAlert(line: 8, [needle])
    }
}
