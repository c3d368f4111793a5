import Testing
@testable import UsherConfig

@Suite("Parser: sections, defaults inheritance, options")
struct ParserTests {
    // MARK: - defaults

    @Test func proxiesCopyTheLastDefaultsSection() throws {
        let outcome = parse("""
            defaults
                mode http
                option redispatch
                retries 7
                timeout client 1s
                timeout server 1s
                timeout connect 1s
            backend early
                server s 127.0.0.1:80
            defaults
                timeout client 2s
                timeout server 2s
                timeout connect 2s
            backend late
                server s 127.0.0.1:80
            """)
        #expect(outcome.diagnostics.filter { !$0.message.contains("is in mode http, which usher does not implement yet") }.isEmpty, "\(outcome.diagnostics)")
        let early = try outcome.proxy("early")
        #expect(early.mode == .http)
        #expect(early.settings.isEnabled("redispatch"))
        #expect(early.retries == 7)
        #expect(early.settings.timeouts.server == .seconds(1))
        // A new defaults section starts from scratch: nothing of the first one survives.
        let late = try outcome.proxy("late")
        #expect(late.mode == .tcp)
        #expect(!late.settings.isEnabled("redispatch"))
        #expect(late.settings.retries == nil)
        #expect(late.retries == 3)
        #expect(late.settings.timeouts.server == .seconds(2))
    }

    @Test func namedDefaultsAndFrom() throws {
        let outcome = parse("""
            defaults base
                mode http
                retries 5
                timeout client 5s
                timeout server 5s
                timeout connect 5s
            defaults child from base
                timeout server 9s
            defaults
                mode tcp
                timeout client 1s
                timeout server 1s
                timeout connect 1s
            frontend fe from base
                bind :80
                default_backend be
            backend be from child
                server s 127.0.0.1:80
            backend plain
                server s 127.0.0.1:81
            """)
        #expect(outcome.diagnostics.filter { !$0.message.contains("is in mode http, which usher does not implement yet") }.isEmpty, "\(outcome.diagnostics)")
        let fe = try outcome.proxy("fe")
        #expect(fe.mode == .http)
        #expect(fe.settings.timeouts.client == .seconds(5))
        let be = try outcome.proxy("be")
        #expect(be.mode == .http)
        #expect(be.retries == 5)
        #expect(be.settings.timeouts.server == .seconds(9))
        #expect(be.settings.timeouts.connect == .seconds(5))
        // Without `from`, the last defaults section (here the unnamed one) applies.
        let plain = try outcome.proxy("plain")
        #expect(plain.mode == .tcp)
        #expect(plain.retries == 3)
        #expect(plain.settings.timeouts.server == .seconds(1))
    }

    @Test func namedDefaultsAlsoBecomeTheCurrentDefaults() throws {
        let outcome = parse("""
            defaults web
                mode http
                timeout client 1s
                timeout server 1s
                timeout connect 1s
            backend be
                server s 127.0.0.1:80
            """)
        #expect(try outcome.proxy("be").mode == .http)
    }

    @Test func fromAnUndeclaredDefaultsSectionIsAnError() throws {
        let outcome = parse(quietDefaults + "\nbackend be from nosuch\n    server s 127.0.0.1:80\n")
        let alert = try outcome.singleAlert()
        #expect(alert.location?.line == 5)
        #expect(alert.message.contains("'from'"))
        let second = parse("defaults a from nosuch\n")
        #expect(try second.singleAlert().message.contains("'nosuch'"))
    }

    @Test func noOptionCancelsAnInheritedOption() throws {
        let outcome = parse(quietDefaults + """

                option redispatch
                option dontlognull
                option forwardfor
                mode http
            backend be
                no option redispatch
                no option forwardfor
                server s 127.0.0.1:80
            """)
        #expect(outcome.diagnostics.filter { !$0.message.contains("is in mode http, which usher does not implement yet") }.isEmpty, "\(outcome.diagnostics)")
        let be = try outcome.proxy("be")
        #expect(!be.settings.isEnabled("redispatch"))
        #expect(be.settings.options["redispatch"]?.enabled == false)
        #expect(be.settings.options["redispatch"]?.location.line == 10)
        #expect(be.settings.forwardFor == nil)
        #expect(be.settings.isEnabled("dontlognull"))
    }

    @Test func tcplogAndHttplogExcludeEachOther() throws {
        let outcome = parse(quietDefaults + """

                option httplog
            frontend tcp-fe
                bind :443
                option tcplog
            frontend http-fe
                mode http
                bind :80
            frontend back-to-http
                mode http
                bind :81
                option tcplog
                option httplog
            """)
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let tcp = try outcome.proxy("tcp-fe")
        #expect(tcp.settings.isEnabled("tcplog"))
        #expect(tcp.settings.options["httplog"] == nil)
        let http = try outcome.proxy("http-fe")
        #expect(http.settings.isEnabled("httplog"))
        #expect(http.settings.options["tcplog"] == nil)
        let last = try outcome.proxy("back-to-http")
        #expect(last.settings.isEnabled("httplog"))
        #expect(last.settings.options["tcplog"] == nil)
    }

    /// HAProxy: "'option httplog' not usable with frontend 'fe' (needs 'mode http'). Falling back
    /// to 'option tcplog'."
    @Test func inheritedHttplogFallsBackToTcplogInTCPMode() throws {
        let outcome = parse(quietDefaults + "\n    option httplog\nfrontend fe\n    bind :443\n")
        let fe = try outcome.proxy("fe")
        #expect(fe.settings.isEnabled("tcplog"))
        #expect(fe.settings.options["httplog"] == nil)
        #expect(outcome.warnings.count == 1)
        #expect(outcome.warnings.first?.message.contains("falling back to 'option tcplog'") == true)
    }

    @Test func httpCloseModesExcludeEachOther() throws {
        let outcome = parse(quietDefaults + """

                option http-server-close
                mode http
            backend be
                option httpclose
                server s 127.0.0.1:80
            """)
        let be = try outcome.proxy("be")
        #expect(be.settings.isEnabled("httpclose"))
        #expect(be.settings.options["http-server-close"] == nil)
    }

    @Test func proxyValuesOverrideDefaults() throws {
        let outcome = parse(quietDefaults + """

                retries 3
                maxconn 100
                balance leastconn
            backend be
                retries 0
                balance source
                timeout server 30s
                server s 127.0.0.1:80
            """)
        let be = try outcome.proxy("be")
        #expect(be.retries == 0)
        #expect(be.balance == .source)
        #expect(be.settings.maxconn == 100)
        #expect(be.settings.timeouts.server == .seconds(30))
        #expect(be.settings.timeouts.client == .seconds(1))
    }

    @Test func defaultServerFillsServerOptions() throws {
        let outcome = parse(quietDefaults + """

                default-server inter 3s fall 5
            backend be
                default-server rise 4
                server a 127.0.0.1:80 check
                server b 127.0.0.1:81 check fall 2 weight 10 backup maxconn 50 send-proxy-v2
            """)
        #expect(outcome.diagnostics.filter { !$0.message.contains("is in mode http, which usher does not implement yet") }.isEmpty, "\(outcome.diagnostics)")
        let servers = try outcome.proxy("be").servers
        #expect(servers.map(\.inter) == [.seconds(3), .seconds(3)])
        #expect(servers.map(\.fall) == [5, 2])
        #expect(servers.map(\.rise) == [4, 4])
        #expect(servers.map(\.weight) == [1, 10])
        #expect(servers.map(\.isBackup) == [false, true])
        #expect(servers[1].options.maxconn == 50)
        #expect(servers[1].proxyProtocol == .v2)
        #expect(servers.map(\.isChecked) == [true, true])
    }

    @Test func weightBounds() throws {
        #expect(parse(quietDefaults + "\nbackend be\n    server s 127.0.0.1:80 weight 256\n").alerts.isEmpty)
        #expect(try parse(quietDefaults + "\nbackend be\n    server s 127.0.0.1:80 weight 0\n").proxy("be").servers[0].weight == 0)
    }

    @Test func balanceAlgorithms() throws {
        for (word, algorithm) in [("roundrobin", BalanceAlgorithm.roundRobin), ("static-rr", .staticRoundRobin), ("leastconn", .leastConnections), ("first", .first), ("source", .source)] {
            let outcome = parse(quietDefaults + "\nbackend be\n    balance \(word)\n    server s 127.0.0.1:80\n")
            #expect(try outcome.proxy("be").balance == algorithm)
        }
        let typo = parse(quietDefaults + "\nbackend be\n    balance roundrobn\n")
        #expect(try typo.singleAlert().message.contains("did you mean 'roundrobin'"))
    }

    @Test func cookieOptions() throws {
        let outcome = parse(quietDefaults + "\nbackend be\n    mode http\n    cookie SRV insert indirect nocache maxidle 30m domain .example.com\n    server s 127.0.0.1:80 cookie s1\n")
        let cookie = try #require(try outcome.proxy("be").settings.cookie)
        #expect(cookie.name == "SRV")
        #expect(cookie.mode == .insert)
        #expect(cookie.indirect && cookie.noCache)
        #expect(cookie.maxIdle == .seconds(1800))
        #expect(cookie.domains == [".example.com"])
        let both = parse(quietDefaults + "\nbackend be\n    cookie SRV insert prefix\n")
        #expect(try both.singleAlert().message.contains("mutually exclusive"))
    }

    @Test func globalSection() throws {
        let outcome = parse("""
            global
                log 127.0.0.1 local2
                log 10.0.0.9:5514 len 2048 format rfc5424 daemon info notice
                log stdout format raw local0
                maxconn 4000
                user haproxy
                group haproxy
                daemon
                pidfile /run/haproxy.pid
                chroot /var/empty
                nbthread 2
            """)
        #expect(outcome.diagnostics.filter { !$0.message.contains("is in mode http, which usher does not implement yet") }.isEmpty, "\(outcome.diagnostics)")
        let global = try #require(outcome.configuration?.global)
        #expect(global.maxconn == 4000)
        #expect(global.user == "haproxy")
        #expect(global.group == "haproxy")
        #expect(global.daemon)
        #expect(global.pidfile == "/run/haproxy.pid")
        #expect(global.chroot == "/var/empty")
        #expect(global.nbthread == 2)
        #expect(global.logTargets.count == 3)
        let first = global.logTargets[0]
        #expect(first.destination == .udp(host: "127.0.0.1", port: 514))
        #expect(first.facility == .local2)
        #expect(first.level == .debug)
        #expect(first.format == .rfc3164)
        #expect(first.maximumLength == 1024)
        let second = global.logTargets[1]
        #expect(second.destination == .udp(host: "10.0.0.9", port: 5514))
        #expect(second.format == .rfc5424)
        #expect(second.maximumLength == 2048)
        #expect(second.facility == .daemon)
        #expect(second.level == .info)
        #expect(second.minimumLevel == .notice)
        #expect(global.logTargets[2].destination == .stdout)
        #expect(global.logTargets[2].format == .raw)
    }

    @Test func logGlobalInAProxy() throws {
        let outcome = parse("global\n    log 127.0.0.1 local2\n" + quietDefaults + "\n    log global\nbackend be\n    log 10.0.0.1 local3\n    server s 127.0.0.1:80\n")
        let be = try outcome.proxy("be")
        let targets = be.effectiveLogTargets(global: outcome.configuration!.global)
        #expect(targets.map(\.facility) == [.local2, .local3])
    }

    @Test func listenSectionHasBothSides() throws {
        let outcome = parse(quietDefaults + "\nlisten both\n    bind :8080\n    server s 127.0.0.1:80\n")
        #expect(outcome.diagnostics.filter { !$0.message.contains("is in mode http, which usher does not implement yet") }.isEmpty, "\(outcome.diagnostics)")
        let both = try outcome.proxy("both")
        #expect(both.kind == .listen)
        #expect(both.binds.count == 1)
        #expect(both.servers.count == 1)
        #expect(outcome.configuration?.backend(named: "both") != nil)
    }

    @Test func frontendAndBackendMayShareANameButNothingElse() throws {
        let ok = parse(quietDefaults + "\nfrontend web\n    bind :80\n    default_backend web\nbackend web\n    server s 127.0.0.1:80\n")
        #expect(ok.alerts.isEmpty, "\(ok.alerts)")
        let clash = parse(quietDefaults + "\nbackend web\n    server s 127.0.0.1:80\nbackend web\n    server s 127.0.0.1:80\n")
        let alert = try clash.singleAlert()
        #expect(alert.location?.line == 7)
        #expect(alert.message.contains("t.cfg:5"))
    }

    @Test func legacyOneXSyntaxIsAcceptedWithAWarning() throws {
        let outcome = parse("""
            defaults
                contimeout 5s
                clitimeout 1m
                srvtimeout 1m
            listen old 127.0.0.1:8080,127.0.0.1:8081
                server s 127.0.0.1:80
            """)
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.warnings.map(\.location?.line) == [2, 3, 4, 5])
        #expect(outcome.warnings.allSatisfy { $0.message.contains("1.x syntax") })
        #expect(outcome.warnings[0].message.contains("timeout connect 5s"))
        let old = try outcome.proxy("old")
        #expect(old.settings.timeouts.connect == .seconds(5))
        #expect(old.binds.first?.addresses.map(\.ports) == [8080...8080, 8081...8081])
    }

    @Test func conditionsAreParsed() throws {
        let outcome = parse(quietDefaults + """

            frontend fe
                bind :443
                acl a req_ssl_sni -i a.example
                acl b req_ssl_sni -m end .example
                use_backend be if a !b or { req_ssl_hello_type 1 } || TRUE
                use_backend be unless b
                default_backend be
            backend be
                server s 127.0.0.1:80
            """)
        #expect(outcome.diagnostics.filter { !$0.message.contains("is in mode http, which usher does not implement yet") }.isEmpty, "\(outcome.diagnostics)")
        let fe = try outcome.proxy("fe")
        #expect(fe.acls.map(\.name) == ["a", "b"])
        #expect(fe.acls[0].ignoreCase)
        #expect(fe.acls[1].matchMethod == "end")
        #expect(fe.acls[1].values == [".example"])
        let first = try #require(fe.useBackendRules[0].condition)
        #expect(first.polarity == .if)
        #expect(first.alternatives.count == 3)
        #expect(first.alternatives[0].map(\.negated) == [false, true])
        #expect(first.referencedNames == ["a", "b", "TRUE"])
        #expect(first.anonymousACLs.map(\.criterion.fetch.name) == ["req_ssl_hello_type"])
        #expect(fe.useBackendRules[1].condition?.polarity == .unless)
    }

    /// `backlog` applies to every bind line without its own, wherever it is written.
    @Test func backlogReachesEveryBind() throws {
        let outcome = parse(quietDefaults + """

                backlog 2048
            frontend inherited
                bind :80
            frontend own
                bind :81
                backlog 100
                bind :82
                bind :83 backlog 7
            """)
        #expect(outcome.diagnostics.filter { !$0.message.contains("is in mode http, which usher does not implement yet") }.isEmpty, "\(outcome.diagnostics)")
        #expect(try outcome.proxy("inherited").binds.map(\.backlog) == [2048])
        #expect(try outcome.proxy("own").binds.map(\.backlog) == [100, 100, 7])
    }

    @Test func sampleExpressions() throws {
        let expression = try SampleExpression.parse("req.payload(0,5),lower,field(2,.)").get()
        #expect(expression.fetch == .init(name: "req.payload", arguments: ["0", "5"]))
        #expect(expression.converters.map(\.name) == ["lower", "field"])
        #expect(expression.converters[1].arguments == ["2", "."])
        #expect(expression.description == "req.payload(0,5),lower,field(2,.)")
        #expect(throws: Address.ParseError.self) { try SampleExpression.parse("req.payload(0,5").get() }
        #expect(throws: Address.ParseError.self) { try SampleExpression.parse("src,").get() }
    }

    @Test func severalFilesShareDefaults() throws {
        let outcome = ConfigurationParser().parse([
            .init(name: "a.cfg", text: quietDefaults + "\n    mode http\n"),
            .init(name: "b.cfg", text: "backend be\n    server s 127.0.0.1:80\n    frobnicate\n"),
        ])
        #expect(outcome.alerts.map(\.location) == [UsherConfig.SourceLocation(file: "b.cfg", line: 3)])
        let lenient = ConfigurationParser().parse([
            .init(name: "a.cfg", text: quietDefaults + "\n    mode http\n"),
            .init(name: "b.cfg", text: "backend be\n    server s 127.0.0.1:80\n"),
        ])
        #expect(try lenient.proxy("be").mode == .http)
    }
}
