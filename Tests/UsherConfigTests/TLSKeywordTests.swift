import Testing
@testable import UsherConfig

/// `bind … ssl` options and the global TLS keywords, as HAProxy 2.6 reads them.
@Suite struct TLSKeywordTests {
    @Test func bindOptionsAreRead() throws {
        let outcome = parseHTTP(
            "frontend fe\n    bind :443 ssl crt /etc/a.pem crt-list /etc/list alpn h2,http/1.1 strict-sni ssl-min-ver TLSv1.2 ciphers ECDHE+AESGCM ca-file ca.pem verify optional no-tls-tickets",
            [])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let bind = try #require(outcome.configuration?.proxies.first?.binds.first)
        #expect(bind.ssl)
        #expect(bind.tls.certificates == [.file("/etc/a.pem"), .list("/etc/list")])
        #expect(bind.tls.alpn == ["h2", "http/1.1"])
        #expect(bind.tls.strictSNI)
        #expect(bind.tls.options.minVersion == .tlsv1_2)
        #expect(bind.tls.options.ciphers == "ECDHE+AESGCM")
        #expect(bind.tls.options.noTLSTickets == true)
        #expect(bind.tls.verify == .optional)
        #expect(bind.tls.caFile == "ca.pem")
    }

    @Test func sslWithoutCertificateIsAnErrorAtItsLine() throws {
        try parseHTTP("frontend fe\n    bind :443 ssl", []).expectSingleAlert(line: 7, ["needs a certificate", "crt"])
    }

    @Test func verifyWithoutCAFileIsAnError() throws {
        try parseHTTP("frontend fe\n    bind :443 ssl crt a.pem verify required", []).expectSingleAlert(line: 7, ["ca-file"])
    }

    @Test func unknownVersionIsAnError() throws {
        try parseHTTP("frontend fe\n    bind :443 ssl crt a.pem ssl-min-ver TLSv1.4", []).expectSingleAlert(line: 7, ["TLSv1.2", "TLSv1.4"])
    }

    /// HAProxy ignores `no-tlsv1x` next to `ssl-min-ver`, and says so.
    @Test func noVersionOptionsBesideMinimumAreIgnoredWithAWarning() throws {
        let outcome = parseHTTP("frontend fe\n    bind :443 ssl crt a.pem ssl-min-ver TLSv1.2 no-tlsv10", [])
        #expect(outcome.alerts.isEmpty)
        #expect(outcome.specificWarnings.contains { $0.message.contains("ignored") && $0.location?.line == 7 }, "\(outcome.warnings)")
        let options = try #require(outcome.configuration?.proxies.first?.binds.first?.tls.options)
        #expect(options.allowedVersions == .tlsv1_2 ... .tlsv1_3)
    }

    @Test func versionRanges() {
        var options = TLSOptions()
        #expect(options.allowedVersions == .tlsv1_2 ... .tlsv1_3)
        options.disabledVersions = [.tlsv1_3]
        #expect(options.allowedVersions == .tlsv1_2 ... .tlsv1_2)
        options = TLSOptions()
        options.forcedVersion = .tlsv1_1
        #expect(options.allowedVersions == .tlsv1_1 ... .tlsv1_1)
        options = TLSOptions()
        options.minVersion = .tlsv1_3
        options.maxVersion = .tlsv1_2
        #expect(options.allowedVersions == nil)
        options = TLSOptions()
        options.maxVersion = .tlsv1_1
        #expect(options.allowedVersions == .tlsv1_1 ... .tlsv1_1)
    }

    @Test func globalKeywords() throws {
        let outcome = parse("""
            global
                crt-base /etc/ssl/private
                ca-base /etc/ssl/certs
                ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets
                ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256
                ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256
                ssl-default-server-options no-sslv3 no-ssl-reuse
                ssl-server-verify none
                tune.ssl.default-dh-param 2048
                tune.ssl.cachesize 100000
                tune.ssl.lifetime 600
            \(quietDefaults)
            """)
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let tls = try #require(outcome.configuration?.global.tls)
        #expect(tls.certificatePath("site.pem") == "/etc/ssl/private/site.pem")
        #expect(tls.certificatePath("/abs.pem") == "/abs.pem")
        #expect(tls.caPath("ca.pem") == "/etc/ssl/certs/ca.pem")
        #expect(tls.bindDefaults.minVersion == .tlsv1_2)
        #expect(tls.bindDefaults.noTLSTickets == true)
        #expect(tls.bindDefaults.ciphers == "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256")
        #expect(tls.bindDefaults.cipherSuites == "TLS_AES_128_GCM_SHA256")
        #expect(tls.serverDefaults.disabledVersions == [.sslv3])
        #expect(tls.serverSessionReuse == false)
        #expect(tls.serverVerify == TLSVerify.none)
        #expect(tls.defaultDHParamBits == 2048)
        #expect(tls.sessionCacheSize == 100_000)
        // A bind's own options win over the defaults.
        var own = TLSOptions()
        own.minVersion = .tlsv1_3
        #expect(own.over(tls.bindDefaults).minVersion == .tlsv1_3)
        #expect(own.over(tls.bindDefaults).noTLSTickets == true)
    }

    @Test func unknownDefaultOptionIsAnError() throws {
        let outcome = parse("global\n    ssl-default-bind-options no-tlsv14\n" + quietDefaults)
        #expect(outcome.alerts.count == 1)
        #expect(outcome.alerts.first?.location?.line == 2)
        #expect(outcome.alerts.first?.message.contains("no-tlsv14") == true)
    }
}
