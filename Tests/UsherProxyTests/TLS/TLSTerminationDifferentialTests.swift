import Foundation
import NIOConcurrencyHelpers
import Testing
import UsherConfig
import UsherProxy

/// The certificates of the differential, made by `openssl` at test time: each server certificate
/// is one PEM file with its key (ECDSA P-256 unless said), in one scratch directory.
///
/// | label            | subject                | DNS names                      |
/// |------------------|------------------------|--------------------------------|
/// | default          | CN=default.test        | default.test                   |
/// | exact            | CN=www.exact.test      | exact.test, www.exact.test     |
/// | wild             | CN=*.wild.test         | *.wild.test                    |
/// | sanonly          | O=Usher SAN only       | san.test, *.san.test (no CN)   |
/// | cnonly           | CN=cn.test             | none (no SAN extension)        |
/// | cnextra          | CN=cnextra.test        | other-san.test (CN not in SAN) |
/// | duprsa (RSA)     | CN=dup.test rsa        | dup.test                       |
/// | dupec            | CN=dup.test ecdsa      | dup.test                       |
/// | listed           | CN=listed.test         | nothing-here.test              |
/// | listed2          | CN=listed-two.test     | listed-two.test                |
/// | forced           | CN=forced-cert.test    | forced-cert.test               |
/// | placeholder      | CN=placeholder.test    | placeholder.test               |
/// | dir/a-first      | CN=dir-a.test          | dir-a.test                     |
/// | dir/b-second     | CN=dir-b.test          | dir-b.test (key in `.pem.key`) |
///
/// `list.txt`, a crt-list with SNI filters (they replace the certificate's own names):
/// `listed` for `listed.test *.listed.test !secret.listed.test`, `listed2` for `*.listed.test`,
/// `forced` for `forced.test` (with an `[alpn …]` option), `placeholder` for `!*` (no name).
///
/// And a client CA with a client certificate whose subject has a comma, a UTF-8 value, two `OU`
/// and an `emailAddress`; a self-signed client certificate no CA vouches for.
final class SNICertificateSet: @unchecked Sendable {
    enum Key {
        case ecdsa, rsa
    }

    let directory: ScratchDirectory
    var path: String { directory.path }
    let crtList: String
    let ca: String
    let clientCertificate: String
    let clientKey: String
    let strangerCertificate: String
    let strangerKey: String
    /// A certificate's label by its PEM body (the base64 between the BEGIN and END lines).
    let labels: [String: String]
    /// `subject=… serial=…` as `openssl x509` prints them, by label.
    let identities: [String: String]

    init() throws {
        directory = try ScratchDirectory()
        let path = directory.path
        try FileManager.default.createDirectory(atPath: path + "/dir", withIntermediateDirectories: true)
        var labels: [String: String] = [:]
        var identities: [String: String] = [:]
        func make(_ label: String, _ subject: String, _ names: [String], key: Key = .ecdsa, keyBeside: Bool = false) throws {
            let made = try Self.make(label, in: path, subject: subject, names: names, key: key, keyBeside: keyBeside)
            labels[made.body] = label
            identities[label] = made.identity
        }
        try make("default", "/CN=default.test", ["default.test"])
        try make("exact", "/CN=www.exact.test", ["exact.test", "www.exact.test"])
        try make("wild", "/CN=*.wild.test", ["*.wild.test"])
        try make("sanonly", "/O=Usher SAN only", ["san.test", "*.san.test"])
        try make("cnonly", "/CN=cn.test", [])
        try make("cnextra", "/CN=cnextra.test", ["other-san.test"])
        try make("duprsa", "/CN=dup.test rsa", ["dup.test"], key: .rsa)
        try make("dupec", "/CN=dup.test ecdsa", ["dup.test"])
        try make("listed", "/CN=listed.test", ["nothing-here.test"])
        try make("listed2", "/CN=listed-two.test", ["listed-two.test"])
        try make("forced", "/CN=forced-cert.test", ["forced-cert.test"])
        try make("placeholder", "/CN=placeholder.test", ["placeholder.test"])
        try make("dir/a-first", "/CN=dir-a.test", ["dir-a.test"])
        try make("dir/b-second", "/CN=dir-b.test", ["dir-b.test"], keyBeside: true)
        self.labels = labels
        self.identities = identities
        crtList = try directory.write("list.txt", """
            # SNI filters replace the names the certificates carry
            \(path)/listed.pem listed.test *.listed.test !secret.listed.test
            \(path)/listed2.pem *.listed.test
            \(path)/forced.pem [alpn http/1.1] forced.test
            \(path)/placeholder.pem !*

            """)

        ca = path + "/ca.pem"
        clientCertificate = path + "/client.pem"
        clientKey = path + "/client.key"
        strangerCertificate = path + "/stranger.pem"
        strangerKey = path + "/stranger.key"
        try TestCertificates.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/O=Usher Test/CN=Test CA", "-keyout", path + "/ca.key", "-out", ca])
        try TestCertificates.openssl(["req", "-utf8", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", "/C=FR/ST=Île-de-France/O=Clients, Inc./OU=QA/OU=Ops/CN=client one/emailAddress=one@clients.test",
            "-keyout", clientKey, "-out", path + "/client.csr"])
        try TestCertificates.openssl(["x509", "-req", "-in", path + "/client.csr", "-CA", ca, "-CAkey", path + "/ca.key", "-CAcreateserial",
            "-days", "2", "-out", clientCertificate])
        try TestCertificates.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=stranger", "-keyout", strangerKey, "-out", strangerCertificate])
    }

    /// The PEM file of the certificate `label` (certificate and key, or the certificate only when
    /// its key is beside it).
    func pem(_ label: String) -> String {
        path + "/" + label + ".pem"
    }

    /// Makes the certificate `label` in `path`; returns its PEM body and `subject=… serial=…`.
    private static func make(
        _ label: String, in path: String, subject: String, names: [String], key: Key, keyBeside: Bool
    ) throws -> (body: String, identity: String) {
        let base = path + "/" + label
        var arguments = ["req", "-x509", "-nodes", "-days", "2", "-subj", subject, "-keyout", base + ".key.tmp", "-out", base + ".crt.tmp"]
        switch key {
        case .ecdsa: arguments += ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        case .rsa: arguments += ["-newkey", "rsa:2048"]
        }
        if !names.isEmpty { arguments += ["-addext", "subjectAltName=" + names.map { "DNS:" + $0 }.joined(separator: ",")] }
        try TestCertificates.openssl(arguments)
        let certificate = try String(contentsOfFile: base + ".crt.tmp", encoding: .utf8)
        let privateKey = try String(contentsOfFile: base + ".key.tmp", encoding: .utf8)
        // Nothing but the PEM files in the directory `crt` loads (a `.tmp` there would be a certificate).
        try FileManager.default.removeItem(atPath: base + ".crt.tmp")
        try FileManager.default.removeItem(atPath: base + ".key.tmp")
        if keyBeside {
            try certificate.write(toFile: base + ".pem", atomically: true, encoding: .utf8)
            try privateKey.write(toFile: base + ".pem.key", atomically: true, encoding: .utf8)
        } else {
            try (certificate + privateKey).write(toFile: base + ".pem", atomically: true, encoding: .utf8)
        }
        guard let body = Self.firstCertificateBody(certificate) else {
            throw UsherUnderTest.Failure(description: "openssl made no certificate for \(label)")
        }
        let printed = try ExternalProcess.run(["openssl", "x509", "-noout", "-subject", "-serial", "-in", base + ".pem"])
        return (body, printed.output.split(separator: "\n").joined(separator: " "))
    }

    /// The base64 body of the first certificate in `text`, whitespace removed.
    static func firstCertificateBody(_ text: String) -> String? {
        guard let begin = text.range(of: "-----BEGIN CERTIFICATE-----"),
            let end = text.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<text.endIndex)
        else { return nil }
        return String(text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace })
    }

    /// Which certificate the server on `port` presents to `openssl s_client` for `serverName`
    /// (nil: `-noservername`): `label subject=… serial=…`, or `refused (…)`.
    func presented(port: Int, serverName: String?, extra: [String] = []) throws -> String {
        let name = serverName.map { ["-servername", $0] } ?? ["-noservername"]
        let result = try ExternalProcess.run(["openssl", "s_client", "-connect", "127.0.0.1:\(port)"] + name + extra, input: "", timeout: 5)
        let all = result.output + result.error
        guard let body = Self.firstCertificateBody(all) else {
            let alert = all.range(of: #"alert number \d+"#, options: .regularExpression).map { String(all[$0]) }
            return "refused (\(alert ?? "no certificate, no alert"))"
        }
        guard let label = labels[body] else {
            return "unknown certificate " + (all.split(separator: "\n").first { $0.hasPrefix("subject=") }.map(String.init) ?? "")
        }
        return label + " " + (identities[label] ?? "")
    }
}

/// The TCP connections on 127.0.0.1 whose local port is `port`, as the kernel lists them in
/// /proc/net/tcp, with their state's hex code; the listening socket and those closed on this side
/// (TIME_WAIT `06`, CLOSE `07`) left out.
func openConnections(localPort port: Int) -> [String] {
    // Read to the end: the file's size is 0 to stat, which makes a whole-file read return nothing.
    guard let handle = FileHandle(forReadingAtPath: "/proc/net/tcp") else { return [] }
    defer { try? handle.close() }
    let table = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    return table.split(separator: "\n").dropFirst().compactMap { line -> String? in
        let columns = line.split(separator: " ")
        guard columns.count > 3, let colon = columns[1].lastIndex(of: ":"),
            Int(columns[1][columns[1].index(after: colon)...], radix: 16) == port
        else { return nil }
        return ["0A", "06", "07"].contains(String(columns[3])) ? nil : "\(columns[1]) → \(columns[2]) state \(columns[3])"
    }
}

/// HAProxy 2.6 running a configuration, killed by `stop`.
private final class ReferenceHAProxy {
    let directory: ScratchDirectory
    let process: Process
    let configuration: String

    /// Starts HAProxy on `configuration` and waits until each of `ports` accepts connections.
    init(_ configuration: String, ports: [Int]) throws {
        directory = try ScratchDirectory()
        // HAProxy 2.6 refuses a last line without its newline.
        self.configuration = configuration.hasSuffix("\n") ? configuration : configuration + "\n"
        let file = try directory.write("haproxy.cfg", self.configuration)
        process = try ExternalProcess.start(["haproxy", "-db", "-f", file], logFile: directory.path + "/haproxy.log")
        for port in ports {
            guard ClientSocket.waitUntilAccepting(port, timeout: 10, alive: { process.isRunning }) else {
                let log = self.log
                stop()
                throw UsherUnderTest.Failure(description: "HAProxy did not listen on 127.0.0.1:\(port):\n\(log)\n\(self.configuration)")
            }
        }
    }

    var log: String {
        (try? String(contentsOfFile: directory.path + "/haproxy.log", encoding: .utf8)) ?? ""
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
    }
}

/// `bind … ssl` run by HAProxy 2.6 and by usher on the same configuration: which certificate is
/// presented for each server name (exact names, case, wildcards, SAN-only and CN-only
/// certificates, a crt-list with SNI filters and a negative filter, a directory, two keys for one
/// name), what `strict-sni` accepts, and the values of the `ssl_fc_*` / `ssl_c_*` fetches as the
/// origin receives them in request headers.
@Suite(
    .serialized,
    .enabled(
        if: ExternalProcess.required("openssl") && ExternalProcess.required("curl") && ExternalProcess.required("haproxy"),
        "needs openssl, curl and /usr/sbin/haproxy"))
struct TLSTerminationDifferentialTests {
    static let defaults = """
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        """

    /// The bind line of the certificate-selection frontends, after `bind ADDRESS ssl`.
    static func certificates(_ set: SNICertificateSet, frontend: String) -> String {
        let all = ["default", "exact", "wild", "sanonly", "cnonly", "cnextra", "duprsa", "dupec"].map { "crt " + set.pem($0) }
            .joined(separator: " ")
        switch frontend {
        case "dirfirst": return "crt \(set.path)/dir crt \(set.pem("exact"))"
        case "listfirst": return "crt-list \(set.crtList) crt \(set.pem("exact"))"
        case "strict": return "\(all) crt-list \(set.crtList) crt \(set.path)/dir/ strict-sni"
        default: return "\(all) crt-list \(set.crtList) crt \(set.path)/dir"
        }
    }

    static func selectionConfiguration(_ set: SNICertificateSet, frontends: [String], address: (String) -> String) -> String {
        var text = defaults + "\n"
        for frontend in frontends {
            text += """
                frontend \(frontend)
                    bind \(address(frontend)) ssl \(certificates(set, frontend: frontend))
                    default_backend bk

                """
        }
        return text + """
            backend bk
                server s1 127.0.0.1:9

            """
    }

    /// Runs `cases` (server name, extra s_client arguments, what HAProxy 2.6.12 presented when
    /// this was written) against both proxies for each frontend; the expectation that matters is
    /// usher == HAProxy, the written one documents the rule and catches a test that checks nothing.
    func compareSelection(_ cases: [String: [(name: String?, extra: [String], expected: String)]]) throws {
        let set = try SNICertificateSet()
        let frontends = cases.keys.sorted()
        let ports = Dictionary(uniqueKeysWithValues: frontends.map { ($0, freePort()) })
        let haproxy = try ReferenceHAProxy(
            Self.selectionConfiguration(set, frontends: frontends) { "127.0.0.1:\(ports[$0]!)" }, ports: Array(ports.values))
        defer { haproxy.stop() }
        let usher = try UsherUnderTest(Self.selectionConfiguration(set, frontends: frontends) { _ in "127.0.0.1:0" })
        defer { usher.stop() }

        // Probed four at a time (each probe is an openssl process), checked in order.
        let probes = frontends.flatMap { frontend in cases[frontend]!.map { (frontend, $0.name, $0.extra, $0.expected) } }
        let results = NIOLockedValueBox([Int: (String, String)]())
        let limit = DispatchSemaphore(value: 4)
        let group = DispatchGroup()
        for (index, (frontend, name, extra, _)) in probes.enumerated() {
            limit.wait()
            group.enter()
            let usherPort = usher.port(frontend), haproxyPort = ports[frontend]!
            DispatchQueue.global().async {
                defer {
                    limit.signal()
                    group.leave()
                }
                let reference = (try? set.presented(port: haproxyPort, serverName: name, extra: extra)) ?? "openssl failed"
                let ours = (try? set.presented(port: usherPort, serverName: name, extra: extra)) ?? "openssl failed"
                results.withLockedValue { $0[index] = (reference, ours) }
            }
        }
        group.wait()
        for (index, (frontend, name, extra, expected)) in probes.enumerated() {
            let (reference, ours) = results.withLockedValue { $0[index] } ?? ("", "")
            let what = "\(frontend): \(name.map { "-servername \($0)" } ?? "-noservername") \(extra.joined(separator: " "))"
            #expect(reference.hasPrefix(expected + " ") || reference == expected, "HAProxy, \(what): \(reference)")
            #expect(ours == reference, "\(what)\n  HAProxy: \(reference)\n  usher:   \(ours)")
        }
    }

    @Test func theSameCertificateIsPresentedForEachServerName() throws {
        let rsaOnly = ["-sigalgs", "rsa_pss_rsae_sha256:rsa_pkcs1_sha256"]
        try compareSelection([
            "mixed": [
                ("exact.test", [], "exact"),
                ("www.exact.test", [], "exact"),
                // Names are compared without regard to case.
                ("WWW.Exact.TEST", [], "exact"),
                // A wildcard stands for one label: not two, not none.
                ("foo.wild.test", [], "wild"),
                ("a.b.wild.test", [], "default"),
                ("wild.test", [], "default"),
                ("unknown.test", [], "default"),
                (nil, [], "default"),
                // A trailing dot is not removed.
                ("exact.test.", [], "default"),
                // The common name is a name of the certificate even when it has SANs.
                ("cn.test", [], "cnonly"),
                ("cnextra.test", [], "cnextra"),
                ("other-san.test", [], "cnextra"),
                ("san.test", [], "sanonly"),
                ("x.san.test", [], "sanonly"),
                // crt-list filters replace the certificate's names; `!name` removes one name from
                // its own line's wildcard only (the next line's wildcard still serves it).
                ("listed.test", [], "listed"),
                ("a.listed.test", [], "listed"),
                ("secret.listed.test", [], "listed2"),
                ("nothing-here.test", [], "default"),
                ("listed-two.test", [], "default"),
                ("forced.test", [], "forced"),
                ("forced-cert.test", [], "default"),
                ("placeholder.test", [], "default"),
                // A directory: every file but `.key` ones, the key beside a key-less PEM.
                ("dir-a.test", [], "dir/a-first"),
                ("dir-b.test", [], "dir/b-second"),
                // Two keys for one name: ECDSA for a client that takes it, whatever the order of
                // declaration (RSA is declared first), RSA for a client that takes only RSA.
                ("dup.test", [], "dupec"),
                ("dup.test", ["-tls1_2"], "dupec"),
                ("dup.test", rsaOnly, "duprsa"),
            ],
            // The default certificate is the first one loaded: the directory's first file in name
            // order, the list's first line.
            "dirfirst": [(nil, [], "dir/a-first"), ("unknown.test", [], "dir/a-first"), ("dir-b.test", [], "dir/b-second"), ("exact.test", [], "exact")],
            "listfirst": [
                (nil, [], "listed"), ("unknown.test", [], "listed"), ("placeholder.test", [], "listed"), ("exact.test", [], "exact"),
                ("secret.listed.test", [], "listed2"),
            ],
        ])
    }

    @Test func strictSNIAcceptsAndRefusesTheSameNames() throws {
        let refused = "refused (alert number 112)"
        try compareSelection([
            "strict": [
                ("exact.test", [], "exact"),
                ("WWW.Exact.TEST", [], "exact"),
                ("foo.wild.test", [], "wild"),
                ("a.b.wild.test", [], refused),
                ("wild.test", [], refused),
                ("unknown.test", [], refused),
                (nil, [], refused),
                ("secret.listed.test", [], "listed2"),
                ("placeholder.test", [], refused),
                // The default certificate still serves its own names.
                ("default.test", [], "default"),
                ("dir-b.test", [], "dir/b-second"),
                ("cn.test", [], "cnonly"),
            ]
        ])
    }

    // MARK: - fetches

    /// The fetches as request headers (`X-F-<name>`); a fetch with no value gives an empty header
    /// in both proxies.
    static let fetches: [(header: String, expression: String)] = [
        ("fc", "ssl_fc"), ("sni", "ssl_fc_sni"), ("has-sni", "ssl_fc_has_sni"), ("protocol", "ssl_fc_protocol"),
        ("alpn", "ssl_fc_alpn"), ("has-crt", "ssl_fc_has_crt"), ("c-used", "ssl_c_used"), ("c-verify", "ssl_c_verify"),
        ("s-dn", "ssl_c_s_dn"), ("s-cn", "ssl_c_s_dn(CN)"), ("s-o", "ssl_c_s_dn(O)"), ("s-ou-last", "ssl_c_s_dn(OU,-1)"),
        ("s-ou-2", "ssl_c_s_dn(OU,2)"), ("s-email", "ssl_c_s_dn(emailAddress)"), ("i-dn", "ssl_c_i_dn"), ("i-cn", "ssl_c_i_dn(CN)"),
        ("serial", "ssl_c_serial,hex"), ("sha1", "ssl_c_sha1,hex"), ("not-after", "ssl_c_notafter"), ("not-before", "ssl_c_notbefore"),
        ("c-version", "ssl_c_version"),
    ]

    static func fetchConfiguration(_ set: SNICertificateSet, address: String, origin: String) -> String {
        """
        \(defaults)
        frontend fe
            bind \(address) ssl crt \(set.pem("exact")) crt \(set.pem("wild")) alpn h2,http/1.1 ca-file \(set.ca) verify optional
        \(fetches.map { "    http-request set-header X-F-\($0.header) %[\($0.expression)]" }.joined(separator: "\n"))
            http-request set-header X-Cipher %[ssl_fc_cipher]
            default_backend bk
        backend bk
            server s1 \(origin)

        """
    }

    /// One client of the fetch comparison: a name, and how it connects to `port`.
    struct FetchClient {
        var name: String
        /// Whether the proxy is to refuse the handshake.
        var refused = false
        var run: (Int) throws -> ExternalProcess.Result
    }

    static func fetchClients(_ set: SNICertificateSet) -> [FetchClient] {
        let certificate = ["--cert", set.clientCertificate, "--key", set.clientKey]
        // `--http1.1` throughout: the fetches' values are what this test compares; HTTP/2 has its
        // own differential test (HTTP2DifferentialTests).
        func curl(_ name: String, _ extra: [String]) -> (Int) throws -> ExternalProcess.Result {
            { port in try TLSTerminationTests.curl(name, port: port, extra: ["--http1.1"] + extra) }
        }
        return [
            FetchClient(name: "TLS 1.3, no client certificate", run: curl("www.exact.test", [])),
            FetchClient(name: "TLS 1.2, client certificate", run: curl("x.wild.test", ["--tlsv1.2", "--tls-max", "1.2"] + certificate)),
            FetchClient(name: "TLS 1.3, client certificate", run: curl("exact.test", certificate)),
            // An address: curl sends no server name.
            FetchClient(name: "no SNI, no ALPN", run: curl("127.0.0.1", ["--no-alpn"])),
            FetchClient(name: "TLS 1.2, no client certificate", run: curl("www.exact.test", ["--tlsv1.2", "--tls-max", "1.2"])),
            // `ssl_fc_sni` is the name as sent, in the client's case (curl lowercases it).
            FetchClient(name: "upper-case SNI, s_client") { port in
                try ExternalProcess.run(
                    ["openssl", "s_client", "-quiet", "-connect", "127.0.0.1:\(port)", "-servername", "WWW.Exact.TEST", "-alpn", "http/1.1"]
                        + ["-cert", set.clientCertificate, "-key", set.clientKey],
                    input: "GET /upper HTTP/1.1\r\nHost: www.exact.test\r\nConnection: close\r\n\r\n", timeout: 5)
            },
            // `verify optional`: no certificate is fine, a certificate that does not verify is
            // not (HAProxy needs `crt-ignore-err` for that). Both refuse the handshake, with
            // different client errors: HAProxy closes, usher's library sends an alert first.
            FetchClient(name: "untrusted client certificate", refused: true,
                run: curl("www.exact.test", ["--cert", set.strangerCertificate, "--key", set.strangerKey])),
        ]
    }

    @Test func fetchValuesReachTheOriginAlike() throws {
        let set = try SNICertificateSet()
        let haproxyOrigin = try RecordingOrigin(name: "origin")
        defer { haproxyOrigin.stop() }
        let usherOrigin = try RecordingOrigin(name: "origin")
        defer { usherOrigin.stop() }
        let haproxyPort = freePort()
        let haproxy = try ReferenceHAProxy(
            Self.fetchConfiguration(set, address: "127.0.0.1:\(haproxyPort)", origin: haproxyOrigin.address), ports: [haproxyPort])
        defer { haproxy.stop() }
        let usher = try UsherUnderTest(Self.fetchConfiguration(set, address: "127.0.0.1:0", origin: usherOrigin.address))
        defer { usher.stop() }

        for client in Self.fetchClients(set) {
            let before = (haproxyOrigin.requests.count, usherOrigin.requests.count)
            let reference = try client.run(haproxyPort)
            let ours = try client.run(usher.port("fe"))
            haproxyOrigin.settle()
            usherOrigin.settle()
            if client.refused {
                #expect(reference.status != 0 && haproxyOrigin.requests.count == before.0, "HAProxy, \(client.name): \(reference.error)")
                #expect(ours.status != 0, "usher, \(client.name): \(ours.output)")
                #expect(usherOrigin.requests.count == before.1, "usher, \(client.name): the origin got a request")
                continue
            }
            guard haproxyOrigin.requests.count == before.0 + 1, let expected = haproxyOrigin.requests.last?.message else {
                Issue.record("HAProxy, \(client.name): no request at the origin: \(reference.output) \(reference.error)\n\(haproxy.log)")
                continue
            }
            guard usherOrigin.requests.count == before.1 + 1, let got = usherOrigin.requests.last?.message else {
                Issue.record("usher, \(client.name): no request at the origin: \(ours.output) \(ours.error)")
                continue
            }
            for (header, expression) in Self.fetches {
                let reference = expected.values("x-f-" + header), value = got.values("x-f-" + header)
                #expect(value == reference, "\(client.name): %[\(expression)]\n  HAProxy: \(reference)\n  usher:   \(value)")
            }
            // The cipher is not compared: each TLS library applies its own preference order
            // (OpenSSL's for HAProxy, BoringSSL's for usher, which also ranks AES-GCM against
            // ChaCha20 by whether the CPU has AES instructions), so the same client may
            // legitimately get another suite. Both name it the OpenSSL way.
            for cipher in [expected.values("x-cipher"), got.values("x-cipher")] {
                #expect(cipher.count == 1 && cipher[0].count > 4 && !cipher[0].contains(" "), "\(client.name): \(cipher)")
            }
        }
        // Not a vacuous comparison: the handshake details did arrive.
        let withCertificate = try #require(haproxyOrigin.requests.first { $0.message.values("x-f-c-used") == ["1"] }?.message)
        #expect(withCertificate.values("x-f-s-cn") == ["client one"])
        #expect(withCertificate.values("x-f-s-o") == ["Clients, Inc."])
    }

    /// A response with `Connection: close` ends the TCP connection, not only the TLS session.
    /// `openssl s_client` answers the proxy's close_notify with its own and a FIN, then waits up to
    /// half a second for the proxy to close before it exits: HAProxy has closed by then (within
    /// milliseconds). A proxy that still holds the connection 0.3 s after the client has exited
    /// is waiting for something the client already sent.
    @Test func connectionCloseEndsTheConnectionPromptly() throws {
        let set = try SNICertificateSet()
        func configuration(_ address: String, _ origin: RecordingOrigin) -> String {
            """
            \(Self.defaults)
            frontend fe
                bind \(address) ssl crt \(set.pem("exact"))
                default_backend bk
            backend bk
                server s1 \(origin.address)

            """
        }
        func lingering(port: Int) throws -> [String] {
            let result = try ExternalProcess.run(
                ["openssl", "s_client", "-quiet", "-connect", "127.0.0.1:\(port)", "-servername", "www.exact.test"],
                input: "GET / HTTP/1.1\r\nHost: www.exact.test\r\nConnection: close\r\n\r\n", timeout: 5)
            #expect(result.output.hasPrefix("HTTP/1.1 200"), "\(result.output) \(result.error)")
            let deadline = Date().addingTimeInterval(0.3)
            while Date() < deadline, !openConnections(localPort: port).isEmpty { Thread.sleep(forTimeInterval: 0.02) }
            return openConnections(localPort: port)
        }
        let haproxyOrigin = try RecordingOrigin(name: "origin")
        defer { haproxyOrigin.stop() }
        let haproxyPort = freePort()
        let haproxy = try ReferenceHAProxy(configuration("127.0.0.1:\(haproxyPort)", haproxyOrigin), ports: [haproxyPort])
        defer { haproxy.stop() }
        let reference = try lingering(port: haproxyPort)
        #expect(reference == [], "HAProxy: \(reference)")

        let usherOrigin = try RecordingOrigin(name: "origin")
        defer { usherOrigin.stop() }
        let usher = try UsherUnderTest(configuration("127.0.0.1:0", usherOrigin))
        defer { usher.stop() }
        // `08` is CLOSE_WAIT: the client's close_notify and FIN came, the proxy has not closed its side.
        let ours = try lingering(port: usher.port("fe"))
        #expect(ours == [], "usher, still open after the client is done: \(ours)")
    }

    /// `ssl_fc_is_resumed`, HAProxy's name for "this handshake resumed a session" (a session ID
    /// or a ticket), for a session saved by `openssl s_client -sess_out` and offered again.
    @Test func resumptionIsSeenAlike() throws {
        let set = try SNICertificateSet()
        func configuration(_ address: String, _ origin: RecordingOrigin) -> String {
            """
            \(Self.defaults)
            frontend fe
                bind \(address) ssl crt \(set.pem("exact"))
                http-request set-header X-Resumed %[ssl_fc_is_resumed]
                default_backend bk
            backend bk
                server s1 \(origin.address)

            """
        }
        func resumptions(port: Int, origin: RecordingOrigin) throws -> [String] {
            var seen: [String] = []
            for version in ["-tls1_2", "-tls1_3"] {
                let session = set.path + "/session\(version)-\(port)"
                for sessionOption in ["-sess_out", "-sess_in"] {
                    _ = try ExternalProcess.run(
                        ["openssl", "s_client", "-quiet", version, "-connect", "127.0.0.1:\(port)", "-servername", "www.exact.test", sessionOption, session],
                        input: "GET / HTTP/1.1\r\nHost: www.exact.test\r\nConnection: close\r\n\r\n", timeout: 5)
                    origin.settle()
                    seen.append("\(version) \(sessionOption): \(origin.requests.last?.message.values("x-resumed") ?? [])")
                }
            }
            return seen
        }
        let expected = ["-tls1_2 -sess_out: [\"0\"]", "-tls1_2 -sess_in: [\"1\"]", "-tls1_3 -sess_out: [\"0\"]", "-tls1_3 -sess_in: [\"1\"]"]

        let haproxyOrigin = try RecordingOrigin(name: "origin")
        defer { haproxyOrigin.stop() }
        let haproxyPort = freePort()
        let haproxy = try ReferenceHAProxy(configuration("127.0.0.1:\(haproxyPort)", haproxyOrigin), ports: [haproxyPort])
        defer { haproxy.stop() }
        #expect(try resumptions(port: haproxyPort, origin: haproxyOrigin) == expected)

        let usherOrigin = try RecordingOrigin(name: "origin")
        defer { usherOrigin.stop() }
        let usher = try UsherUnderTest(configuration("127.0.0.1:0", usherOrigin))
        defer { usher.stop() }
        #expect(try resumptions(port: usher.port("fe"), origin: usherOrigin) == expected)
    }
}
