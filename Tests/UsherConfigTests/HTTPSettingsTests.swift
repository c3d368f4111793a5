import Testing

@testable import UsherConfig

@Suite("HTTP settings: captures, log formats, balance, reuse, options")
struct HTTPSettingsTests {
    // MARK: - capture

    @Test func capturesKeepTheirOrderPerDirection() throws {
        let outcome = parseHTTPFrontend([
            "capture request header Host len 32",
            "capture response header Location len 64",
            "capture request header User-Agent len 15",
        ])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let fe = try outcome.proxy("fe")
        #expect(fe.requestHeaderCaptures == [HeaderCapture(name: "Host", length: 32, location: .init(file: "t.cfg", line: 8)), HeaderCapture(name: "User-Agent", length: 15, location: .init(file: "t.cfg", line: 10))])
        #expect(fe.responseHeaderCaptures.map(\.name) == ["Location"])
        #expect(fe.responseHeaderCaptures.map(\.length) == [64])
    }

    @Test(arguments: [
        ("capture request header Host", ["'capture request' expects 'header NAME len LENGTH'"]),
        ("capture request header Host size 15", ["'capture request' expects 'header NAME len LENGTH'"]),
        ("capture response header Location len abc", ["expects a number of characters, not 'abc'"]),
        ("capture request header Host len 15 extra", ["unexpected 'extra'"]),
        ("capture request foo Host len 15", ["'capture request' expects 'header NAME len LENGTH'"]),
        ("capture foo", ["'capture' expects 'request header', 'response header' or 'cookie'"]),
        ("capture cookie SESSION len 32", ["'capture cookie'", "not supported by usher yet"]),
    ])
    func badCaptures(line: String, needles: [String]) throws {
        try parseHTTPFrontend([line]).expectSingleAlert(line: 8, needles)
    }

    @Test func capturesBelongToFrontends() throws {
        try parseHTTPBackend(["capture request header Host len 5"]).expectSingleAlert(line: 8, ["'capture' is not allowed in backend 'be'"])
        let inDefaults = parse(httpDefaults + "    capture request header Host len 5\n")
        try inDefaults.expectSingleAlert(line: 6, ["'capture' is not allowed in defaults section"])
    }

    // MARK: - log-format, option httplog clf

    @Test func logFormatAndLogOptionsReplaceEachOther() throws {
        let outcome = parse(
            httpDefaults + """
                    log-format "%ci:%cp [%tr] %ft %b/%s %ST %B"
                frontend inherits
                    bind :80
                frontend httplog
                    bind :81
                    option httplog
                frontend clf
                    bind :82
                    option httplog clf
                frontend own
                    bind :83
                    option httplog clf
                    log-format %ci\\ %r
                """)
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let inherits = try outcome.proxy("inherits").settings
        #expect(inherits.logFormat == LogFormat(format: "%ci:%cp [%tr] %ft %b/%s %ST %B", location: .init(file: "t.cfg", line: 6)))
        let httplog = try outcome.proxy("httplog").settings
        #expect(httplog.logFormat == nil && httplog.isEnabled("httplog") && !httplog.httpLogIsCLF)
        let clf = try outcome.proxy("clf").settings
        #expect(clf.logFormat == nil && clf.isEnabled("httplog") && clf.httpLogIsCLF)
        let own = try outcome.proxy("own").settings
        #expect(own.logFormat?.format == "%ci %r")
        #expect(own.options["httplog"] == nil && !own.httpLogIsCLF)
        // HTTP frontends apply their log-format: no warning.
        #expect(outcome.specificWarnings.isEmpty, "\(outcome.specificWarnings)")
    }

    @Test func httplogClfFallsBackToTcplogInTCPMode() throws {
        let outcome = parse(quietDefaults + "\nfrontend fe\n    bind :80\n    option httplog clf\n")
        let fe = try outcome.proxy("fe").settings
        #expect(fe.isEnabled("tcplog") && !fe.httpLogIsCLF)
        #expect(outcome.warnings.first?.message.contains("falling back to 'option tcplog'") == true)
    }

    @Test(arguments: [
        ("log-format %ci %cp", ["'log-format' expects one argument: quote the format or escape its spaces"]),
        ("log-format", ["'log-format' expects a format string"]),
        ("log-format \"\"", ["'log-format' expects a format string"]),
        ("option httplog foo", ["'option httplog' accepts only 'clf'"]),
        ("unique-id-format a b", ["'unique-id-format' expects one argument"]),
        ("unique-id-header", ["'unique-id-header' expects exactly one argument"]),
        ("monitor-uri /a /b", ["'monitor-uri' expects exactly one argument"]),
    ])
    func badFrontendLines(line: String, needles: [String]) throws {
        try parseHTTPFrontend([line]).expectSingleAlert(line: 8, needles)
    }

    @Test func logFormatBelongsToFrontends() throws {
        try parseHTTPBackend(["log-format %ci"]).expectSingleAlert(line: 8, ["'log-format' is not allowed in backend 'be'"])
    }

    // MARK: - unique-id, monitor-uri

    @Test func uniqueIDAndMonitorURI() throws {
        let outcome = parse(
            httpDefaults + """
                    unique-id-format %{+X}o\\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid
                frontend fe
                    bind :80
                    unique-id-header X-Unique-ID
                    monitor-uri /haproxy_test
                """)
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let fe = try outcome.proxy("fe").settings
        #expect(fe.uniqueIDFormat == LogFormat(format: "%{+X}o %ci:%cp_%fi:%fp_%Ts_%rt:%pid", location: .init(file: "t.cfg", line: 6)))
        #expect(fe.uniqueIDHeader == "X-Unique-ID")
        #expect(fe.monitorURI == "/haproxy_test")
    }

    @Test func monitorURINeedsHTTPMode() throws {
        let outcome = parse(quietDefaults + "\nfrontend fe\n    bind :80\n    monitor-uri /health\n")
        #expect(outcome.warnings.map(\.message) == ["'monitor-uri' ignored for frontend 'fe' as it requires HTTP mode"])
        #expect(try outcome.proxy("fe").settings.monitorURI == nil)
    }

    // MARK: - balance

    @Test func httpBalanceAlgorithms() throws {
        let cases: [(String, BalanceAlgorithm)] = [
            ("uri", .uri(.init())),
            ("uri whole", .uri(.init(whole: true))),
            ("uri len 10 depth 3 path-only", .uri(.init(pathOnly: true, length: 10, depth: 3))),
            ("url_param userid", .urlParameter(name: "userid", checkPost: false)),
            ("url_param userid check_post", .urlParameter(name: "userid", checkPost: true)),
            ("url_param userid check_post 64", .urlParameter(name: "userid", checkPost: true)),
            ("hdr(host)", .header(name: "host", useDomainOnly: false)),
            ("hdr(Host) use_domain_only", .header(name: "Host", useDomainOnly: true)),
        ]
        for (words, algorithm) in cases {
            let outcome = parseHTTPBackend(["balance \(words)"])
            #expect(outcome.alerts.isEmpty, "\(words): \(outcome.alerts)")
            #expect(try outcome.proxy("be").balance == algorithm, "\(words)")
        }
        #expect(BalanceAlgorithm.header(name: "host", useDomainOnly: true).name == "hdr(host)")
        #expect(BalanceAlgorithm.uri(.init()).needsHTTP && !BalanceAlgorithm.source.needsHTTP)
    }

    @Test(arguments: [
        ("balance uri len", ["'balance uri len' expects a positive integer, not ''"]),
        ("balance uri len 0", ["'balance uri len' expects a positive integer, not '0'"]),
        ("balance uri depth -1", ["'balance uri depth' expects a positive integer, not '-1'"]),
        ("balance uri foo", ["unexpected 'foo' after 'balance uri'"]),
        ("balance url_param", ["'balance url_param' expects the name of a URL parameter"]),
        ("balance url_param a foo", ["unexpected 'foo' after 'balance url_param a'"]),
        ("balance url_param a check_post b", ["unexpected 'b' after 'balance url_param a'"]),
        ("balance hdr()", ["'balance hdr()' expects a header name"]),
        ("balance hdr(host", ["'balance hdr(host' expects a header name"]),
        ("balance hdr(host) foo", ["unexpected 'foo' after 'balance hdr(host)'"]),
        ("balance hdr", ["unknown balance algorithm 'hdr'"]),
        ("balance random(0)", ["'balance random(0)'", "at least 1"]),
        ("balance rdp-cookie", ["'balance rdp-cookie'", "not supported by usher yet"]),
        ("balance hash req.cookie(id)", ["'balance hash'", "not supported by usher yet"]),
        ("balance url-param x", ["unknown balance algorithm 'url-param'", "did you mean 'url_param'"]),
    ])
    func badBalanceLines(line: String, needles: [String]) throws {
        try parseHTTPBackend([line]).expectSingleAlert(line: 8, needles)
    }

    @Test func layer7HashFallsBackToRoundRobinInTCPMode() throws {
        let outcome = parse(quietDefaults + "\nbackend be\n    balance hdr(host)\n    server s 127.0.0.1:80\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.warnings.map(\.message) == ["'balance hdr(host)' is not possible for backend 'be', which is not in mode http: falling back to roundrobin"])
        #expect(try outcome.proxy("be").balance == .roundRobin)
    }

    // MARK: - http-reuse and options

    @Test func httpReuse() throws {
        let outcome = parse(httpDefaults + "    http-reuse always\nbackend inherits\n    server s 127.0.0.1:80\nbackend own\n    http-reuse never\n    server s 127.0.0.1:80\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(try outcome.proxy("inherits").settings.httpReuse == .always)
        #expect(try outcome.proxy("own").settings.httpReuse == HTTPReuse.never)
        try parseHTTPBackend(["http-reuse sometimes"]).expectSingleAlert(line: 8, ["'http-reuse' expects one of never, safe, aggressive or always"])
        try parseHTTPBackend(["http-reuse safe x"]).expectSingleAlert(line: 8, ["'http-reuse' expects one of"])
        try parseHTTPFrontend(["http-reuse safe"]).expectSingleAlert(line: 8, ["'http-reuse' is not allowed in frontend 'fe'"])
    }

    @Test func httpOptionsAreFlagsOnTheirSide() throws {
        let outcome = parse(
            httpDefaults + """
                    option http-buffer-request
                    option nolinger
                frontend fe
                    bind :80
                    option http-ignore-probes
                    option accept-invalid-http-request
                    no option http-buffer-request
                backend be
                    option http-pretend-keepalive
                    option abortonclose
                    option accept-invalid-http-response
                    server s 127.0.0.1:80
                """)
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let fe = try outcome.proxy("fe").settings
        #expect(fe.isEnabled("http-ignore-probes") && fe.isEnabled("accept-invalid-http-request") && fe.isEnabled("nolinger"))
        #expect(fe.options["http-buffer-request"]?.enabled == false)
        let be = try outcome.proxy("be").settings
        #expect(be.isEnabled("http-pretend-keepalive") && be.isEnabled("abortonclose") && be.isEnabled("accept-invalid-http-response") && be.isEnabled("http-buffer-request"))
        // nolinger (both proxies) and abortonclose are read but not applied yet.
        #expect(outcome.specificWarnings.map(\.location?.line) == [7, 15, 7])
    }

    @Test func optionsOnTheWrongSideWarnAsInHAProxy() throws {
        let outcome = parseHTTPFrontend(["option abortonclose", "option http-pretend-keepalive", "option accept-invalid-http-response"])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.specificWarnings.map(\.location?.line) == [8, 9, 10])
        #expect(outcome.specificWarnings.allSatisfy { $0.message.contains("ignored because frontend 'fe' has no backend capability") })
        let backend = parseHTTPBackend(["option http-ignore-probes"])
        #expect(backend.specificWarnings.first?.message == "'option http-ignore-probes' ignored because backend 'be' has no frontend capability")
    }

    @Test func httpOnlyOptionsAreDroppedInTCPMode() throws {
        let outcome = parse(quietDefaults + "\nlisten both\n    bind :80\n    option http-buffer-request\n    option accept-invalid-http-response\n    option http-keep-alive\n    server s 127.0.0.1:80\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.warnings.map(\.message) == [
            "'option accept-invalid-http-response' ignored for listen 'both' as it requires HTTP mode",
            "'option http-buffer-request' ignored for listen 'both' as it requires HTTP mode",
        ])
        let settings = try outcome.proxy("both").settings
        #expect(settings.options.keys.sorted() == ["http-keep-alive"])
    }

    /// `option http-use-htx` was HAProxy 2.0's switch to its native HTTP engine; 2.1 dropped it.
    @Test func httpUseHTXIsAcceptedWithAWarning() throws {
        for line in ["option http-use-htx", "no option http-use-htx"] {
            let outcome = parseHTTPFrontend([line])
            #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
            #expect(outcome.specificWarnings.map(\.location?.line) == [8])
            #expect(outcome.specificWarnings.first?.message.contains("'\(line)' is HAProxy 2.0 syntax") == true)
            #expect(try outcome.proxy("fe").settings.options["http-use-htx"] == nil)
        }
    }
}
