import Foundation
import Testing

/// `monitor-uri`: answered 200 by the proxy itself, before the `http-request` rules and whatever
/// the backend's state, compared with HAProxy 2.6 on the same configuration (its server down).
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct MonitorURITests {
    static func configuration(port: Int, deadPort: Int) -> String {
        """
        \(TestConfigurations.httpDefaults)
        frontend fe
            bind 127.0.0.1:\(port)
            monitor-uri /health
            http-request deny if { path /health }
            default_backend be
        backend be
            server s 127.0.0.1:\(deadPort) check inter 200ms

        """
    }

    /// The status line and header names of the answer to `request`, and whether a body followed.
    static func exchange(port: Int, _ request: String) throws -> (status: String, headers: [String], body: String) {
        var lastError: Error?
        for _ in 0..<50 {
            do {
                let client = try RawClient(port: port, timeout: 5)
                try client.send(request)
                client.shutdownWrite()
                let text = String(decoding: try client.receiveAll(), as: UTF8.self)
                let parts = text.components(separatedBy: "\r\n\r\n")
                let lines = parts[0].components(separatedBy: "\r\n")
                let names = lines.dropFirst().map { $0.prefix { $0 != ":" }.lowercased() }
                return (lines[0], names, parts.dropFirst().joined(separator: "\r\n\r\n"))
            } catch {
                lastError = error
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        throw lastError!
    }

    @Test func answeredBeforeRulesWhateverTheBackend() throws {
        try #require(DifferentialSettings.haproxyAvailable, "HAProxy 2.6 (/usr/sbin/haproxy) is required (CI=true)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("usher-monitor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let deadPort = freePort()
        let haproxyPort = freePort()
        let file = directory.appendingPathComponent("haproxy.cfg").path
        try Self.configuration(port: haproxyPort, deadPort: deadPort).write(toFile: file, atomically: true, encoding: .utf8)
        let haproxy = try ExternalProcess.start(["haproxy", "-db", "-f", file], logFile: directory.appendingPathComponent("haproxy.log").path)
        defer { haproxy.terminate(); haproxy.waitUntilExit() }
        let usher = try UsherUnderTest(Self.configuration(port: freePort(), deadPort: deadPort))
        defer { usher.stop() }
        // Let both see the server down.
        Thread.sleep(forTimeInterval: 1)

        for port in [haproxyPort, usher.port("fe")] {
            let get = try Self.exchange(port: port, "GET /health HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(get.status == "HTTP/1.1 200 OK", "port \(port)")
            #expect(get.headers.contains("content-length"))
            #expect(!get.body.isEmpty)
            let head = try Self.exchange(port: port, "HEAD /health HTTP/1.0\r\n\r\n")
            #expect(head.status == "HTTP/1.1 200 OK")
            #expect(head.body.isEmpty, "HEAD: \(head.body)")
            // Not the monitor URI (the target is compared as written): the rules apply.
            let other = try Self.exchange(port: port, "GET /health?x HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(other.status == "HTTP/1.1 403 Forbidden", "port \(port)")
            let elsewhere = try Self.exchange(port: port, "GET /other HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(elsewhere.status == "HTTP/1.1 503 Service Unavailable", "port \(port)")
        }
    }
}
