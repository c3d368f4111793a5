import Foundation
import Testing
import UsherConfig
import UsherProxy
import UsherTestSupport

/// Certificates made at test time by `openssl`: two server certificates (one with two names, one
/// wildcard), a CA and a client certificate it signed.
final class TestCertificates {
    let directory: ScratchDirectory
    /// `a.test` and `www.a.test`, key in the same file.
    let a: String
    /// `*.b.test`, key in `b.pem.key` beside it.
    let b: String
    let ca: String
    let clientCertificate: String
    let clientKey: String

    init() throws {
        directory = try ScratchDirectory()
        let path = directory.path
        a = path + "/a.pem"
        b = path + "/b.pem"
        ca = path + "/ca.pem"
        clientCertificate = path + "/client.pem"
        clientKey = path + "/client.key"
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=a.test", "-addext", "subjectAltName=DNS:a.test,DNS:www.a.test", "-keyout", path + "/a.key", "-out", path + "/a.crt"])
        try (String(contentsOfFile: path + "/a.crt", encoding: .utf8) + String(contentsOfFile: path + "/a.key", encoding: .utf8))
            .write(toFile: a, atomically: true, encoding: .utf8)
        try Self.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=*.b.test", "-addext", "subjectAltName=DNS:*.b.test", "-keyout", b + ".key", "-out", b])
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/O=Usher Test/CN=Test CA", "-keyout", path + "/ca.key", "-out", ca])
        try Self.openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", "/C=FR/O=Clients/CN=client one", "-keyout", clientKey, "-out", path + "/client.csr"])
        try Self.openssl(["x509", "-req", "-in", path + "/client.csr", "-CA", ca, "-CAkey", path + "/ca.key", "-CAcreateserial",
            "-days", "2", "-out", clientCertificate])
    }

    static func openssl(_ arguments: [String]) throws {
        let result = try ExternalProcess.run(["openssl"] + arguments)
        guard result.status == 0 else { throw UsherUnderTest.Failure(description: "openssl \(arguments.joined(separator: " ")): \(result.error)") }
    }
}

/// `bind … ssl`: usher terminates TLS, with real clients (curl, openssl s_client).
@Suite(.serialized, .enabled(if: ExternalProcess.required("openssl") && ExternalProcess.required("curl")))
struct TLSTerminationTests {
    static let defaults = """
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        """

    /// `curl` over TLS to `port` for `name` (resolved to 127.0.0.1): status and body.
    static func curl(_ name: String, port: Int, path: String = "/", extra: [String] = []) throws -> ExternalProcess.Result {
        try ExternalProcess.run(
            ["curl", "-sS", "-k", "--max-time", "5", "--resolve", "\(name):\(port):127.0.0.1", "-o", "-", "-w", "\n%{http_code}"]
                + extra + ["https://\(name):\(port)\(path)"])
    }

    /// The subject of the certificate presented for `serverName` (nil: no SNI), and what openssl said.
    static func presentedSubject(port: Int, serverName: String?, extra: [String] = []) throws -> (subject: String?, output: String) {
        let name = serverName.map { ["-servername", $0] } ?? ["-noservername"]
        let result = try ExternalProcess.run(["openssl", "s_client", "-connect", "127.0.0.1:\(port)"] + name + extra, input: "", timeout: 5)
        let all = result.output + result.error
        let subject = all.split(separator: "\n").first { $0.hasPrefix("subject=") }.map { String($0.dropFirst("subject=".count)) }
        return (subject, all)
    }

    @Test func requestsGoThroughWithTheHandshakeInTheirHeaders() throws {
        let certificates = try TestCertificates()
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }
        let usher = try UsherUnderTest("""
            \(Self.defaults)
            frontend fe
                bind 127.0.0.1:0 ssl crt \(certificates.a) crt \(certificates.b) alpn h2,http/1.1
                http-request set-header X-SSL %[ssl_fc]
                http-request set-header X-SNI %[ssl_fc_sni]
                http-request set-header X-Version %[ssl_fc_protocol]
                http-request set-header X-Cipher %[ssl_fc_cipher]
                http-request set-header X-ALPN %[ssl_fc_alpn]
                http-request set-header X-Reused %[ssl_fc_is_resumed]
                default_backend bk
            backend bk
                server s1 \(origin.address)
            """)
        defer { usher.stop() }
        let port = usher.port("fe")

        let result = try Self.curl("www.a.test", port: port)
        #expect(result.output.hasSuffix("\n200"), "\(result.output) \(result.error)")
        let request = try #require(origin.requests.last?.message)
        #expect(request.values("x-ssl") == ["1"])
        #expect(request.values("x-sni") == ["www.a.test"])
        #expect(request.values("x-version") == ["TLSv1.3"])
        #expect(request.values("x-cipher").first?.hasPrefix("TLS_") == true, "\(request.values("x-cipher"))")
        // curl picks `h2`: the request came as an HTTP/2 stream, through the same rules.
        #expect(request.values("x-alpn") == ["h2"])
        #expect(request.values("x-reused") == ["0"])

        let older = try Self.curl("a.test", port: port, extra: ["--tlsv1.2", "--tls-max", "1.2"])
        #expect(older.output.hasSuffix("\n200"), "\(older.output) \(older.error)")
        let second = try #require(origin.requests.last?.message)
        #expect(second.values("x-version") == ["TLSv1.2"])
        // An ECDSA certificate: an ECDHE-ECDSA suite, named as OpenSSL names it.
        #expect(second.values("x-cipher").first?.hasPrefix("ECDHE-ECDSA-AES") == true, "\(second.values("x-cipher"))")
    }

    /// A session saved by the client is resumed (TLS 1.3 tickets, TLS 1.2 sessions), and
    /// `ssl_fc_is_resumed` says so.
    @Test func sessionsAreResumed() throws {
        let certificates = try TestCertificates()
        let usher = try UsherUnderTest("""
            \(Self.defaults)
            frontend fe
                bind 127.0.0.1:0 ssl crt \(certificates.a)
                http-request return status 200 content-type text/plain hdr X-Resumed %[ssl_fc_is_resumed] string ok
            """)
        defer { usher.stop() }
        let port = usher.port("fe")
        let session = certificates.directory.path + "/session.pem"
        let request = "GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"
        for versionOption in ["-tls1_3", "-tls1_2"] {
            let base = ["openssl", "s_client", versionOption, "-connect", "127.0.0.1:\(port)", "-servername", "a.test", "-ign_eof"]
            let first = try ExternalProcess.run(base + ["-sess_out", session], input: request, timeout: 5)
            #expect(first.output.contains("X-Resumed: 0"), "\(versionOption): \(first.output)")
            let second = try ExternalProcess.run(base + ["-sess_in", session], input: request, timeout: 5)
            #expect(second.output.contains("Reused,"), "\(versionOption): \(second.output)")
            #expect(second.output.contains("X-Resumed: 1"), "\(versionOption): \(second.output)")
        }
        // `show info`'s figures: four handshakes, two of them resumed, none open once all closed.
        let counters = usher.server.runtime.tlsCounters
        #expect(counters.total == 4)
        #expect(counters.reusePercent == 50)
        #expect(counters.peakCurrent >= 1)
        let deadline = Date().addingTimeInterval(3)
        while counters.current != 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(counters.current == 0)
    }

    @Test func certificateIsChosenByServerName() throws {
        let certificates = try TestCertificates()
        let usher = try UsherUnderTest("""
            \(Self.defaults)
            frontend fe
                bind 127.0.0.1:0 ssl crt \(certificates.a) crt \(certificates.b)
                default_backend bk
            backend bk
                server s1 127.0.0.1:9
            """)
        defer { usher.stop() }
        let port = usher.port("fe")
        let cases: [(String?, String)] = [
            ("a.test", "a.test"), ("WWW.A.TEST", "a.test"), ("x.b.test", "*.b.test"), ("deep.x.b.test", "a.test"),
            ("b.test", "a.test"), (nil, "a.test"), ("unknown.test", "a.test"),
        ]
        for (name, expected) in cases {
            let (subject, output) = try Self.presentedSubject(port: port, serverName: name)
            #expect(subject?.hasSuffix("CN = \(expected)") == true || subject?.hasSuffix("CN=\(expected)") == true, "\(name ?? "no SNI"): \(output)")
        }
    }

    @Test func strictSNIRefusesANameNoCertificateServes() throws {
        let certificates = try TestCertificates()
        let usher = try UsherUnderTest("""
            \(Self.defaults)
            frontend fe
                bind 127.0.0.1:0 ssl crt \(certificates.a) strict-sni
                default_backend bk
            backend bk
                server s1 127.0.0.1:9
            """)
        defer { usher.stop() }
        let port = usher.port("fe")
        for name in ["other.test", nil] as [String?] {
            let (subject, output) = try Self.presentedSubject(port: port, serverName: name)
            #expect(subject == nil)
            // The alert HAProxy's OpenSSL sends: unrecognized_name (112).
            #expect(output.contains("alert number 112") || output.contains("unrecognized name"), "\(output)")
        }
        let (subject, _) = try Self.presentedSubject(port: port, serverName: "a.test")
        #expect(subject != nil)
    }

    @Test func plainHTTPOnATLSPortIsClosedWithoutAByte() throws {
        let certificates = try TestCertificates()
        let usher = try UsherUnderTest("""
            \(Self.defaults)
            frontend fe
                bind 127.0.0.1:0 ssl crt \(certificates.a)
                default_backend bk
            backend bk
                server s1 127.0.0.1:9
            """)
        defer { usher.stop() }
        let client = try ClientSocket(port: usher.port("fe"))
        try client.send(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        // End of stream at once, not an answer (nor a wait for `timeout client`).
        let answer = try client.receive()
        #expect(answer.isEmpty, "\(answer)")
    }

    /// A client that closes in the middle of its hello gets no HTTP error page in clear.
    @Test func aClientGoneDuringTheHelloGetsNoByte() throws {
        let certificates = try TestCertificates()
        let usher = try UsherUnderTest("""
            \(Self.defaults)
            frontend fe
                bind 127.0.0.1:0 ssl crt \(certificates.a)
                default_backend bk
            backend bk
                server s1 127.0.0.1:9
            """)
        defer { usher.stop() }
        let hello = ClientHelloBuilder(serverNames: ["a.test"]).bytes()
        let client = try ClientSocket(port: usher.port("fe"))
        try client.send(Array(hello.prefix(20)))
        client.shutdownWrite()
        #expect(try client.receive().isEmpty)
    }

    @Test func crtListVerifyMistakesAreErrors() throws {
        let certificates = try TestCertificates()
        for line in ["\(certificates.a) [verify requird]", "\(certificates.a) [verify required]"] {
            let list = try certificates.directory.write("list-\(line.count).txt", line + "\n")
            let outcome = ConfigurationLoader(environment: [:]).compile([.init(name: "t.cfg", text: """
                \(Self.defaults)
                frontend fe
                    bind 127.0.0.1:0 ssl crt-list \(list)
                    default_backend bk
                backend bk
                    server s1 127.0.0.1:9
                """)])
            #expect(outcome.table == nil, "\(line)")
            #expect(outcome.alerts.contains { $0.description.contains("t.cfg:7") && $0.description.contains("verify") }, "\(outcome.alerts)")
        }
    }

    /// The most common pattern of public configurations: one frontend on :80 and :443, plain
    /// requests redirected to HTTPS, `X-Forwarded-Proto` set from `ssl_fc`.
    @Test func redirectToHTTPSUnlessTLS() throws {
        let certificates = try TestCertificates()
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }
        let usher = try UsherUnderTest("""
            \(Self.defaults)
            frontend plain
                bind 127.0.0.1:0
                http-request redirect scheme https unless { ssl_fc }
                default_backend bk
            frontend secure
                bind 127.0.0.1:0 ssl crt \(certificates.a)
                http-request set-header X-Forwarded-Proto https if { ssl_fc }
                default_backend bk
            backend bk
                server s1 \(origin.address)
            """)
        defer { usher.stop() }
        let plain = try ExternalProcess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "http://127.0.0.1:\(usher.port("plain"))/x?y=1"])
        #expect(plain.output == "302 https://127.0.0.1:\(usher.port("plain"))/x?y=1" || plain.output.hasPrefix("302 https://"), "\(plain.output)")
        let secure = try Self.curl("a.test", port: usher.port("secure"), path: "/x")
        #expect(secure.output.hasSuffix("\n200"), "\(secure.output) \(secure.error)")
        #expect(origin.requests.last?.message.values("x-forwarded-proto") == ["https"])
    }

    @Test func clientCertificatesAreCheckedAndTheirFieldsFetched() throws {
        let certificates = try TestCertificates()
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }
        let usher = try UsherUnderTest("""
            \(Self.defaults)
            frontend fe
                bind 127.0.0.1:0 ssl crt \(certificates.a) ca-file \(certificates.ca) verify required
                http-request set-header X-Client-CN %[ssl_c_s_dn(CN)]
                http-request set-header X-Client-DN %[ssl_c_s_dn]
                http-request set-header X-Issuer %[ssl_c_i_dn]
                http-request set-header X-Verify %[ssl_c_verify]
                http-request set-header X-Used %[ssl_c_used]
                default_backend bk
            backend bk
                server s1 \(origin.address)
            """)
        defer { usher.stop() }
        let port = usher.port("fe")
        let without = try Self.curl("a.test", port: port)
        #expect(!without.output.hasSuffix("\n200"), "\(without.output)")
        #expect(origin.requests.isEmpty)

        let with = try Self.curl("a.test", port: port, extra: ["--cert", certificates.clientCertificate, "--key", certificates.clientKey])
        #expect(with.output.hasSuffix("\n200"), "\(with.output) \(with.error)")
        let request = try #require(origin.requests.last?.message)
        #expect(request.values("x-client-cn") == ["client one"])
        #expect(request.values("x-client-dn") == ["/C=FR/O=Clients/CN=client one"])
        #expect(request.values("x-issuer") == ["/O=Usher Test/CN=Test CA"])
        #expect(request.values("x-verify") == ["0"])
        #expect(request.values("x-used") == ["1"])
    }

    @Test func modeTCPTerminatesAndForwardsThePlainStream() throws {
        let certificates = try TestCertificates()
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }
        let usher = try UsherUnderTest("""
            defaults
                mode tcp
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:0 ssl crt \(certificates.a)
                tcp-request content reject unless { ssl_fc_sni a.test }
                default_backend bk
            backend bk
                server s1 \(origin.address)
            """)
        defer { usher.stop() }
        let port = usher.port("fe")
        let result = try Self.curl("a.test", port: port)
        #expect(result.output.hasSuffix("\n200"), "\(result.output) \(result.error)")
        #expect(origin.requests.count == 1)
        let refused = try Self.curl("www.a.test", port: port)
        #expect(!refused.output.hasSuffix("\n200"))
        #expect(origin.requests.count == 1)
        // `CurrSslConns` comes back to 0 once both connections are gone (the handler that counted
        // them left the pipeline when the server connection was made).
        let counters = usher.server.runtime.tlsCounters
        let deadline = Date().addingTimeInterval(3)
        while counters.current != 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(counters.current == 0 && counters.total == 2, "current \(counters.current), total \(counters.total)")
    }

    /// The pattern HAProxy users write for one port that passes some names through and
    /// terminates others: a mode tcp frontend routes by SNI, a terminating frontend listens on an
    /// abstract socket behind `send-proxy-v2` / `accept-proxy ssl`. The client's own address and
    /// port reach the terminating side.
    @Test func passthroughAndTerminationOnOnePort() throws {
        let certificates = try TestCertificates()
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }
        let passthroughOrigin = try TestCertificates()  // a second certificate set for the pass-through target
        let target = try UsherUnderTest("""
            \(Self.defaults)
            frontend direct
                bind 127.0.0.1:0 ssl crt \(passthroughOrigin.b)
                http-request return status 200 content-type text/plain string "passed through" if { ssl_fc_sni x.b.test }
                default_backend bk
            backend bk
                server s1 \(origin.address)
            """)
        defer { target.stop() }
        let tag = UUID().uuidString.prefix(8)
        let usher = try UsherUnderTest("""
            defaults
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend https-in
                mode tcp
                bind 127.0.0.1:0
                tcp-request inspect-delay 2s
                tcp-request content accept if { req.ssl_hello_type 1 }
                use_backend terminate if { req.ssl_sni -i a.test }
                default_backend passthrough
            backend terminate
                mode tcp
                server local abns@usher-tls-\(tag) send-proxy-v2
            backend passthrough
                mode tcp
                server other 127.0.0.1:\(target.port("direct"))
            frontend terminating
                mode http
                bind abns@usher-tls-\(tag) accept-proxy ssl crt \(certificates.a)
                http-request set-header X-Client %[src]:%[src_port]
                http-request set-header X-SNI %[ssl_fc_sni]
                default_backend app
            backend app
                mode http
                server s1 \(origin.address)
            """)
        defer { usher.stop() }
        let port = usher.port("https-in")

        let terminated = try Self.curl("a.test", port: port, extra: ["-w", "\n%{http_code} %{local_port}"])
        let words = terminated.output.split(whereSeparator: { $0 == "\n" || $0 == " " })
        #expect(words.dropLast().last == "200", "\(terminated.output) \(terminated.error)")
        let request = try #require(origin.requests.last?.message)
        #expect(request.values("x-sni") == ["a.test"])
        #expect(request.values("x-client") == ["127.0.0.1:\(words.last ?? "?")"], "\(request.values("x-client"))")

        let passed = try Self.curl("x.b.test", port: port)
        #expect(passed.output == "passed through\n200", "\(passed.output) \(passed.error)")
    }

    @Test func certificateProblemsAreReportedAtTheBindLine() throws {
        let certificates = try TestCertificates()
        let missing = ConfigurationLoader(environment: [:]).compile([.init(name: "t.cfg", text: """
            \(Self.defaults)
            frontend fe
                bind 127.0.0.1:0 ssl crt \(certificates.directory.path)/missing.pem
                default_backend bk
            backend bk
                server s1 127.0.0.1:9
            """)])
        #expect(missing.table == nil)
        #expect(missing.alerts.contains { $0.description.contains("t.cfg:7") && $0.description.contains("missing.pem") }, "\(missing.alerts)")

        // The certificate of a.test with b's key.
        let mismatched = try certificates.directory.write(
            "mismatched.pem", try String(contentsOfFile: certificates.a.replacingOccurrences(of: "a.pem", with: "a.crt"), encoding: .utf8)
                + String(contentsOfFile: certificates.b + ".key", encoding: .utf8))
        let wrongKey = ConfigurationLoader(environment: [:]).compile([.init(name: "t.cfg", text: """
            \(Self.defaults)
            frontend fe
                bind 127.0.0.1:0 ssl crt \(mismatched)
                default_backend bk
            backend bk
                server s1 127.0.0.1:9
            """)])
        #expect(wrongKey.table == nil)
        #expect(wrongKey.alerts.contains { $0.description.contains("t.cfg:7") }, "\(wrongKey.alerts)")

        // A cipher list the library refuses would stop the process inside it: refused at the line.
        let badCiphers = ConfigurationLoader(environment: [:]).compile([.init(name: "t.cfg", text: """
            \(Self.defaults)
            frontend fe
                bind 127.0.0.1:0 ssl crt \(certificates.a) ciphers NO-SUCH-CIPHER
                default_backend bk
            backend bk
                server s1 127.0.0.1:9
            """)])
        #expect(badCiphers.table == nil)
        #expect(badCiphers.alerts.contains { $0.description.contains("t.cfg:7") && $0.description.contains("NO-SUCH-CIPHER") }, "\(badCiphers.alerts)")
    }
}
