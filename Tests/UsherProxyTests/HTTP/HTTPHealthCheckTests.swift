import Foundation
import Testing

/// `option httpchk` and `http-check send|expect`: the check sends HAProxy's request and judges the
/// answer's status (2xx and 3xx pass by default) or body, with HAProxy's Layer 7 messages.
@Suite(.serialized)
final class HTTPHealthCheckTests {
    func configuration(server port: Int, syslog: Int, check: [String]) -> String {
        """
        global
            log 127.0.0.1:\(syslog) local0
        defaults
            mode http
            log global
            timeout connect 500ms
            timeout client 5s
            timeout server 5s
            timeout check 500ms
        frontend fe
            bind 127.0.0.1:0
            default_backend app
        backend app
        \(check.map { "    " + $0 }.joined(separator: "\n"))
            server s1 127.0.0.1:\(port) check inter 100ms fall 2 rise 2
        """
    }

    @Test func passingCheckSendsTheConfiguredRequest() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let origin = try RecordingOrigin(name: "health", replies: [.ok("healthy\n")])
        defer { origin.stop() }
        let usher = try UsherUnderTest(configuration(
            server: origin.port, syslog: syslog.port,
            check: ["option httpchk GET /health", "http-check send hdr Host www.example.test"]
        ))
        defer { usher.stop() }
        try await Task.sleep(for: .milliseconds(600))
        #expect(!syslog.received.contains { $0.contains("is DOWN") }, "\(syslog.received)")
        let runtime = try #require(usher.server.runtime.backends.first)
        #expect(runtime.servers[0].isUp)
        // HAProxy's request: the method, URI and HTTP/1.0 of `option httpchk`, the `send` headers.
        let probe = String(decoding: try #require(origin.receivedPerConnection.first { !$0.isEmpty }), as: UTF8.self)
        #expect(probe == "GET /health HTTP/1.0\r\nhost: www.example.test\r\n\r\n", "\(probe)")
    }

    @Test func wrongStatusTakesTheServerDown() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let origin = try RecordingOrigin(name: "health", replies: [.status(503, "Service Unavailable")])
        defer { origin.stop() }
        let usher = try UsherUnderTest(configuration(server: origin.port, syslog: syslog.port, check: ["option httpchk"]))
        defer { usher.stop() }
        let down = try await syslog.waitFor("Server app/s1 is DOWN", timeout: 3)
        #expect(
            down?.contains("reason: Layer7 wrong status, code: 503, info: \"Service Unavailable\", check duration: ") == true,
            "\(down ?? "none")")
        // The default request, as HAProxy sends it.
        let probe = String(decoding: try #require(origin.receivedPerConnection.first { !$0.isEmpty }), as: UTF8.self)
        #expect(probe == "OPTIONS / HTTP/1.0\r\n\r\n")
        // With the only server down, a request gets 503.
        let client = try RawClient(port: usher.port("fe"))
        try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = String(decoding: try client.receive(), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 503 "), "\(answer)")
    }

    @Test func expectStringReadsTheBody() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let origin = try RecordingOrigin(name: "health", replies: [.ok("status: degraded\n")])
        defer { origin.stop() }
        let usher = try UsherUnderTest(configuration(
            server: origin.port, syslog: syslog.port,
            check: ["option httpchk", "http-check send meth GET uri /status ver HTTP/1.1 hdr Host h", "http-check expect string healthy"]
        ))
        defer { usher.stop() }
        let down = try await syslog.waitFor("Server app/s1 is DOWN", timeout: 3)
        #expect(down?.contains("reason: Layer7 response error, code: 200") == true, "\(down ?? "none")")
        let probe = String(decoding: try #require(origin.receivedPerConnection.first { !$0.isEmpty }), as: UTF8.self)
        #expect(probe == "GET /status HTTP/1.1\r\nhost: h\r\nconnection: close\r\n\r\n", "\(probe)")
    }

    @Test func expectStatusRange() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let origin = try RecordingOrigin(name: "health", replies: [.status(404, "Not Found", body: "gone")])
        defer { origin.stop() }
        let usher = try UsherUnderTest(configuration(
            server: origin.port, syslog: syslog.port, check: ["option httpchk GET /", "http-check expect status 200-499"]
        ))
        defer { usher.stop() }
        try await Task.sleep(for: .milliseconds(600))
        #expect(!syslog.received.contains { $0.contains("is DOWN") }, "\(syslog.received)")
    }
}
