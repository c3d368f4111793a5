import Testing

@testable import UsherConfig

/// `server … ssl` and its companions: what they parse to, how `default-server` and the `global`
/// defaults fill them in, and what HAProxy 2.6 refuses at check time (compared with `haproxy -c` in
/// `ServerTLSCheckDifferentialTests`).
@Suite struct ServerTLSTests {
    /// A backend `be` in `mode` after `global` lines: its first line is line 7 (plus the global lines).
    static func parseBackend(_ lines: [String], global: [String] = [], mode: String = "http") -> ConfigurationParser.Outcome {
        let globalText = global.isEmpty ? "" : "global\n" + global.map { "    \($0)\n" }.joined()
        return parse(globalText + quietDefaults + "\n    mode \(mode)\nbackend be\n" + lines.map { "    \($0)\n" }.joined())
    }

    static func settings(_ outcome: ConfigurationParser.Outcome, _ index: Int = 0) throws -> ServerTLSSettings {
        let configuration = try #require(outcome.configuration, "\(outcome.diagnostics)")
        let server = try outcome.proxy("be").servers[index]
        return server.tlsSettings(global: configuration.global.tls)
    }

    @Test func everyOptionParses() throws {
        let outcome = Self.parseBackend([
            "server s 127.0.0.1:443 ssl verify required ca-file /etc/ca.pem verifyhost app.example sni req.hdr(host),lower alpn http/1.1 crt /etc/client.pem check check-ssl check-sni health.example check-alpn http/1.1,http/1.0 no-ssl-reuse ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3 ciphers ECDHE-RSA-AES128-GCM-SHA256 no-tls-tickets"
        ])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let server = try outcome.proxy("be").servers[0]
        #expect(server.usesTLS && server.checksUseTLS)
        let tls = try Self.settings(outcome)
        #expect(tls.verify == .required)
        #expect(tls.caFile == "/etc/ca.pem")
        #expect(tls.verifyHost == "app.example")
        #expect(tls.sni?.description == "req.hdr(host),lower")
        #expect(tls.alpn == ["http/1.1"])
        #expect(tls.certificate == "/etc/client.pem")
        #expect(tls.checkSNI == "health.example")
        #expect(tls.checkALPN == ["http/1.1", "http/1.0"])
        #expect(tls.sessionReuse == false)
        #expect(tls.versions == .tlsv1_2 ... .tlsv1_3)
        #expect(tls.options.ciphers == "ECDHE-RSA-AES128-GCM-SHA256")
        #expect(tls.options.noTLSTickets == true)
    }

    @Test func defaultServerFillsInAndNoFormsReset() throws {
        let outcome = Self.parseBackend([
            "default-server ssl verify none verifyhost app.example check-ssl no-ssl-reuse alpn http/1.1 sni str(app.example)",
            "server a 127.0.0.1:443",
            "server b 127.0.0.1:444 no-ssl no-verifyhost no-check-ssl ssl-reuse",
        ])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let servers = try outcome.proxy("be").servers
        #expect(servers.map(\.usesTLS) == [true, false])
        #expect(servers.map(\.checksUseTLS) == [true, false])
        let a = try Self.settings(outcome, 0), b = try Self.settings(outcome, 1)
        #expect(a.verifyHost == "app.example" && b.verifyHost == nil)
        #expect(a.sessionReuse == false && b.sessionReuse == true)
        #expect(a.verify == .none && b.verify == .none)
        #expect(a.sni?.description == "str(app.example)" && b.sni == a.sni)
    }

    @Test func globalDefaultsAndBaseDirectories() throws {
        let outcome = Self.parseBackend(
            ["server s 127.0.0.1:443 ssl ca-file ca.pem crt client.pem", "server t 127.0.0.1:444 ssl ca-file /abs/ca.pem ssl-min-ver TLSv1.2"],
            global: ["ca-base /etc/ssl/usher", "crt-base /etc/ssl/private/", "ssl-default-server-options ssl-min-ver TLSv1.3", "ssl-default-server-ciphers AES128-SHA"]
        )
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let s = try Self.settings(outcome, 0), t = try Self.settings(outcome, 1)
        #expect(s.caFile == "/etc/ssl/usher/ca.pem")
        #expect(s.certificate == "/etc/ssl/private/client.pem")
        #expect(t.caFile == "/abs/ca.pem")
        #expect(s.versions == .tlsv1_3 ... .tlsv1_3)
        #expect(t.versions == .tlsv1_2 ... .tlsv1_3, "the server's own minimum wins over the global one")
        #expect(s.options.ciphers == "AES128-SHA")
    }

    @Test func checksFollowSSLUnlessTheyGoElsewhere() throws {
        let outcome = Self.parseBackend([
            "default-server verify none",
            "server plain 127.0.0.1:80 check",
            "server tls 127.0.0.1:443 ssl check",
            "server moved 127.0.0.1:443 ssl check port 8443",
            "server moved-tls 127.0.0.1:443 ssl check port 8443 check-ssl",
            "server elsewhere 127.0.0.1:443 ssl check addr 127.0.0.2",
            "server check-only 127.0.0.1:80 check check-ssl",
        ])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(try outcome.proxy("be").servers.map(\.checksUseTLS) == [false, true, false, true, false, true])
    }

    @Test func nameVerifiedIsTheSNIThenVerifyhost() {
        var settings = ServerTLSSettings(
            verify: .required, verifyHost: "static.example", caFile: "/ca", crlFile: nil, certificate: nil, sni: nil, alpn: [], checkSNI: nil,
            checkALPN: [], sessionReuse: true, options: TLSOptions()
        )
        #expect(settings.nameToVerify(sentSNI: "sent.example") == "sent.example")
        #expect(settings.nameToVerify(sentSNI: nil) == "static.example")
        settings.verifyHost = nil
        #expect(settings.nameToVerify(sentSNI: nil) == nil)
        settings.verify = .none
        #expect(settings.nameToVerify(sentSNI: "sent.example") == nil)
    }

    // MARK: - What HAProxy 2.6 refuses

    @Test(arguments: [
        "server s 127.0.0.1:443 ssl",
        "server s 127.0.0.1:443 ssl verify required",
        "server s 127.0.0.1:443 check check-ssl",
    ])
    func verifyingWithoutCAFileIsRefused(line: String) throws {
        try Self.parseBackend([line]).expectSingleAlert(line: 7, ["server 'be/s'", "'verify required'", "'ca-file'", "'verify none'"])
    }

    @Test func aDefaultServerSSLIsCheckedEvenWhenTheServerSaysNoSSL() throws {
        // HAProxy prepares the TLS of such a server, so that the runtime API can turn it on.
        try Self.parseBackend(["default-server ssl", "server s 127.0.0.1:443 no-ssl"]).expectSingleAlert(line: 8, ["'ca-file'"])
    }

    @Test(arguments: [
        (["server s 127.0.0.1:443 ssl verify none"], [String]()),
        (["server s 127.0.0.1:443 ssl ca-file /etc/ca.pem"], []),
        (["server s 127.0.0.1:443 ssl ca-file @system-ca"], []),
        (["server s 127.0.0.1:443 ssl"], ["ssl-server-verify none"]),
        (["server s 127.0.0.1:443 verify required"], []),
        (["server s 127.0.0.1:443 ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.2 verify none"], []),
        (["server s 127.0.0.1:443 ssl verify none no-tlsv13"], []),
    ])
    func accepted(lines: [String], global: [String]) {
        let outcome = Self.parseBackend(lines, global: global)
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
    }

    @Test(arguments: [
        ("server s 127.0.0.1:443 ssl verify none ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.2", "no protocol version"),
        ("server s 127.0.0.1:443 ssl verify none no-tlsv10 no-tlsv11 no-tlsv12 no-tlsv13", "no protocol version"),
        ("server s 127.0.0.1:443 ssl verify none force-sslv3", "no protocol version"),
        ("server s 127.0.0.1:443 ssl verify optional", "expects 'none' or 'required'"),
        ("server s 127.0.0.1:443 ssl verify none sni", "'sni' expects a value"),
        ("server s 127.0.0.1:443 ssl verify none sni req.hdr(host", "missing ')'"),
        ("server s 127.0.0.1:443 ssl verify none alpn", "'alpn' expects a value"),
        ("server s 127.0.0.1:443 ssl verify none alpn h2,,http/1.1", "comma-separated list"),
        ("server s 127.0.0.1:443 ssl verify none check-sni", "'check-sni' expects a value"),
        ("server s 127.0.0.1:443 ssl verify none verifyhost", "'verifyhost' expects a value"),
        ("server s 127.0.0.1:443 ssl verify none curves X25519", "unknown server option 'curves'"),
        ("server s 127.0.0.1:443 ssl verify none prefer-client-ciphers", "unknown server option"),
        ("server s 127.0.0.1:443 ssl verify none crl-file /etc/crl.pem", "not supported by usher yet"),
        ("server s 127.0.0.1:443 ssl verify none allow-0rtt", "not supported by usher yet"),
        ("server s 127.0.0.1:443 ssl verify none alpn h2,http/1.1", "usher speaks HTTP/1.1 to servers"),
    ])
    func refused(line: String, needle: String) throws {
        try Self.parseBackend([line]).expectSingleAlert(line: 7, [needle])
    }

    @Test func versionOptionsOnDefaultServerAreRefusedAsHAProxyDoes() throws {
        try Self.parseBackend(["default-server no-tlsv10"]).expectSingleAlert(line: 7, ["'no-tlsv10'", "'default-server'"])
        #expect(Self.parseBackend(["default-server force-tlsv12 ssl-min-ver TLSv1.2"]).alerts.isEmpty)
    }

    @Test func anyALPNIsFineInModeTCP() {
        let outcome = Self.parseBackend(["server s 127.0.0.1:443 ssl verify none alpn h2,http/1.1"], mode: "tcp")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
    }

    @Test func ignoredVersionOptionsAndTLS13SuitesWarn() throws {
        let outcome = Self.parseBackend(["server s 127.0.0.1:443 ssl verify none ssl-min-ver TLSv1.2 no-tlsv12 ciphersuites TLS_AES_128_GCM_SHA256"])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let warnings = outcome.specificWarnings.map(\.message)
        #expect(warnings.contains { $0.contains("'no-…'") && $0.contains("be/s") }, "\(warnings)")
        #expect(warnings.contains { $0.contains("'ciphersuites' is not applied") }, "\(warnings)")
    }
}
