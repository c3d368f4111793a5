import Foundation
import Testing

/// `server … ssl` against a real TLS server (nginx, certificates made by openssl for the test):
/// requests re-encrypted in mode http, a raw stream encrypted in mode tcp, the certificate checked
/// against `ca-file` and the SNI or `verifyhost`, the SNI from `sni`, a client certificate from
/// `crt`, and a failed handshake treated as a failed connection (503, `SC`).
@Suite(.serialized, .enabled(if: ExternalProcess.required("nginx") && ExternalProcess.required("openssl") && ExternalProcess.required("curl")))
final class ServerTLSEndToEndTests {
    let nginx: NginxTLS

    init() throws {
        nginx = try NginxTLS()
    }

    deinit {
        nginx.stop()
    }

    func httpConfiguration(server: String, syslog: Int? = nil, backend: [String] = []) -> String {
        """
        global
        \(syslog.map { "    log 127.0.0.1:\($0) local0" } ?? "")
        defaults
            mode http
            log global
            option httplog
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:0
            default_backend app
        backend app
        \(backend.map { "    " + $0 }.joined(separator: "\n"))
            server s1 \(server)
        """
    }

    /// curl through usher: status and body.
    func get(_ port: Int, host: String? = nil, path: String = "/") throws -> (status: String, body: String) {
        var arguments = ["curl", "-sS", "--max-time", "10", "-o", "-", "-w", "\n%{http_code}"]
        if let host { arguments += ["-H", "Host: \(host)"] }
        arguments.append("http://127.0.0.1:\(port)\(path)")
        let result = try ExternalProcess.run(arguments)
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return (lines.last ?? "", lines.dropLast().joined(separator: "\n").trimmingCharacters(in: .newlines))
    }

    @Test func httpIsReencryptedWithVerifyNone() throws {
        let usher = try UsherUnderTest(httpConfiguration(server: "127.0.0.1:\(nginx.port) ssl verify none"))
        defer { usher.stop() }
        let (status, body) = try get(usher.port("fe"), host: "whatever.example")
        #expect(status == "200")
        // No `sni`: no name in the hello, so nginx's default server answers.
        #expect(body == "server=app sni= host=whatever.example client=", "\(body)")
        #expect(nginx.accessLog().last?.hasPrefix("\(nginx.port)|-|TLSv1.3|GET / HTTP/1.1") == true, "\(nginx.accessLog())")
    }

    @Test func verifyRequiredPassesWithTheServersCA() throws {
        let usher = try UsherUnderTest(httpConfiguration(server: "127.0.0.1:\(nginx.port) ssl verify required ca-file \(nginx.path("app.crt"))"))
        defer { usher.stop() }
        #expect(try get(usher.port("fe")).status == "200")
    }

    @Test func verifyRequiredWithAnotherCAIsA503LoggedSC() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        // `stranger` names app.test too, but did not sign nginx's certificate.
        let usher = try UsherUnderTest(httpConfiguration(
            server: "127.0.0.1:\(nginx.port) ssl verify required ca-file \(nginx.path("stranger.crt")) sni str(app.test)", syslog: syslog.port,
            backend: ["retries 1"]
        ))
        defer { usher.stop() }
        let (status, _) = try get(usher.port("fe"))
        #expect(status == "503")
        let line = try await syslog.waitFor("GET / HTTP/1.1", timeout: 3)
        // A failed handshake is a failed connection: retried (the `+1` retry), then SC.
        #expect(line?.contains(" 503 ") == true && line?.contains(" SC-- ") == true, "\(line ?? "none")")
        #expect(line?.contains("/+1 ") == true || line?.contains("/1 ") == true, "\(line ?? "none")")
        let server = try #require(usher.server.runtime.backends.first?.servers.first)
        #expect(server.counters[.connectionErrors] >= 1)
    }

    @Test func aSilentHandshakeTimesOutAsAConnection() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        // Accepts and reads the ClientHello, never answers.
        let silent = try TCPBackend(name: "silent", behaviour: .bulkReply(replyBytes: 0), group: testGroup)
        defer { silent.stop() }
        let usher = try UsherUnderTest(httpConfiguration(
            server: "127.0.0.1:\(silent.port) ssl verify none", syslog: syslog.port, backend: ["retries 0", "timeout connect 300ms"]
        ))
        defer { usher.stop() }
        #expect(try get(usher.port("fe")).status == "503")
        let line = try await syslog.waitFor("GET / HTTP/1.1", timeout: 3)
        #expect(line?.contains(" sC-- ") == true, "\(line ?? "none")")
    }

    @Test func aFailedHandshakeIsRedispatched() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        // s1 speaks plain HTTP: its handshake fails, and the retry goes to s2.
        let usher = try UsherUnderTest(httpConfiguration(
            server: "127.0.0.1:\(nginx.port) ssl verify none", syslog: syslog.port,
            backend: ["balance first", "retries 1", "option redispatch", "server s0 127.0.0.1:\(nginx.plainPort) ssl verify none"]
        ))
        defer { usher.stop() }
        let (status, body) = try get(usher.port("fe"))
        #expect(status == "200")
        #expect(body.hasPrefix("server=app"), "\(body)")
        let line = try await syslog.waitFor("GET / HTTP/1.1", timeout: 3)
        // Logged on the server that answered, with the redispatch (`+1`) HAProxy writes.
        #expect(line?.contains(" app/s1 ") == true && line?.contains("/+1 ") == true, "\(line ?? "none")")
    }

    @Test(arguments: [
        ("verifyhost app.test", "200"),
        ("verifyhost www.app.test", "200"),
        ("verifyhost other.test", "503"),
        ("sni str(app.test)", "200"),
        ("sni str(www.app.test)", "200"),
        ("sni str(wrong.test)", "503"),
        // The SNI is what is checked, not verifyhost, when both are there.
        ("sni str(app.test) verifyhost other.test", "200"),
    ])
    func theCertificateMustCarryTheSNIOrVerifyhost(options: String, status: String) throws {
        let usher = try UsherUnderTest(httpConfiguration(
            server: "127.0.0.1:\(nginx.port) ssl verify required ca-file \(nginx.path("app.crt")) \(options)", backend: ["retries 0"]
        ))
        defer { usher.stop() }
        #expect(try get(usher.port("fe")).status == status)
    }

    @Test func sniStringReachesTheMatchingServerName() throws {
        let usher = try UsherUnderTest(httpConfiguration(
            server: "127.0.0.1:\(nginx.port) ssl verify required ca-file \(nginx.path("other.crt")) sni str(other.test)"
        ))
        defer { usher.stop() }
        let (status, body) = try get(usher.port("fe"), host: "anything.example")
        #expect(status == "200")
        // nginx picks its virtual server by the Host header; the SNI chose the certificate that
        // passed the check, and is what nginx logs.
        #expect(body.hasPrefix("server=app sni=other.test host=anything.example"), "\(body)")
        #expect(nginx.accessLog().last?.hasPrefix("\(nginx.port)|other.test|") == true, "\(nginx.accessLog())")
    }

    @Test func sniFromTheHostHeaderPerRequestOnOneClientConnection() throws {
        let usher = try UsherUnderTest(httpConfiguration(server: "127.0.0.1:\(nginx.port) ssl verify none sni req.hdr(host)"))
        defer { usher.stop() }
        let url = "http://127.0.0.1:\(usher.port("fe"))/"
        // One curl, one client connection, two hosts: the server connection made for the first
        // request (SNI app.test) must not carry the second (other.test).
        let result = try ExternalProcess.run([
            "curl", "-sS", "--max-time", "10", "-H", "Host: app.test", url, "--next", "-sS", "--max-time", "10", "-H", "Host: other.test", url,
        ])
        let bodies = result.output.split(separator: "\n").map(String.init)
        #expect(bodies.count == 2, "\(result.output) \(result.error)")
        #expect(bodies.first?.hasPrefix("server=app sni=app.test host=app.test") == true, "\(bodies)")
        #expect(bodies.last?.hasPrefix("server=other sni=other.test host=other.test") == true, "\(bodies)")
    }

    @Test(arguments: [("ssl-min-ver TLSv1.3", "TLSv1.3"), ("ssl-max-ver TLSv1.2", "TLSv1.2"), ("force-tlsv12", "TLSv1.2")])
    func versionOptions(options: String, expected: String) throws {
        let usher = try UsherUnderTest(httpConfiguration(server: "127.0.0.1:\(nginx.port) ssl verify none \(options)"))
        defer { usher.stop() }
        #expect(try get(usher.port("fe")).status == "200")
        #expect(nginx.accessLog().last?.contains("|\(expected)|") == true, "\(nginx.accessLog())")
    }

    @Test func clientCertificateFromCrt() throws {
        let without = try UsherUnderTest(httpConfiguration(server: "127.0.0.1:\(nginx.clientCertificatePort) ssl verify none"))
        defer { without.stop() }
        #expect(try get(without.port("fe")).status == "400", "nginx asks for a certificate none was sent")
        let with = try UsherUnderTest(httpConfiguration(server: "127.0.0.1:\(nginx.clientCertificatePort) ssl verify none crt \(nginx.path("client.pem"))"))
        defer { with.stop() }
        let (status, body) = try get(with.port("fe"))
        #expect(status == "200")
        #expect(body.contains("client=CN=client.test"), "\(body)")
    }

    @Test func tcpModeEncryptsTheRawStream() throws {
        let usher = try UsherUnderTest("""
            defaults
                mode tcp
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:0
                default_backend app
            backend app
                server s1 127.0.0.1:\(nginx.port) ssl verify required ca-file \(nginx.path("other.crt")) sni str(other.test)
            """)
        defer { usher.stop() }
        // The client speaks plain HTTP to usher; nginx sees it over TLS, with the SNI.
        let (status, body) = try get(usher.port("fe"), host: "plain.example")
        #expect(status == "200")
        #expect(body.hasPrefix("server=app sni=other.test host=plain.example"), "\(body)")
    }

    @Test func tcpModeHandshakeFailureClosesTheClient() throws {
        // A server that answers in plain text: the handshake fails, the client is closed.
        let usher = try UsherUnderTest("""
            defaults
                mode tcp
                timeout connect 2s
                timeout client 5s
                timeout server 5s
                retries 0
            frontend fe
                bind 127.0.0.1:0
                default_backend app
            backend app
                server s1 127.0.0.1:\(nginx.plainPort) ssl verify none
            """)
        defer { usher.stop() }
        let client = try RawClient(port: usher.port("fe"))
        try client.send("GET / HTTP/1.0\r\n\r\n")
        #expect(client.isClosedByPeer(within: 3))
    }
}
