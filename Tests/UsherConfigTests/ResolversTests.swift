import Testing
@testable import UsherConfig

@Suite("resolvers sections and DNS server options")
struct ResolversTests {
    static let section = """
        resolvers dns
            nameserver ns1 127.0.0.1:5353
            nameserver ns2 udp@[::1]:53
            hold valid 5s
            hold nx 2s
            hold obsolete 1s
            resolve_retries 2
            timeout resolve 500
            timeout retry 250ms
            accepted_payload_size 8192
        """

    @Test func readsEveryKeyword() throws {
        let outcome = parse(Self.section + "\n" + quietDefaults + "\nbackend b\n    server s1 web.test:80 resolvers dns\n")
        let configuration = try #require(outcome.configuration, "\(outcome.diagnostics)")
        let resolvers = try #require(configuration.resolvers.first)
        #expect(resolvers.name == "dns")
        #expect(resolvers.nameservers.map { "\($0.name) \($0.host) \($0.port)" } == ["ns1 127.0.0.1 5353", "ns2 ::1 53"])
        #expect(resolvers.hold.valid == .seconds(5) && resolvers.hold.nx == .seconds(2) && resolvers.hold.obsolete == .seconds(1))
        #expect(resolvers.hold.timeout == .seconds(30) && resolvers.hold.refused == .seconds(30) && resolvers.hold.other == .seconds(30))
        #expect(resolvers.resolveRetries == 2 && resolvers.timeoutResolve == .milliseconds(500) && resolvers.timeoutRetry == .milliseconds(250))
        #expect(resolvers.acceptedPayloadSize == 8192)
        #expect(outcome.diagnostics.isEmpty)
    }

    @Test func parseResolvConfReadsTheNameservers() throws {
        let files = ["/etc/resolv.conf": "# comment\nsearch example\nnameserver 10.0.0.53\nnameserver fe80::1%eth0\nnameserver 2001:db8::53\n"]
        let outcome = parse("resolvers sys\n    parse-resolv-conf\n", files: files)
        let resolvers = try #require(outcome.configuration?.resolvers.first)
        #expect(resolvers.nameservers.map(\.host) == ["10.0.0.53", "2001:db8::53"])
        #expect(resolvers.nameservers.allSatisfy { $0.port == 53 })
    }

    /// As HAProxy, `resolvers default` exists without being declared, made from /etc/resolv.conf;
    /// a file that declares it keeps its own.
    @Test func implicitDefaultResolvers() throws {
        let body = "backend be\n    server a web.test:80 resolvers default init-addr none\n"
        let outcome = parse(body, files: ["/etc/resolv.conf": "nameserver 10.0.0.53\n"])
        let resolvers = try #require(outcome.configuration?.resolvers, "\(outcome.alerts)")
        #expect(resolvers.map(\.name) == ["default"])
        #expect(resolvers.first?.nameservers.map(\.host) == ["10.0.0.53"])
        let declared = parse("resolvers default\n    nameserver mine 127.0.0.1:53\n" + body, files: ["/etc/resolv.conf": "nameserver 10.0.0.53\n"])
        #expect(declared.configuration?.resolvers.first?.nameservers.map(\.host) == ["127.0.0.1"])
        let none = parse(body, files: ["/etc/resolv.conf": "search example\n"])
        #expect(none.configuration == nil)
        #expect(none.alerts.first?.location?.line == 2, "\(none.alerts)")
        // Not named by any server: not made.
        #expect(parse("backend be\n    server a 127.0.0.1:80\n", files: [:]).configuration?.resolvers.isEmpty == true)
    }

    @Test(arguments: [
        ("nameserver ns 127.0.0.1", "t.cfg:2: nameserver 'ns': missing port"),
        ("nameserver ns dns.example:53", "t.cfg:2: nameserver 'ns': 'dns.example' in 'dns.example:53' is not an IP address"),
        ("nameserver ns 127.0.0.1:99999", "t.cfg:2: nameserver 'ns': invalid port"),
        ("nameserver ns tcp@127.0.0.1:53", "t.cfg:2: nameserver 'ns': DNS over TCP ('tcp@') is not supported by usher yet"),
        ("hold forever 10s", "t.cfg:2: 'hold' expects a status among"),
        ("hold valid soon", "t.cfg:2: 'hold valid' expects a period"),
        ("resolve_retries many", "t.cfg:2: 'resolve_retries' expects a number"),
        ("timeout query 1s", "t.cfg:2: 'timeout' expects 'resolve' or 'retry'"),
        ("accepted_payload_size 100000", "t.cfg:2: 'accepted_payload_size' expects a size from 512 to 65535"),
        ("nameservr ns 127.0.0.1:53", "t.cfg:2: unknown keyword 'nameservr' in 'resolvers' section; did you mean 'nameserver'?"),
    ])
    func badLinesAreAlertsAtTheirLine(_ line: String, _ expected: String) {
        let outcome = parse("resolvers dns\n    \(line)\n    nameserver ok 127.0.0.1:53\n")
        #expect(outcome.configuration == nil)
        #expect(outcome.alerts.contains { $0.description.contains(expected) }, "\(outcome.alerts)")
    }

    @Test func duplicateNamesAndEmptySections() {
        let outcome = parse("resolvers dns\n    nameserver a 127.0.0.1:53\n    nameserver a 127.0.0.1:54\nresolvers dns\n    nameserver b 127.0.0.1:53\nresolvers none\n")
        let messages = outcome.alerts.map(\.description)
        #expect(messages.contains { $0.hasPrefix("[ALERT] t.cfg:3: nameserver 'a' has the same name") })
        #expect(messages.contains { $0.hasPrefix("[ALERT] t.cfg:4: resolvers 'dns' has the same name") })
        #expect(messages.contains { $0.hasPrefix("[ALERT] t.cfg:6: resolvers 'none' has no 'nameserver'") })
    }

    @Test func resolutionPoolSizeIsAcceptedWithAWarning() throws {
        let outcome = parse("resolvers dns\n    nameserver a 127.0.0.1:53\n    resolution_pool_size 64\n")
        #expect(outcome.configuration != nil)
        #expect(outcome.warnings.map(\.description).contains { $0.hasPrefix("[WARNING] t.cfg:3: 'resolution_pool_size' is ignored") })
    }

    @Test func serverOptions() throws {
        let outcome = parse(Self.section + "\n" + quietDefaults + """

            backend b
                default-server resolvers dns init-addr last,libc,none resolve-prefer ipv4
                server s1 web.test:80 resolve-opts allow-dup-ip,ignore-weight resolve-net 10.0.0.0/8,fd00::/8
                server s2 web.test:80 init-addr 10.1.2.3,none resolve-prefer ipv6
                server s3 10.0.0.1:80
            """)
        let backend = try #require(outcome.configuration?.backend(named: "b"), "\(outcome.diagnostics)")
        let (s1, s2, s3) = (backend.servers[0], backend.servers[1], backend.servers[2])
        #expect(s1.options.resolvers == "dns" && s1.resolvePrefer == .ipv4 && s1.initAddr == [.last, .libc, .none])
        #expect(s1.options.resolveOptions?.allowDuplicateAddresses == true && s1.options.resolveOptions?.ignoreWeight == true)
        #expect(s1.options.resolveNetworks == ["10.0.0.0/8", "fd00::/8"])
        #expect(s1.resolvedName == "web.test" && !s1.isSRV)
        #expect(s2.initAddr == [.ip("10.1.2.3"), .none] && s2.resolvePrefer == .ipv6)
        #expect(s3.resolvedName == nil)
    }

    @Test(arguments: [
        ("server s web.test:80 resolvers dsn", "t.cfg:13: server 'b/s' uses resolvers 'dsn', which is not declared; did you mean 'dns'?"),
        ("server s web.test:80 resolve-prefer ipv5", "t.cfg:13: server option 'resolve-prefer' expects 'ipv4' or 'ipv6'"),
        ("server s web.test:80 resolve-opts allow-dup", "t.cfg:13: server option 'resolve-opts': unknown option 'allow-dup'"),
        ("server s web.test:80 resolve-net 10.0.0.0/33", "t.cfg:13: server option 'resolve-net': invalid network '10.0.0.0/33'"),
        ("server s web.test:80 init-addr libc,1.2.3", "t.cfg:13: server option 'init-addr': unknown method '1.2.3'"),
        ("server-template w 0 web.test:80", "t.cfg:13: server-template expects a number of servers from 1 to 4096 or a range such as 1-3, not '0'"),
        ("server-template w 3-1 web.test:80", "t.cfg:13: server-template expects a number of servers from 1 to 4096 or a range such as 1-3, not '3-1'"),
        ("server-template w 3 /run/x.sock", "t.cfg:13: server-template expects a name to resolve"),
    ])
    func badServerOptionsAreAlertsAtTheirLine(_ line: String, _ expected: String) {
        let outcome = parse(Self.section + "\n\nbackend b\n    \(line)\n")
        #expect(outcome.configuration == nil)
        #expect(outcome.alerts.contains { $0.description.contains(expected) }, "\(outcome.alerts)")
    }

    @Test func serverTemplateMakesNumberedServers() throws {
        let outcome = parse(Self.section + "\n" + quietDefaults + """

            backend b
                server-template web 3 _http._tcp.svc.test resolvers dns init-addr none check
                server-template app 5-6 app.test:8080 resolvers dns
            """)
        let backend = try #require(outcome.configuration?.backend(named: "b"), "\(outcome.diagnostics)")
        #expect(backend.servers.map(\.name) == ["web1", "web2", "web3", "app5", "app6"])
        #expect(backend.servers[0].isSRV && backend.servers[0].isChecked && backend.servers[0].initAddr == [.none])
        #expect(backend.servers[0].template == ServerTemplateOrigin(prefix: "web", fqdn: "_http._tcp.svc.test", number: 1))
        #expect(backend.servers[4].address.ports == 8080...8080 && backend.servers[4].resolvedName == "app.test" && !backend.servers[4].isSRV)
    }

    @Test func aTemplateNameClashIsAnAlert() {
        let outcome = parse(quietDefaults + "\nbackend b\n    server web2 127.0.0.1:80\n    server-template web 3 web.test:80\n")
        #expect(outcome.alerts.contains { $0.description.contains("t.cfg:7: server-template makes server 'web2', which is already declared") }, "\(outcome.alerts)")
    }
}
