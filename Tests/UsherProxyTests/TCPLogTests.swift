import Foundation
import Testing

/// `option tcplog` lines, received as syslog datagrams by a UDP listener, compared field by field
/// with the line HAProxy itself sends for the same configuration and the same connection.
@Suite(.serialized)
final class TCPLogTests {
    static func configuration(port: Int, syslog: Int, backend: Int, logasap: Bool = false) -> String {
        """
        global
            log 127.0.0.1:\(syslog) local2
        defaults
            log global
            mode tcp
            option tcplog\(logasap ? "\n    option logasap" : "")
            option dontlognull
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend https-in
            bind 127.0.0.1:\(port)
            default_backend servers-ssl
        backend servers-ssl
            server server-ssl1 127.0.0.1:\(backend)
        """
    }

    /// The tcplog fields after the syslog header, with the ones that differ by nature (client port,
    /// date, timers) blanked.
    static func comparableFields(_ datagram: String) -> [String] {
        guard let start = datagram.range(of: "]: ") else { return [] }
        let fields = datagram[start.upperBound...].trimmingCharacters(in: .newlines).split(separator: " ").map(String.init)
        // client:port [date] frontend backend/server Tw/Tc/Tt bytes state ac/fc/bc/sc/rc sq/bq
        guard fields.count == 9 else { return fields }
        var result = fields
        result[0] = String(fields[0].split(separator: ":").first ?? "")  // client address without port
        result[1] = "[date]"
        result[4] = fields[4].split(separator: "/").map { $0 == "-1" ? "-1" : "t" }.joined(separator: "/")
        return result
    }

    /// One exchange: send, read the backend's answer, half-close, read to the end.
    static func exchange(port: Int) throws {
        let client = try RawClient(port: port)
        try client.send("ping")
        _ = try client.receiveLine()
        client.shutdownWrite()
        _ = try client.receiveAll()
    }

    @Test func tcplogLineIsHAProxysFormatOverSyslog() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let backend = try TCPBackend(name: "backend-answer", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let usher = try UsherUnderTest(Self.configuration(port: 0, syslog: syslog.port, backend: backend.port))
        defer { usher.stop() }
        try Self.exchange(port: usher.port("https-in"))
        let datagram = try await syslog.waitFor(" https-in servers-ssl/server-ssl1 ")
        let line = try #require(datagram)
        // <PRI> for local2 (18) and info (6) is 150; then an RFC 3164 date, the tag and pid.
        #expect(line.range(of: #"^<150>[A-Z][a-z]{2} [ 1-3][0-9] \d\d:\d\d:\d\d usher\[\d+\]: "#, options: .regularExpression) != nil, "\(line)")
        let body = String(line[line.range(of: "]: ")!.upperBound...])
        let pattern = #"^127\.0\.0\.1:\d+ \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] https-in servers-ssl/server-ssl1 \d+/\d+/\d+ 15 -- 1/1/0/0/0 0/0\n?$"#
        #expect(body.range(of: pattern, options: .regularExpression) != nil, "\(body.debugDescription)")
    }

    /// Also with `option logasap`: the line is sent once the server is connected, its total time
    /// and byte count marked `+`.
    @Test(.enabled(if: ExternalProcess.required("haproxy")), arguments: [false, true])
    func sameLineAsHAProxyForTheSameConnection(logasap: Bool) async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let backend = try TCPBackend(name: "backend-answer", behaviour: .announce, group: testGroup)
        defer { backend.stop() }

        let usherPort = freePort()
        let usher = try UsherUnderTest(Self.configuration(port: usherPort, syslog: syslog.port, backend: backend.port, logasap: logasap))
        defer { usher.stop() }
        try Self.exchange(port: usherPort)
        let usherLine = try #require(try await syslog.waitFor("usher["))

        let haproxyPort = freePort()
        let directory = NSTemporaryDirectory() + "usher-haproxy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // HAProxy 2.6 refuses a file without a final newline (usher accepts it).
        try (Self.configuration(port: haproxyPort, syslog: syslog.port, backend: backend.port, logasap: logasap) + "\n")
            .write(toFile: directory + "/haproxy.cfg", atomically: true, encoding: .utf8)
        let haproxy = try ExternalProcess.start(["haproxy", "-db", "-f", directory + "/haproxy.cfg"], logFile: directory + "/haproxy.log")
        defer {
            haproxy.terminate()
            haproxy.waitUntilExit()
        }
        #expect(waitUntilListening(haproxyPort), "haproxy: \(((try? String(contentsOfFile: directory + "/haproxy.log", encoding: .utf8)) ?? "").replacingOccurrences(of: "\n", with: " | "))")
        // The readiness probe is itself a connection: let HAProxy see it close, or it still counts
        // in the next line's active-connection figures.
        try await Task.sleep(for: .milliseconds(300))
        try Self.exchange(port: haproxyPort)
        let haproxyLine = try #require(try await syslog.waitFor("haproxy["))

        #expect(usherLine.prefix(5) == haproxyLine.prefix(5), "same priority: \(usherLine) vs \(haproxyLine)")
        #expect(Self.comparableFields(usherLine) == Self.comparableFields(haproxyLine), "usher: \(usherLine)\nhaproxy: \(haproxyLine)")
        #expect(usherLine.hasSuffix("\n") == haproxyLine.hasSuffix("\n"), "datagram endings differ")
        #expect(Self.comparableFields(usherLine).dropFirst(5).first?.hasPrefix("+") == logasap, "\(usherLine)")
    }
}
