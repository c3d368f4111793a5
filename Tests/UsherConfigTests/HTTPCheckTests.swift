import Testing

@testable import UsherConfig

@Suite("option httpchk and http-check")
struct HTTPCheckTests {
    static func check(_ lines: String..., sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> HTTPCheck {
        let outcome = parseHTTPBackend(lines)
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)", sourceLocation: sourceLocation)
        let be = try outcome.proxy("be", sourceLocation: sourceLocation)
        #expect(be.settings.isEnabled("httpchk"), sourceLocation: sourceLocation)
        return try #require(be.settings.httpCheck, sourceLocation: sourceLocation)
    }

    @Test func requestLineForms() throws {
        let bare = try Self.check("option httpchk")
        #expect(bare.method == nil && bare.uri == nil && bare.version == nil)
        #expect([bare.effectiveMethod, bare.effectiveURI, bare.effectiveVersion] == ["OPTIONS", "/", "HTTP/1.0"])
        #expect(bare.location?.line == 8)
        let uri = try Self.check("option httpchk /health")
        #expect(uri.method == nil && uri.uri == "/health")
        let method = try Self.check("option httpchk GET /health")
        #expect(method.method == "GET" && method.uri == "/health" && method.version == nil)
        let version = try Self.check("option httpchk HEAD /health HTTP/1.1")
        #expect([version.effectiveMethod, version.effectiveURI, version.effectiveVersion] == ["HEAD", "/health", "HTTP/1.1"])
    }

    /// The pre-2.2 way to add headers: `\r\n` after the version. Deprecated, still honoured.
    @Test func headersHiddenAfterTheVersion() throws {
        let outcome = parseHTTPBackend([#"option httpchk GET /health HTTP/1.1\r\nHost:\ www.example.com\r\nX-Check:\ yes"#])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        // The deprecation, as HAProxy warns.
        #expect(outcome.specificWarnings.map(\.location?.line) == [8])
        #expect(outcome.specificWarnings.first?.message.contains("deprecated") == true)
        let check = try #require(try outcome.proxy("be").settings.httpCheck)
        #expect(check.version == "HTTP/1.1")
        #expect(check.legacyHeaders == [HTTPHeaderField(name: "Host", value: "www.example.com"), HTTPHeaderField(name: "X-Check", value: "yes")])
        #expect(check.legacyBody == nil)
        let withBody = try Self.check(#"option httpchk POST /q HTTP/1.0\r\nContent-Type:\ text/plain\r\n\r\nping"#)
        #expect(withBody.legacyHeaders == [HTTPHeaderField(name: "Content-Type", value: "text/plain")])
        #expect(withBody.legacyBody == "ping")
    }

    @Test func sendAndExpectRules() throws {
        let check = try Self.check(
            "option httpchk",
            #"http-check send meth GET uri /status ver HTTP/1.1 hdr Host www.example.com hdr User-Agent "usher check" body {}"#,
            "http-check expect status 200-399",
            "http-check expect status 200,201,300-310",
            "http-check expect ! rstatus ^5",
            #"http-check expect ! string SQL\ Error"#,
            "http-check expect min-recv 64 !rstring <!--tag:[0-9a-f]*--></html>",
            "http-check expect min-recv -1 string OK",
            "http-check disable-on-404"
        )
        let location = { (line: Int) in UsherConfig.SourceLocation(file: "t.cfg", line: line) }
        #expect(
            check.rules == [
                .send(
                    .init(
                        method: "GET", uri: "/status", version: "HTTP/1.1",
                        headers: [HTTPHeaderField(name: "Host", value: "www.example.com"), HTTPHeaderField(name: "User-Agent", value: "usher check")], body: "{}",
                        location: location(9))),
                .expect(.init(match: .status([200...399]), location: location(10))),
                .expect(.init(match: .status([200...200, 201...201, 300...310]), location: location(11))),
                .expect(.init(negated: true, match: .statusRegex("^5"), location: location(12))),
                .expect(.init(negated: true, match: .string("SQL Error"), location: location(13))),
                .expect(.init(negated: true, match: .bodyRegex("<!--tag:[0-9a-f]*--></html>"), minimumReceived: 64, location: location(14))),
                .expect(.init(match: .string("OK"), location: location(15))),
            ])
        #expect(check.disableOn404)
        #expect([check.effectiveMethod, check.effectiveURI, check.effectiveVersion] == ["GET", "/status", "HTTP/1.1"])
    }

    /// HAProxy 2.6: a proxy inherits the whole HTTP check of its defaults, but its own
    /// `option httpchk` or `http-check send|expect` starts afresh (the defaults' request line too).
    @Test func inheritanceFromDefaults() throws {
        let outcome = parse(
            """
            defaults web
                mode http
                timeout client 1s
                timeout server 1s
                timeout connect 1s
                option httpchk GET /from-defaults HTTP/1.1
                http-check send hdr Host defaults.example
                http-check expect status 200
                http-check disable-on-404
            backend inherits from web
                server s 127.0.0.1:80 check
            backend own-rules from web
                http-check send hdr X-Own yes
                server s 127.0.0.1:80 check
            backend own-option from web
                option httpchk HEAD /own
                server s 127.0.0.1:80 check
            backend both from web
                http-check expect status 204
                option httpchk GET /both
                server s 127.0.0.1:80 check
            backend tcp-check from web
                option tcp-check
                server s 127.0.0.1:80 check
            """)
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let inherits = try #require(try outcome.proxy("inherits").settings.httpCheck)
        #expect(inherits.method == "GET" && inherits.rules.count == 2 && inherits.disableOn404)
        let ownRules = try #require(try outcome.proxy("own-rules").settings.httpCheck)
        #expect(ownRules.method == nil && ownRules.uri == nil && ownRules.rules.count == 1 && ownRules.disableOn404)
        #expect(try outcome.proxy("own-rules").settings.isEnabled("httpchk"))
        let ownOption = try #require(try outcome.proxy("own-option").settings.httpCheck)
        #expect(ownOption.method == "HEAD" && ownOption.uri == "/own" && ownOption.version == nil && ownOption.rules.isEmpty)
        let both = try #require(try outcome.proxy("both").settings.httpCheck)
        #expect(both.method == "GET" && both.uri == "/both" && both.rules.count == 1)
        // `option tcp-check` replaces `option httpchk`; the check's rules then do nothing, as HAProxy warns.
        let tcpCheck = try outcome.proxy("tcp-check").settings
        #expect(!tcpCheck.isEnabled("httpchk") && tcpCheck.isEnabled("tcp-check"))
        #expect(tcpCheck.httpCheck?.rules == [])
        #expect(outcome.specificWarnings.map(\.location?.line).contains(7))
    }

    @Test func checkKindsReplaceEachOther() throws {
        let outcome = parseHTTPBackend(["option ssl-hello-chk", "option httpchk /", "option tcp-check", "option httpchk /again"])
        let options = try outcome.proxy("be").settings.options
        #expect(options.keys.sorted() == ["httpchk"])
        let back = parseHTTPBackend(["option httpchk", "option ssl-hello-chk"])
        #expect(try back.proxy("be").settings.options.keys.sorted() == ["ssl-hello-chk"])
    }

    @Test func rulesWithoutHttpchkWarn() throws {
        let outcome = parseHTTPBackend(["http-check expect status 200"])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.specificWarnings.map(\.location?.line) == [8])
        #expect(outcome.specificWarnings.first?.message.contains("'http-check' rules without 'option httpchk'") == true)
    }

    @Test func httpchkWorksInTCPModeBackends() throws {
        // As in HAProxy, a tcp-mode backend may check its servers over HTTP.
        let outcome = parse(quietDefaults + "\nbackend be\n    option httpchk GET /health\n    server s 127.0.0.1:80 check\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.warnings.isEmpty, "\(outcome.warnings)")
        let frontend = parse(quietDefaults + "\nfrontend fe\n    bind :80\n    option httpchk\n")
        #expect(frontend.warnings.map(\.location?.line) == [7])
        #expect(frontend.warnings.first?.message.contains("no backend capability") == true)
    }

    @Test(arguments: [
        ("option httpchk GET /health HTTP/1.1 extra", ["'option httpchk' takes at most a method, a URI and a version (unexpected 'extra')"]),
        ("no option httpchk", ["'no option httpchk' is not allowed"]),
        (#"option httpchk GET / HTTP/1.1\r\nnot-a-header"#, ["'not-a-header'", "no 'NAME:'"]),
        ("http-check", ["'http-check' expects send, expect or disable-on-404"]),
        ("http-check sned meth GET", ["unknown 'http-check sned'", "did you mean 'send'"]),
        ("http-check connect", ["'http-check connect'", "not supported by usher yet"]),
        ("http-check send-state", ["'http-check send-state'", "not supported by usher yet"]),
        ("http-check comment hello", ["'http-check comment'", "not supported by usher yet"]),
        ("http-check set-var(check.port) int(80)", ["'http-check set-var(check.port)'", "not supported by usher yet"]),
        ("http-check disable-on-404 x", ["'http-check disable-on-404' takes no arguments"]),
        ("http-check send hdr Host", ["'hdr Host' in 'http-check send' expects a value"]),
        ("http-check send meth", ["'meth' in 'http-check send' expects a value"]),
        ("http-check send foo", ["unexpected 'foo' in 'http-check send'"]),
        ("http-check send uri-lf /%[src]", ["'http-check send uri-lf'", "not supported by usher yet"]),
        ("http-check expect", ["'http-check expect' expects a match"]),
        ("http-check expect status", ["'status' in 'http-check expect' expects a value"]),
        ("http-check expect status abc", ["invalid status 'abc'"]),
        ("http-check expect status 399-200", ["invalid status '399-200'"]),
        ("http-check expect status 200-", ["invalid status '200-'"]),
        ("http-check expect status 2000", ["invalid status '2000'"]),
        ("http-check expect rstatus ((", ["invalid regular expression '(('"]),
        ("http-check expect foo 200", ["unexpected 'foo' in 'http-check expect'"]),
        ("http-check expect status 200 string x", ["takes one pattern; unexpected 'string'"]),
        ("http-check expect min-recv abc string x", ["'min-recv' in 'http-check expect' expects a number of bytes"]),
        ("http-check expect hdr name Server", ["'http-check expect hdr'", "not supported by usher yet"]),
        ("http-check expect comment x status 200", ["'http-check expect comment'", "not supported by usher yet"]),
    ])
    func badLinesNameTheirLine(line: String, needles: [String]) throws {
        try parseHTTPBackend([line]).expectSingleAlert(line: 8, needles)
    }

    @Test func notInAFrontend() throws {
        try parseHTTPFrontend(["http-check expect status 200"]).expectSingleAlert(line: 8, ["'http-check' is not allowed in frontend 'fe'"])
    }
}
