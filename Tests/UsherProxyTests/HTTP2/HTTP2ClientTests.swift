import Foundation
import Testing

/// HTTP/2 from clients to HTTP/1.1 servers, with real clients: `curl --http2` over TLS (ALPN
/// `h2`), `curl --http2-prior-knowledge` on a `proto h2` bind, `nghttp`, `h2load`. Each stream
/// goes through the same rules, fetches, balancing and log line as an HTTP/1.1 request.
@Suite(.serialized, .enabled(if: ExternalProcess.required("curl") && ExternalProcess.required("openssl")))
struct HTTP2ClientTests {
    static func configuration(syslog: Int, certificate: String, origin: String, extraGlobal: String = "") -> String {
        """
        global
            log 127.0.0.1:\(syslog) local0
        \(extraGlobal)
        defaults
            mode http
            log global
            option httplog
            option forwardfor
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:0 ssl crt \(certificate) alpn h2,http/1.1
            bind 127.0.0.1:0 proto h2
            http-request deny if { path_beg /forbidden }
            http-request set-header X-ALPN %[ssl_fc_alpn] if { ssl_fc }
            http-request set-header X-Method %[method]
            http-request set-header X-Path %[path]
            http-request set-header X-Agent %[req.hdr(user-agent)]
            http-response set-header X-Rule yes
            use_backend other if { hdr(host) -m beg other. }
            default_backend bk
        backend bk
            server s1 \(origin)
        backend other
            http-request return status 200 content-type text/plain string "other backend" if { path /other }
            server s1 \(origin)
        """
    }

    /// The TLS bind's port (first in the frontend) and the `proto h2` one.
    static func ports(_ usher: UsherUnderTest) -> (tls: Int, clear: Int) {
        let ports = usher.server.boundAddresses(frontend: "fe").compactMap(\.port)
        return (ports[0], ports[1])
    }

    static func curl(_ arguments: [String]) throws -> ExternalProcess.Result {
        try ExternalProcess.run(["curl", "-sS", "-k", "--max-time", "10", "-i"] + arguments)
    }

    @Test func curlOverTLSSpeaksHTTP2ThroughTheSameRules() async throws {
        let certificates = try TestCertificates()
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let origin = try RecordingOrigin(name: "origin", replies: [
            .ok("hello h2\n", [.init("Connection", "keep-alive, X-Private"), .init("Keep-Alive", "timeout=5"), .init("X-Private", "1"), .init("X-A", "b")]),
        ])
        defer { origin.stop() }
        let usher = try UsherUnderTest(Self.configuration(syslog: syslog.port, certificate: certificates.a, origin: origin.address))
        defer { usher.stop() }
        let port = Self.ports(usher).tls

        let result = try Self.curl(["--http2", "--resolve", "a.test:\(port):127.0.0.1", "-H", "Cookie: a=1", "-H", "Cookie: b=2", "https://a.test:\(port)/some/path?x=1"])
        let response = result.output.lowercased()
        #expect(response.hasPrefix("http/2 200"), "\(result.output) \(result.error)")
        #expect(response.contains("x-a: b"))
        #expect(response.contains("x-rule: yes"))
        #expect(result.output.hasSuffix("hello h2\n"))
        // HTTP/1-only fields never reach an HTTP/2 client. A field `Connection` named stays, as
        // HAProxy 2.6 leaves it (checked with haproxy: `x-private: 1` reaches the h2 client).
        for field in ["connection:", "keep-alive:", "transfer-encoding:"] {
            #expect(!response.contains(field), "\(field) leaked: \(result.output)")
        }
        #expect(response.contains("x-private: 1"))

        let request = try #require(origin.requests.last?.message)
        #expect(request.startLine == "GET /some/path?x=1 HTTP/1.1")
        #expect(request.values("host") == ["a.test:\(port)"])
        #expect(request.values("cookie") == ["a=1; b=2"])
        #expect(request.values("x-forwarded-for") == ["127.0.0.1"])
        #expect(request.values("x-alpn") == ["h2"])
        #expect(request.values("x-method") == ["GET"])
        #expect(request.values("x-path") == ["/some/path"])
        #expect(request.values("x-agent").first?.hasPrefix("curl/") == true)

        let line = try #require(await syslog.waitFor("HTTP/2.0"), "\(syslog.received)")
        #expect(line.contains(" fe~ bk/s1 "), "\(line)")
        #expect(line.contains(" 200 "), "\(line)")
        #expect(line.contains("\"GET https://a.test:\(port)/some/path?x=1 HTTP/2.0\""), "\(line)")
    }

    @Test func priorKnowledgeOnAPlainBindAnswersErrorsOnTheStream() async throws {
        let certificates = try TestCertificates()
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }
        let usher = try UsherUnderTest(Self.configuration(syslog: syslog.port, certificate: certificates.a, origin: origin.address))
        defer { usher.stop() }
        let port = Self.ports(usher).clear

        let denied = try Self.curl(["--http2-prior-knowledge", "http://127.0.0.1:\(port)/forbidden"])
        #expect(denied.output.lowercased().hasPrefix("http/2 403"), "\(denied.output) \(denied.error)")
        #expect(!denied.output.lowercased().contains("connection:"))
        #expect(origin.requests.isEmpty)

        let local = try Self.curl(["--http2-prior-knowledge", "-H", "Host: other.test", "http://127.0.0.1:\(port)/other"])
        #expect(local.output.lowercased().hasPrefix("http/2 200"), "\(local.output) \(local.error)")
        #expect(local.output.hasSuffix("other backend"))

        let forwarded = try Self.curl(["--http2-prior-knowledge", "http://127.0.0.1:\(port)/fine"])
        #expect(forwarded.output.lowercased().hasPrefix("http/2 200"), "\(forwarded.output) \(forwarded.error)")
        let request = try #require(origin.requests.last?.message)
        #expect(request.values("host") == ["127.0.0.1:\(port)"])
        #expect(request.values("x-alpn").isEmpty)

        let deniedLine = try #require(await syslog.waitFor("/forbidden HTTP/2.0"), "\(syslog.received)")
        #expect(deniedLine.contains(" fe fe/<NOSRV> "), "\(deniedLine)")
        #expect(deniedLine.contains(" 403 "), "\(deniedLine)")
        #expect(deniedLine.contains("\"GET http://127.0.0.1:\(port)/forbidden HTTP/2.0\""), "\(deniedLine)")
    }

    /// A request body without Content-Length (curl streams stdin) goes to the server chunked,
    /// whole, and the answer comes back on the same stream.
    @Test func requestBodiesStreamToTheServer() throws {
        let certificates = try TestCertificates()
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }
        let usher = try UsherUnderTest(Self.configuration(syslog: syslog.port, certificate: certificates.a, origin: origin.address))
        defer { usher.stop() }
        let port = Self.ports(usher).clear
        let body = String(repeating: "0123456789abcdef", count: 20_000)

        let sized = try ExternalProcess.run(
            ["curl", "-sS", "--max-time", "10", "--http2-prior-knowledge", "--data-binary", "@-", "-o", "/dev/null", "-w", "%{http_code}",
             "http://127.0.0.1:\(port)/upload"], input: body)
        #expect(sized.output == "200", "\(sized.output) \(sized.error)")
        let first = try #require(origin.requests.last?.message)
        #expect(first.body.count == body.utf8.count)
        #expect(first.values("content-length") == ["\(body.utf8.count)"])

        let streamed = try ExternalProcess.run(
            ["curl", "-sS", "--max-time", "10", "--http2-prior-knowledge", "-T", "-", "-o", "/dev/null", "-w", "%{http_code}",
             "http://127.0.0.1:\(port)/stream"], input: body)
        #expect(streamed.output == "200", "\(streamed.output) \(streamed.error)")
        let second = try #require(origin.requests.last?.message)
        #expect(second.values("transfer-encoding") == ["chunked"])
        #expect(String(decoding: second.body, as: UTF8.self) == body)
    }
}
