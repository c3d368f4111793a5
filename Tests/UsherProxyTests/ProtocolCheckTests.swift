import Foundation
import Testing

/// Protocol health checks and `tcp-check` sequences end to end: for each protocol, a scripted
/// server on 127.0.0.1 that answers well (the server stays UP) and one that answers badly (it goes
/// DOWN), read from `show stat`'s `check_status`, and the same configuration and server run
/// through HAProxy 2.6, which must report the same status.
@Suite(.serialized)
final class ProtocolCheckTests {
    /// What a scripted server does with one check connection.
    typealias Script = @Sendable (RawClient) throws -> Void

    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var check: [String]
        var script: Script
        var status: String
        var up: Bool
        var testDescription: String { name }
    }

    static func configuration(check: [String], origin: Int, api: Int, port: Int) -> String {
        """
        global
            stats socket ipv4@127.0.0.1:\(api) level admin
        defaults
            mode tcp
            timeout connect 500ms
            timeout client 2s
            timeout server 2s
            timeout check 500ms
        listen app
            bind 127.0.0.1:\(port)
        \(check.map { "    " + $0 }.joined(separator: "\n"))
            server s1 127.0.0.1:\(origin) check inter 200ms fall 1 rise 1

        """
    }

    /// `app/s1`'s `check_status` (HAProxy's "* " for a check under way taken off) and `status`,
    /// once the same status has been read twice in a row after the first check (or after 4 s).
    static func settledStatus(api: Int) async throws -> (check: String, status: String, row: [String: String]) {
        var last = ""
        var row: [String: String] = [:]
        for _ in 0..<40 {
            try await Task.sleep(for: .milliseconds(100))
            guard let answer = try? RuntimeAPIClient.ask(port: api, "show stat") else { continue }
            row = statTable(answer)["app/s1"] ?? [:]
            var status = row["check_status"] ?? ""
            if status.hasPrefix("* ") { status.removeFirst(2) }
            if status == last, !status.isEmpty, status != "INI" { return (status, row["status"] ?? "", row) }
            last = status
        }
        return (last, row["status"] ?? "", row)
    }

    static func waitForClose(_ client: RawClient) {
        _ = client.isClosedByPeer(within: 2)
    }

    // MARK: - Protocol bytes for the scripted servers

    static func mysqlPacket(_ payload: [UInt8], sequence: UInt8) -> [UInt8] {
        [UInt8(payload.count & 0xFF), UInt8(payload.count >> 8), 0, sequence] + payload
    }

    static let mysqlGreeting = mysqlPacket(
        [10] + Array("8.0.36-scripted".utf8) + [0] + [7, 0, 0, 0] + Array("abcdefgh".utf8) + [0, 0xFF, 0xF7, 0x21, 0x02, 0x00, 0xFF, 0xC1, 21]
            + [UInt8](repeating: 0, count: 10) + Array("ijklmnopqrst".utf8) + [0] + Array("mysql_native_password".utf8) + [0],
        sequence: 0
    )

    static func mysqlError(_ number: UInt16, _ message: String, sequence: UInt8) -> [UInt8] {
        mysqlPacket([0xFF, UInt8(number & 0xFF), UInt8(number >> 8)] + Array("#HY000".utf8) + Array(message.utf8), sequence: sequence)
    }

    static func pgsqlMessage(_ type: Character, _ body: [UInt8]) -> [UInt8] {
        let length = body.count + 4
        return [UInt8(ascii: type.unicodeScalars.first!), 0, 0, UInt8(length >> 8), UInt8(length & 0xFF)] + body
    }

    /// Reads a whole PostgreSQL StartupMessage.
    static func readStartup(_ client: RawClient) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < 4 || bytes.count < Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3]) {
            let chunk = try client.receive(maximum: 512)
            if chunk.isEmpty { break }
            bytes += chunk
        }
        return bytes
    }

    static func ldapResponse(_ result: UInt8) -> [UInt8] {
        [0x30, 0x0C, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0A, 0x01, result, 0x04, 0x00, 0x04, 0x00]
    }

    static let scenarios: [Scenario] = [
        Scenario(name: "redis answers +PONG", check: ["option redis-check"], script: { c in
            _ = try c.receive(maximum: 64)
            try c.send("+PONG\r\n")
            waitForClose(c)
        }, status: "L7OK", up: true),
        Scenario(name: "redis is loading", check: ["option redis-check"], script: { c in
            _ = try c.receive(maximum: 64)
            try c.send("-LOADING Redis is loading the dataset in memory\r\n")
        }, status: "L7STS", up: false),
        Scenario(name: "smtp says 220, 250, 221", check: ["option smtpchk EHLO check.test"], script: { c in
            try c.send("220 mx.test ESMTP\r\n")
            _ = try c.receiveLine()
            try c.send("250-mx.test\r\n250 OK\r\n")
            _ = try c.receiveLine()
            try c.send("221 bye\r\n")
            waitForClose(c)
        }, status: "L7OK", up: true),
        Scenario(name: "smtp refuses", check: ["option smtpchk"], script: { c in
            try c.send("554 go away\r\n")
        }, status: "L7STS", up: false),
        Scenario(name: "mysql greets", check: ["option mysql-check"], script: { c in
            try c.send(mysqlGreeting)
            waitForClose(c)
        }, status: "L7OK", up: true),
        Scenario(name: "mysql login accepted", check: ["option mysql-check user haproxy"], script: { c in
            try c.send(mysqlGreeting)
            _ = try c.receive(maximum: 512)
            try c.send(mysqlPacket([0, 0, 0, 2, 0, 0, 0], sequence: 2))
            waitForClose(c)
        }, status: "L7OK", up: true),
        Scenario(name: "mysql host blocked", check: ["option mysql-check user haproxy"], script: { c in
            try c.send(mysqlError(1129, "Host '127.0.0.1' is blocked because of many connection errors", sequence: 0))
        }, status: "L7STS", up: false),
        Scenario(name: "pgsql trusts the user", check: ["option pgsql-check user postgres"], script: { c in
            _ = try readStartup(c)
            try c.send(pgsqlMessage("R", [0, 0, 0, 0]) + pgsqlMessage("Z", [UInt8(ascii: "I")]))
            waitForClose(c)
        }, status: "L7OK", up: true),
        Scenario(name: "pgsql role missing", check: ["option pgsql-check user nobody"], script: { c in
            _ = try readStartup(c)
            try c.send(pgsqlMessage("E", Array("SFATAL\0C28000\0Mrole \"nobody\" does not exist\0\0".utf8)))
        }, status: "L7RSP", up: false),
        Scenario(name: "ldap bind succeeds", check: ["option ldap-check"], script: { c in
            _ = try c.receive(maximum: 64)
            try c.send(ldapResponse(0))
            waitForClose(c)
        }, status: "L7OK", up: true),
        Scenario(name: "ldap speaks something else", check: ["option ldap-check"], script: { c in
            _ = try c.receive(maximum: 64)
            try c.send("+OK POP3 ready\r\n")
        }, status: "L7RSP", up: false),
        Scenario(name: "tcp-check banner and PING", check: [
            "option tcp-check", #"tcp-check expect string +OK"#, #"tcp-check send PING\r\n"#, "tcp-check expect string +PONG",
        ], script: { c in
            try c.send("+OK ready\r\n")
            _ = try c.receive(maximum: 64)
            try c.send("+PONG\r\n")
            waitForClose(c)
        }, status: "L7OK", up: true),
        Scenario(name: "tcp-check wrong banner", check: ["option tcp-check", "tcp-check expect string +OK"], script: { c in
            try c.send("-ERR no\r\n")
        }, status: "L7RSP", up: false),
        Scenario(name: "tcp-check second connect refused", check: [
            "option tcp-check", "tcp-check connect", "tcp-check expect string +OK", "tcp-check connect port 1",
        ], script: { c in
            try c.send("+OK ready\r\n")
            waitForClose(c)
        }, status: "L4CON", up: false),
        Scenario(name: "tcp-check silent server", check: ["option tcp-check", "tcp-check expect string +OK"], script: { c in
            waitForClose(c)
        }, status: "L7TOUT", up: false),
    ]

    @Test(arguments: scenarios)
    func usher(_ scenario: Scenario) async throws {
        let origin = try ScriptedOrigin(timeout: 5, script: scenario.script)
        defer { origin.stop() }
        let api = freePort()
        let usher = try UsherUnderTest(Self.configuration(check: scenario.check, origin: origin.port, api: api, port: 0))
        defer { usher.stop() }
        let (check, status, row) = try await Self.settledStatus(api: api)
        #expect(check == scenario.status, "\(row)")
        #expect(status == (scenario.up ? "UP" : "DOWN"), "\(row)")
    }

    /// The same configuration and scripted server through HAProxy 2.6: the same status.
    @Test(.enabled(if: ExternalProcess.required("haproxy")), arguments: scenarios)
    func haproxy(_ scenario: Scenario) async throws {
        let origin = try ScriptedOrigin(timeout: 5, script: scenario.script)
        defer { origin.stop() }
        let api = freePort()
        let directory = try ScratchDirectory()
        let file = try directory.write("haproxy.cfg", Self.configuration(check: scenario.check, origin: origin.port, api: api, port: freePort()))
        let process = try ExternalProcess.start(["haproxy", "-db", "-f", file], logFile: directory.path + "/haproxy.log")
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let (check, status, row) = try await Self.settledStatus(api: api)
        #expect(check == scenario.status, "\(row)")
        #expect(status == (scenario.up ? "UP" : "DOWN"), "\(row)")
    }
}
