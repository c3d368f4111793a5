import Foundation
import Testing
import UsherDemo

/// `option ssl-hello-chk`: the server must answer an SSLv3 ClientHello like an SSL/TLS server (a
/// handshake or an alert record). A real TLS service passes; a service that answers anything
/// else is marked DOWN with a Layer 6 reason, as HAProxy words it.
@Suite(.serialized)
final class HealthCheckTests {
    func configuration(server port: Int, syslog: Int) -> String {
        """
        global
            log 127.0.0.1:\(syslog) local0
        defaults
            mode tcp
            log global
            timeout connect 500ms
            timeout client 5s
            timeout server 5s
            timeout check 500ms
        frontend fe
            bind 127.0.0.1:0
            default_backend app
        backend app
            option ssl-hello-chk
            server s1 127.0.0.1:\(port) check inter 100ms fall 2 rise 2
        """
    }

    @Test func realTLSServerPassesTheSSLHelloCheck() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let certificate = try SelfSignedCertificate(names: ["tls.example"])
        let service = try StandInService.start(name: "tls", port: 0, tls: try certificate.serverTLSConfiguration(), group: testGroup)
        defer { service.stop() }
        let usher = try UsherUnderTest(configuration(server: service.port, syslog: syslog.port))
        defer { usher.stop() }
        try await Task.sleep(for: .milliseconds(600))
        #expect(!syslog.received.contains { $0.contains("is DOWN") }, "\(syslog.received)")
        let runtime = try #require(usher.server.runtime.backends.first)
        #expect(runtime.servers[0].isUp)
    }

    @Test func plainTCPServiceFailsTheSSLHelloCheck() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let plain = try TCPBackend(name: "not-tls", behaviour: .announceAndStayOpen, group: testGroup)
        defer { plain.stop() }
        let usher = try UsherUnderTest(configuration(server: plain.port, syslog: syslog.port))
        defer { usher.stop() }
        let down = try await syslog.waitFor("Server app/s1 is DOWN", timeout: 3)
        #expect(down?.contains("reason: Layer6 invalid response") == true, "\(down ?? "none")")
        // The probe the server received is an SSLv3 ClientHello: a handshake record, version 3.0.
        let probe = try #require(plain.receivedPerConnection.first { !$0.isEmpty })
        #expect(Array(probe.prefix(3)) == [0x16, 0x03, 0x00])
        #expect(probe[5] == 0x01, "handshake type client_hello")
    }

    @Test func silentServiceTimesOutAtLayer6() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        // Accepts, reads, never answers.
        let silent = try TCPBackend(name: "silent", behaviour: .bulkReply(replyBytes: 0), group: testGroup)
        defer { silent.stop() }
        let usher = try UsherUnderTest(configuration(server: silent.port, syslog: syslog.port))
        defer { usher.stop() }
        let down = try await syslog.waitFor("Server app/s1 is DOWN", timeout: 4)
        #expect(down?.contains("reason: Layer6 timeout") == true, "\(down ?? "none")")
    }
}
