import Foundation
import Testing
import UsherConfig
import UsherProxy

/// `server … ssl` lines checked by `haproxy -c` and by usher's loader (as `usher -c` runs it): the
/// same verdict at the same line, or the deliberate difference listed in
/// docs/differences-from-haproxy.md. The files they name (CA, client certificate) are made for the
/// test by openssl.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired && ExternalProcess.required("openssl"), "needs haproxy and openssl"))
final class ServerTLSCheckDifferentialTests {
    typealias Verdict = CheckModeDifferentialTests.Verdict

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var global: [String]
        /// Lines of backend `be`, the first at line 7 of the body; `@CA@`, `@CERT@` and `@KEYLESS@` stand
        /// for a CA file, a certificate with its key, and one without.
        var backend: [String]
        var expected: Verdict
        var usher: Verdict?

        init(_ name: String, global: [String] = [], _ backend: [String], _ expected: Verdict, usher: Verdict? = nil) {
            self.name = name
            self.global = global
            self.backend = backend
            self.expected = expected
            self.usher = usher
        }

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        .init("ssl with the default verify and no ca-file", ["server t 127.0.0.1:8443 ssl"], .alerts([7])),
        .init("ssl verify required and no ca-file", ["server t 127.0.0.1:8443 ssl verify required"], .alerts([7])),
        .init("ssl verify none", ["server t 127.0.0.1:8443 ssl verify none"], .valid),
        .init("ssl with a ca-file", ["server t 127.0.0.1:8443 ssl ca-file @CA@ verifyhost app.test"], .valid),
        .init("ssl with the system's CAs", ["server t 127.0.0.1:8443 ssl ca-file @system-ca"], .valid),
        .init("ssl-server-verify none", global: ["ssl-server-verify none"], ["server t 127.0.0.1:8443 ssl"], .valid),
        .init("verify required on a plain server is inert", ["server t 127.0.0.1:8443 verify required"], .valid),
        .init("check-ssl verifies too", ["server t 127.0.0.1:8443 check check-ssl"], .alerts([7])),
        .init("a default-server ssl is checked under no-ssl", ["default-server ssl", "server t 127.0.0.1:8443 no-ssl"], .alerts([8])),
        // (HAProxy adds a second alert without a line.)
        .init("a missing ca-file, even without ssl", ["server t 127.0.0.1:8443 ca-file /nonexistent/ca.pem"], .alerts([0, 7]), usher: .alerts([7])),
        .init("a missing crt", ["server t 127.0.0.1:8443 ssl verify none crt /nonexistent/client.pem"], .alerts([7])),
        .init("a crt without its key", ["server t 127.0.0.1:8443 ssl verify none crt @KEYLESS@"], .alerts([7])),
        .init("a crt with its key", ["server t 127.0.0.1:8443 ssl verify none crt @CERT@"], .valid),
        .init("sni expressions", ["server t 127.0.0.1:8443 ssl verify none sni req.hdr(host),lower", "server u 127.0.0.1:8444 ssl verify none sni str(app.test)"], .valid),
        .init("an sni with an unknown fetch", ["server t 127.0.0.1:8443 ssl verify none sni nosuchfetch"], .alerts([7])),
        .init("str() takes one string", ["server t 127.0.0.1:8443 ssl verify none sni str(a,b)"], .alerts([7])),
        .init("verify optional is for binds", ["server t 127.0.0.1:8443 ssl verify optional"], .alerts([7])),
        .init("no version left", ["server t 127.0.0.1:8443 ssl verify none ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.2"], .alerts([7])),
        .init("no version left, but no ssl", ["server t 127.0.0.1:8443 verify none ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.2"], .valid),
        .init("no-tlsv10 on default-server", ["default-server no-tlsv10"], .alerts([7])),
        .init("no-… ignored beside ssl-min-ver", ["server t 127.0.0.1:8443 ssl verify none ssl-min-ver TLSv1.2 no-tlsv13"], .warnings([7])),
        .init("a cipher list the TLS library refuses", ["server t 127.0.0.1:8443 ssl verify none ciphers NOSUCHCIPHER"], .alerts([7])),
        .init("check options", ["server t 127.0.0.1:8443 ssl verify none check check-sni app.test check-alpn http/1.1 alpn http/1.1 no-ssl-reuse"], .valid),
        // Deliberate differences (docs/differences-from-haproxy.md).
        .init("alpn h2 in mode http", ["server t 127.0.0.1:8443 ssl verify none alpn h2,http/1.1"], .valid, usher: .alerts([7])),
        .init("crl-file", ["server t 127.0.0.1:8443 ssl verify none crl-file @CA@"], .valid, usher: .alerts([7])),
        .init("no-verifyhost, documented but unknown to 2.6.12", ["server t 127.0.0.1:8443 ssl verify none no-verifyhost"], .alerts([7]), usher: .valid),
    ]

    let directory: ScratchDirectory

    init() throws {
        directory = try ScratchDirectory()
        try NginxTLS.makeCertificate("app", names: ["app.test"], in: directory)
    }

    func text(_ testCase: Case) -> String {
        let global = testCase.global.isEmpty ? "" : "global\n" + testCase.global.map { "    \($0)\n" }.joined()
        let backend = testCase.backend.map {
            "    " + $0.replacingOccurrences(of: "@KEYLESS@", with: directory.path + "/app.crt")
                .replacingOccurrences(of: "@CERT@", with: directory.path + "/app.pem")
                .replacingOccurrences(of: "@CA@", with: directory.path + "/app.crt") + "\n"
        }.joined()
        return global + CheckModeDifferentialTests.defaults
            + "frontend fe\n    mode http\n    bind 127.0.0.1:18443\n    default_backend be\nbackend be\n    mode http\n" + backend
    }

    @Test(arguments: cases)
    func sameVerdictAsHAProxy(_ testCase: Case) throws {
        let text = text(testCase)
        let offset = CheckModeDifferentialTests.headerLines + (testCase.global.isEmpty ? 0 : testCase.global.count + 1)
        let haproxy = try CheckModeDifferentialTests.haproxyVerdict(text, offset: offset)
        #expect(haproxy == testCase.expected, "haproxy -c: \(haproxy)")
        let usher = CheckModeDifferentialTests.usherVerdict(text, offset: offset)
        #expect(usher.verdict == (testCase.usher ?? testCase.expected), "usher: \(usher.diagnostics)")
    }
}
