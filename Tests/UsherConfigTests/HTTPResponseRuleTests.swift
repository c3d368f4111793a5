import Testing

@testable import UsherConfig

@Suite("http-response rules")
struct HTTPResponseRuleTests {
    @Test func actions() throws {
        let outcome = parseHTTPBackend([
            "http-response set-header Strict-Transport-Security max-age=31536000",
            "http-response add-header X-Served-By %s",
            "http-response del-header Server",
            "http-response replace-header Set-Cookie (C=[^;]*);(.*) \\1;ip=%bi;\\2",
            "http-response replace-value Cache-Control ^public$ private",
            "http-response set-status 431",
            "http-response set-status 503 reason \"Slow Down\" if { status 500 }",
            "http-response allow if { status 200 }",
            "http-response deny",
            "http-response deny deny_status 500",
            "http-response redirect location /moved code 301 if { status 404 }",
            "http-response return status 200 content-type text/plain string ok",
        ])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let rules = try outcome.proxy("be").httpResponseRules
        #expect(
            rules.map(\.action) == [
                .header(.set(name: "Strict-Transport-Security", value: "max-age=31536000")),
                .header(.add(name: "X-Served-By", value: "%s")),
                .header(.delete(name: "Server", match: .exact)),
                .header(.replace(name: "Set-Cookie", regex: "(C=[^;]*);(.*)", replacement: "\\1;ip=%bi;\\2")),
                .header(.replaceValue(name: "Cache-Control", regex: "^public$", replacement: "private")),
                .setStatus(code: 431, reason: nil),
                .setStatus(code: 503, reason: "Slow Down"),
                .allow,
                .deny(HTTPReply(status: 502, payload: .proxyErrorPage)),
                .deny(HTTPReply(status: 500, payload: .proxyErrorPage)),
                .redirect(HTTPRedirect(kind: .location, value: "/moved", valueIsLogFormat: true, code: 301)),
                .return(HTTPReply(status: 200, contentType: "text/plain", payload: .string("ok"))),
            ])
        #expect(rules.map(\.location.line) == Array(8...19))
        #expect(rules[6].condition?.anonymousACLs.first?.criterion.fetch.name == "status")
        #expect(try outcome.proxy("be").httpRequestRules.isEmpty)
    }

    @Test(arguments: [
        ("http-response set-status 99", ["'http-response set-status' expects a status code from 100 to 999, not '99'"]),
        ("http-response set-status abc", ["not 'abc'"]),
        ("http-response set-status", ["'http-response set-status' expects a status code"]),
        ("http-response set-status 503 reason", ["'reason' in 'http-response set-status' expects a value"]),
        ("http-response set-status 503 because x", ["unexpected 'because' in 'http-response set-status'"]),
        ("http-response redirect prefix /x", ["'http-response redirect' supports only 'location', not 'prefix'"]),
        ("http-response set-path /x", ["'set-path' is an 'http-request' action"]),
        ("http-response set-headr X-A b", ["unknown action 'set-headr' in 'http-response'", "did you mean 'set-header'"]),
        ("http-response cache-store static", ["'http-response cache-store'", "not supported by usher yet"]),
        ("http-response set-var(txn.status)", ["'http-response set-var(txn.status)' expects a sample expression"]),
        ("http-response tarpit", ["'tarpit' is an 'http-request' action"]),
        ("http-response deny status 999", ["from 200 to 599"]),
    ])
    func badRulesNameTheirLine(line: String, needles: [String]) throws {
        try parseHTTPBackend([line]).expectSingleAlert(line: 8, needles)
    }

    @Test func tcpModeIgnoresThemWithAWarning() throws {
        let outcome = parse(quietDefaults + "\nbackend be\n    http-response del-header Server\n    server s 127.0.0.1:80\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.warnings.map(\.location?.line) == [6])
        #expect(outcome.warnings.first?.message.contains("'http-response' rules ignored for backend 'be' as they require HTTP mode") == true)
        #expect(try outcome.proxy("be").httpResponseRules.isEmpty)
    }
}
