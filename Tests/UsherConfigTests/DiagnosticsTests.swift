import Testing
@testable import UsherConfig

/// Every bad configuration gives an alert at the right file and line, with a message a user can act
/// on; nothing is silently dropped.
@Suite("Diagnostics for bad configurations")
struct DiagnosticsTests {
    /// `quietDefaults` then `body`; the first line of `body` is line 5.
    func check(_ body: String, file: String = "t.cfg") -> ConfigurationParser.Outcome {
        parse(quietDefaults + "\n" + body, file: file)
    }

    func expectAlert(
        _ outcome: ConfigurationParser.Outcome, line: Int, file: String = "t.cfg", contains needles: [String],
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let alert = try outcome.singleAlert(sourceLocation: sourceLocation)
        #expect(alert.location == UsherConfig.SourceLocation(file: file, line: line), "\(alert)", sourceLocation: sourceLocation)
        for needle in needles {
            #expect(alert.message.contains(needle), "'\(needle)' not in: \(alert.message)", sourceLocation: sourceLocation)
        }
        #expect(outcome.configuration == nil, sourceLocation: sourceLocation)
    }

    // MARK: - Unknown and unsupported keywords

    @Test func misspeltProxyKeywordSuggestsTheRightOne() throws {
        let outcome = check("""
            frontend fe
                bind :443
                tcp-reqeust inspect-delay 5s
            """)
        try expectAlert(outcome, line: 7, contains: ["unknown keyword 'tcp-reqeust'", "frontend 'fe'", "did you mean 'tcp-request'"])
    }

    @Test(arguments: [
        ("frontend fe\n    bind :80\n    optoin tcplog", "optoin", "option"),
        ("backend be\n    balanc roundrobin", "balanc", "balance"),
        ("backend be\n    sevrer s 127.0.0.1:80", "sevrer", "server"),
        ("frontend fe\n    bind :80\n    default_backed be", "default_backed", "default_backend"),
    ])
    func otherMisspellings(body: String, typo: String, suggestion: String) throws {
        let outcome = check(body)
        let alert = try outcome.singleAlert()
        #expect(alert.location?.line == 4 + body.split(separator: "\n").count)
        #expect(alert.message.contains("unknown keyword '\(typo)'"))
        #expect(alert.message.contains("did you mean '\(suggestion)'"))
    }

    @Test func misspeltGlobalKeyword() throws {
        let outcome = parse("global\n    maxconnn 100\n")
        try expectAlert(outcome, line: 2, contains: ["unknown keyword 'maxconnn'", "global", "did you mean 'maxconn'"])
    }

    @Test func unknownKeywordWithoutNearMatchHasNoHint() throws {
        let outcome = parse("global\n    frobnicate\n")
        try expectAlert(outcome, line: 2, contains: ["unknown keyword 'frobnicate'"])
        #expect(!outcome.alerts[0].message.contains("did you mean"))
    }

    /// A misspelt section header is read as a keyword of the previous section.
    @Test func misspeltSectionNameSuggestsTheSection() throws {
        let outcome = check("frontendd fe\n")
        try expectAlert(outcome, line: 5, contains: ["unknown keyword 'frontendd'", "did you mean 'frontend'"])
    }

    @Test func keywordOutsideAnySection() throws {
        let outcome = parse("maxconn 10\n")
        try expectAlert(outcome, line: 1, contains: ["'maxconn'", "section"])
    }

    @Test(arguments: [
        ("frontend fe\n    mode http\n    bind :80\n    http-after-response capture res.hdr(x) id 0", "'http-after-response capture'"),
        ("frontend fe\n    mode http\n    bind :80\n    http-request send-spoe-group agents grp", "'http-request send-spoe-group'"),
        ("frontend fe\n    mode http\n    bind :80\n    http-request normalize-uri path-strip-dot", "'http-request normalize-uri'"),
        ("backend be\n    persist rdp-cookie", "'persist'"),
        ("frontend fe\n    bind :80\n    option contstats", "'option contstats'"),
        ("frontend fe\n    bind :80\n    tcp-request content send-spoe-group agents grp", "'tcp-request content send-spoe-group'"),
        ("frontend fe\n    bind :80\n    timeout tarpit 1s\n    mode spop", "'mode spop'"),
        ("backend be\n    server s 127.0.0.1:80 ssl verify none send-proxy-v2-ssl", "server option 'send-proxy-v2-ssl'"),
        ("backend be\n    balance rdp-cookie", "'balance rdp-cookie'"),
    ])
    func haproxyKeywordsUsherLacksSaySo(body: String, keyword: String) throws {
        let outcome = check(body)
        let alert = try outcome.singleAlert()
        #expect(alert.location?.line == 4 + body.split(separator: "\n").count)
        #expect(alert.message.contains(keyword), "\(alert.message)")
        #expect(alert.message.contains("not supported by usher yet"), "\(alert.message)")
    }

    /// A backend's `tcp-request content` rules are read (they run once the backend is chosen).
    @Test func tcpRequestContentInABackendIsRead() throws {
        let outcome = check("backend be\n    tcp-request content reject if { src 10.0.0.0/8 }\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.configuration?.proxies.first?.tcpRequestRules.count == 1)
        let listen = check("listen both\n    bind :80\n    tcp-request content reject if { src 10.0.0.0/8 }\n    server s 127.0.0.1:80\n")
        #expect(listen.alerts.isEmpty, "\(listen.alerts)")
    }

    @Test func globalKeywordUsherLacks() throws {
        let outcome = parse("global\n    lua-load /etc/x.lua\n")
        try expectAlert(outcome, line: 2, contains: ["'lua-load'", "not supported by usher yet"])
    }

    @Test func unsupportedSectionIsReportedOnceAndSkipped() throws {
        // (`resolvers` and `peers` are supported now; `cache` is not yet.)
        let outcome = check("""
            cache assets
                total-max-size 4
                max-age 60
            backend be
                server s 127.0.0.1:80
            """)
        try expectAlert(outcome, line: 5, contains: ["'cache'", "not supported by usher yet"])
    }

    @Test func unknownOptionSuggestsOne() throws {
        let outcome = check("backend be\n    option sslhellochk\n")
        try expectAlert(outcome, line: 6, contains: ["unknown option 'sslhellochk'", "did you mean 'ssl-hello-chk'"])
    }

    @Test func unknownServerOptionSuggestsOne() throws {
        let outcome = check("backend be\n    server s1 127.0.0.1:80 chek\n")
        try expectAlert(outcome, line: 6, contains: ["'chek'", "did you mean 'check'"])
    }

    // MARK: - References

    @Test func unknownBackendInUseBackend() throws {
        let outcome = check("""
            frontend fe
                bind :80
                use_backend servrs if TRUE
            backend servers
                server s 127.0.0.1:80
            """)
        try expectAlert(outcome, line: 7, contains: ["backend 'servrs'", "does not exist", "did you mean 'servers'"])
    }

    @Test func unknownDefaultBackend() throws {
        let outcome = check("frontend fe\n    bind :80\n    default_backend nosuch\n")
        try expectAlert(outcome, line: 7, contains: ["frontend 'fe'", "backend 'nosuch'", "does not exist"])
    }

    @Test func unknownDefaultBackendInheritedFromDefaultsPointsAtTheDefaultsLine() throws {
        let outcome = parse(quietDefaults + "\n    default_backend nosuch\nfrontend fe\n    bind :80\n")
        try expectAlert(outcome, line: 5, contains: ["'nosuch'"])
    }

    @Test func unknownACL() throws {
        let outcome = check("""
            frontend fe
                bind :80
                acl is_bar src 10.0.0.0/8
                use_backend be if is_foo
                default_backend be
            backend be
                server s 127.0.0.1:80
            """)
        try expectAlert(outcome, line: 8, contains: ["no such ACL", "'is_foo'"])
    }

    @Test func unknownACLInATCPRule() throws {
        let outcome = check("frontend fe\n    bind :80\n    tcp-request content reject if !is_good\n")
        try expectAlert(outcome, line: 7, contains: ["no such ACL", "'is_good'"])
    }

    @Test func misspeltPredefinedACL() throws {
        let outcome = check("frontend fe\n    bind :80\n    tcp-request content reject if LOCALHOTS\n")
        try expectAlert(outcome, line: 7, contains: ["'LOCALHOTS'", "did you mean 'LOCALHOST'"])
    }

    @Test func unknownServerInUseServer() throws {
        let outcome = check("""
            backend be
                use-server s9 if TRUE
                server s1 127.0.0.1:80
            """)
        try expectAlert(outcome, line: 6, contains: ["backend 'be'", "'s9'", "use-server"])
    }

    @Test func duplicateServerName() throws {
        let outcome = check("""
            backend be
                server s1 127.0.0.1:80
                server s1 127.0.0.1:81
            """)
        try expectAlert(outcome, line: 7, contains: ["'s1'", "already", "t.cfg:6"])
    }

    // MARK: - Values

    @Test func weightOutOfRange() throws {
        let outcome = check("backend be\n    server s1 127.0.0.1:80 weight 300\n")
        try expectAlert(outcome, line: 6, contains: ["weight", "0 to 256", "'300'"])
    }

    @Test func badAddress() throws {
        try expectAlert(check("backend be\n    server s1 127.0.0.300:80\n"), line: 6, contains: ["127.0.0.300"])
    }

    @Test func badPort() throws {
        try expectAlert(check("frontend fe\n    bind :99999\n"), line: 6, contains: ["invalid port '99999'"])
    }

    @Test func badInteger() throws {
        try expectAlert(check("backend be\n    retries many\n"), line: 6, contains: ["'retries'", "integer", "'many'"])
    }

    @Test func badMode() throws {
        try expectAlert(check("backend be\n    mode htp\n"), line: 6, contains: ["unknown mode 'htp'"])
    }

    @Test func badCondition() throws {
        let missingBrace = check("frontend fe\n    bind :80\n    tcp-request content accept if { req_ssl_hello_type 1\n")
        try expectAlert(missingBrace, line: 7, contains: ["missing '}'"])
        let empty = check("frontend fe\n    bind :80\n    tcp-request content accept if\n")
        try expectAlert(empty, line: 7, contains: ["missing condition"])
        let dangling = check("frontend fe\n    bind :80\n    tcp-request content accept if TRUE or\n")
        try expectAlert(dangling, line: 7, contains: ["missing condition"])
        let noKeyword = check("frontend fe\n    bind :80\n    tcp-request content accept when TRUE\n")
        try expectAlert(noKeyword, line: 7, contains: ["'if' or 'unless'"])
    }

    @Test func badTCPRequestAction() throws {
        try expectAlert(check("frontend fe\n    bind :80\n    tcp-request content acept\n"), line: 7, contains: ["'acept'", "did you mean 'accept'"])
    }

    // MARK: - Sections and modes

    @Test func bindInABackend() throws {
        try expectAlert(check("backend be\n    bind :80\n"), line: 6, contains: ["'bind'", "not allowed in backend 'be'", "frontend"])
    }

    @Test func serverInAFrontend() throws {
        try expectAlert(check("frontend fe\n    bind :80\n    server s1 127.0.0.1:80\n"), line: 7, contains: ["'server'", "not allowed in frontend 'fe'", "backend"])
    }

    @Test func aclInDefaults() throws {
        try expectAlert(check("defaults\n    acl a src 127.0.0.1\n"), line: 6, contains: ["'acl'", "defaults"])
    }

    @Test func backendWithAnAddressOnItsHeader() throws {
        try expectAlert(check("backend be 127.0.0.1:80\n"), line: 5, contains: ["backend has no address"])
    }

    @Test func modeMismatchBetweenFrontendAndBackend() throws {
        let outcome = check("""
            frontend fe
                mode http
                bind :80
                default_backend be
            backend be
                mode tcp
                server s 127.0.0.1:80
            """)
        try expectAlert(outcome, line: 8, contains: ["frontend 'fe'", "mode http", "backend 'be'", "mode tcp"])
    }

    /// A mode tcp frontend may use a mode http backend: the connection is upgraded, as in HAProxy.
    @Test func tcpFrontendMayUseAnHTTPBackend() throws {
        let outcome = check("""
            frontend fe
                bind :443
                use_backend web if TRUE
                default_backend tls
            backend web
                mode http
                server s 127.0.0.1:80
            backend tls
                server s 127.0.0.1:443
            """)
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
    }

    // MARK: - Collecting everything

    @Test func everyErrorIsReportedNotJustTheFirst() {
        let outcome = check("""
            frontend fe
                bind :99999
                timeout client 10x
                optoin tcplog
            backend be
                server s1 127.0.0.1:80 weight 300
            """)
        #expect(outcome.alerts.map(\.location?.line) == [6, 7, 8, 10])
        #expect(outcome.configuration == nil)
    }

    @Test func warningsAloneKeepTheConfiguration() {
        let outcome = check("backend be\n    timeout client 5s\n    server s 127.0.0.1:80\n")
        #expect(outcome.alerts.isEmpty)
        #expect(outcome.warnings.count == 1)
        #expect(outcome.warnings.first?.location?.line == 6)
        #expect(outcome.warnings.first?.message.contains("no frontend capability") == true)
        #expect(outcome.configuration != nil)
    }

    @Test func missingTimeoutsWarnPerProxy() {
        let outcome = parse("frontend fe\n    bind :80\n    default_backend be\nbackend be\n    server s 127.0.0.1:80\n")
        #expect(outcome.alerts.isEmpty)
        #expect(outcome.warnings.map(\.location?.line) == [1, 4])
        #expect(outcome.warnings[0].message.contains("'timeout client'"))
        #expect(outcome.warnings[1].message.contains("'timeout connect'"))
        #expect(outcome.warnings[1].message.contains("'timeout server'"))
    }

    @Test func frontendWithoutBindWarns() {
        let outcome = check("frontend fe\n")
        #expect(outcome.alerts.isEmpty)
        #expect(outcome.warnings.map(\.location?.line) == [5])
        #expect(outcome.warnings.first?.message.contains("no 'bind' line") == true)
    }

    @Test func alertsNameTheFileTheyComeFrom() throws {
        let outcome = check("backend be\n    balanc roundrobin\n", file: "/etc/haproxy/haproxy.cfg")
        try expectAlert(outcome, line: 6, file: "/etc/haproxy/haproxy.cfg", contains: ["balanc"])
    }

    @Test func diagnosticDescription() {
        let location = UsherConfig.SourceLocation(file: "t.cfg", line: 3)
        #expect(Diagnostic.alert(location, "boom").description == "[ALERT] t.cfg:3: boom")
        #expect(Diagnostic.warning(location, "hmm").description == "[WARNING] t.cfg:3: hmm")
        #expect(Diagnostic.warning(nil, "hmm").description == "[WARNING] hmm")
    }

    @Test func nearestMatch() {
        #expect(NearestMatch.find("tcp-reqeust", in: ["tcp-request", "tcp-response"]) == "tcp-request")
        #expect(NearestMatch.find("TIMEOUT", in: ["timeout", "option"]) == "timeout")
        #expect(NearestMatch.find("frobnicate", in: ["timeout", "option"]) == nil)
        #expect(NearestMatch.find("x", in: [String]()) == nil)
    }
}
