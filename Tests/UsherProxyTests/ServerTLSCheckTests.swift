import Foundation
import Testing

/// Health checks over TLS (`check-ssl`, or `ssl` checked on the server's own address and port)
/// against a real nginx: the handshake alone is a Layer 6 check, `option httpchk` runs over it, a
/// server that does not speak TLS is DOWN with HAProxy's `L6RSP`, and `check-sni` is the name sent
/// (and checked).
@Suite(.serialized, .enabled(if: ExternalProcess.required("nginx") && ExternalProcess.required("openssl")))
final class ServerTLSCheckTests {
    let nginx: NginxTLS

    init() throws {
        nginx = try NginxTLS()
    }

    deinit {
        nginx.stop()
    }

    func configuration(server: String, api: Int, syslog: Int, httpCheck: Bool = true) -> String {
        """
        global
            log 127.0.0.1:\(syslog) local0
            stats socket ipv4@127.0.0.1:\(api) level operator
        defaults
            mode http
            log global
            timeout connect 1s
            timeout client 5s
            timeout server 5s
            timeout check 1s
        frontend fe
            bind 127.0.0.1:0
            default_backend app
        backend app
            \(httpCheck ? "option httpchk GET /health" : "")
            server s1 \(server) check inter 100ms rise 1 fall 1
        """
    }

    /// `show stat`'s row for app/s1 once `check_status` is `expected` (or after 3 s).
    func statRow(api: Int, until expected: String) async throws -> [String: String] {
        var row: [String: String] = [:]
        for _ in 0..<60 {
            row = statTable(try RuntimeAPIClient.ask(port: api, "show stat"))["app/s1"] ?? [:]
            if row["check_status"] == expected { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return row
    }

    @Test func httpCheckRunsOverTLS() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let api = freePort()
        let usher = try UsherUnderTest(configuration(server: "127.0.0.1:\(nginx.port) ssl verify none", api: api, syslog: syslog.port))
        defer { usher.stop() }
        let row = try await statRow(api: api, until: "L7OK")
        #expect(row["check_status"] == "L7OK" && row["status"] == "UP", "\(row)")
        #expect(nginx.accessLog().contains { $0.hasPrefix("\(nginx.port)|-|TLSv1.3|GET /health HTTP/1.0") }, "\(nginx.accessLog())")
    }

    @Test func handshakeAloneIsALayer6Check() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let api = freePort()
        let usher = try UsherUnderTest(configuration(server: "127.0.0.1:\(nginx.port) ssl verify none", api: api, syslog: syslog.port, httpCheck: false))
        defer { usher.stop() }
        let row = try await statRow(api: api, until: "L6OK")
        #expect(row["check_status"] == "L6OK" && row["status"] == "UP", "\(row)")
    }

    @Test func plainServerFailsAtLayer6() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let api = freePort()
        let usher = try UsherUnderTest(configuration(server: "127.0.0.1:\(nginx.plainPort) ssl verify none", api: api, syslog: syslog.port))
        defer { usher.stop() }
        let down = try await syslog.waitFor("Server app/s1 is DOWN", timeout: 3)
        #expect(down?.contains(#"reason: Layer6 invalid response, info: "SSL handshake failure""#) == true, "\(down ?? "none")")
        let row = try await statRow(api: api, until: "L6RSP")
        #expect(row["check_status"] == "L6RSP" && row["status"] == "DOWN", "\(row)")
    }

    @Test func silentServerTimesOutAtLayer6() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let silent = try TCPBackend(name: "silent", behaviour: .bulkReply(replyBytes: 0), group: testGroup)
        defer { silent.stop() }
        let api = freePort()
        let usher = try UsherUnderTest(configuration(server: "127.0.0.1:\(silent.port) ssl verify none", api: api, syslog: syslog.port))
        defer { usher.stop() }
        let down = try await syslog.waitFor("Server app/s1 is DOWN", timeout: 4)
        #expect(down?.contains("reason: Layer6 timeout") == true, "\(down ?? "none")")
        let row = try await statRow(api: api, until: "L6TOUT")
        #expect(row["check_status"] == "L6TOUT", "\(row)")
    }

    @Test func checkSSLOnAnotherPortWhileTrafficIsPlain() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let api = freePort()
        let usher = try UsherUnderTest(configuration(
            server: "127.0.0.1:\(nginx.plainPort) port \(nginx.port) check-ssl verify none", api: api, syslog: syslog.port
        ))
        defer { usher.stop() }
        let row = try await statRow(api: api, until: "L7OK")
        #expect(row["check_status"] == "L7OK" && row["status"] == "UP", "\(row)")
    }

    @Test func sslOnAnotherCheckPortIsNotInherited() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let api = freePort()
        // Traffic over TLS; the checks go to another port, in plain HTTP, as HAProxy sends them there.
        let usher = try UsherUnderTest(configuration(
            server: "127.0.0.1:\(nginx.port) ssl verify none port \(nginx.plainPort)", api: api, syslog: syslog.port
        ))
        defer { usher.stop() }
        let row = try await statRow(api: api, until: "L7OK")
        #expect(row["check_status"] == "L7OK" && row["status"] == "UP", "\(row)")
    }

    @Test(arguments: [("other.test", "L7OK"), ("app.test", "L6RSP")])
    func checkSNIIsSentAndVerified(name: String, expected: String) async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let api = freePort()
        // Only other.test's certificate is trusted: the check passes only if nginx was asked for it.
        let usher = try UsherUnderTest(configuration(
            server: "127.0.0.1:\(nginx.port) ssl verify required ca-file \(nginx.path("other.crt")) check-sni \(name)", api: api, syslog: syslog.port
        ))
        defer { usher.stop() }
        let row = try await statRow(api: api, until: expected)
        #expect(row["check_status"] == expected, "\(row)")
    }
}
