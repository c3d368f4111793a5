import Foundation
import Testing
import UsherTestSupport

/// Variables end to end in usher alone, over real sockets: mode tcp (a server name kept in `txn`
/// chooses the backend and is logged), the process-wide scope shared by connections (and set
/// first by `global`), a session's limit. The HTTP behaviours HAProxy 2.6 shows too are compared
/// with it in `VariableDifferentialTests`.
@Suite(.serialized)
final class VariablesEndToEndTests {
    static let defaults = """
        defaults
            log global
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        """

    static func hello(_ name: String) -> [UInt8] {
        var builder = ClientHelloBuilder()
        builder.serverNames = [name]
        return builder.bytes()
    }

    @Test func tcpModeRoutesAndLogsByVariables() async throws {
        let syslog = try UnixSyslogCollector()
        defer { syslog.stop() }
        let alpha = try TCPBackend(name: "alpha", behaviour: .announce, group: testGroup)
        defer { alpha.stop() }
        let other = try TCPBackend(name: "other", behaviour: .announce, group: testGroup)
        defer { other.stop() }
        let usher = try UsherUnderTest("""
            global
                log unix@\(syslog.path) local0
                set-var proc.edition str(e1)
            \(Self.defaults)
                mode tcp
            frontend tls
                bind 127.0.0.1:0
                log-format "sni=%[var(txn.sni)] client=%[var(sess.client)] edition=%[var(proc.edition)] %b %ts"
                tcp-request connection set-var(sess.client) src
                tcp-request inspect-delay 2s
                tcp-request content set-var(txn.sni) req.ssl_sni,lower
                tcp-request content accept if { req.ssl_hello_type 1 }
                use_backend %[var(txn.sni)] if { var(txn.sni) -m found }
                default_backend other
            backend alpha.example
                server s 127.0.0.1:\(alpha.port)
            backend other
                server s 127.0.0.1:\(other.port)
            """)
        defer { usher.stop() }
        let client = try RawClient(port: usher.port("tls"))
        try client.send(Self.hello("ALPHA.example"))
        #expect(try client.receiveLine() == "alpha")
        let plain = try RawClient(port: usher.port("tls"))
        try plain.send(Self.hello("beta.example"))
        #expect(try plain.receiveLine() == "other")
        client.shutdownWrite()
        plain.shutdownWrite()
        _ = try? client.receiveAll()
        _ = try? plain.receiveAll()
        let lines = try await syslog.waitFor(2, containing: "sni=")
        #expect(lines.contains { $0.contains("sni=alpha.example client=127.0.0.1 edition=e1 alpha.example --") }, "\(lines)")
        #expect(lines.contains { $0.contains("sni=beta.example client=127.0.0.1 edition=e1 other --") }, "\(lines)")
    }

    @Test func processVariablesAreSharedAcrossConnections() throws {
        let usher = try UsherUnderTest("""
            global
                set-var proc.edition str(e1)
            \(Self.defaults)
                mode http
            frontend fe
                bind 127.0.0.1:0
                http-request set-var(proc.last) req.hdr(x-name) if { req.hdr(x-name) -m found }
                http-request set-var(proc.count) var(proc.count,0),add(1)
                http-request return status 200 content-type text/plain lf-string "last=%[var(proc.last)] count=%[var(proc.count)] edition=%[var(proc.edition)]"
            """)
        defer { usher.stop() }
        func get(_ fields: String = "") throws -> String {
            let client = try RawClient(port: usher.port("fe"))
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n\(fields)Connection: close\r\n\r\n")
            let response = String(decoding: try client.receiveAll(), as: UTF8.self)
            return String(response.split(separator: "\r\n\r\n", maxSplits: 1).last ?? "")
        }
        #expect(try get("X-Name: ann\r\n") == "last=ann count=1 edition=e1")
        #expect(try get() == "last=ann count=2 edition=e1")
        #expect(try get("X-Name: bob\r\n") == "last=bob count=3 edition=e1")
    }

    /// `tune.vars.sess-max-size`: a session holds no more than that; another connection starts
    /// afresh.
    @Test func sessionLimitHolds() throws {
        let usher = try UsherUnderTest("""
            global
                tune.vars.sess-max-size 200
            \(Self.defaults)
                mode http
            frontend fe
                bind 127.0.0.1:0
                http-request set-var(sess.n) var(sess.n,0),add(1)
                http-request set-var-fmt(sess.kept) "%[var(sess.kept)]%[req.hdr(x-more)]"
                http-request return status 200 content-type text/plain lf-string "n=%[var(sess.n)] kept=%[var(sess.kept),length]"
            """)
        defer { usher.stop() }
        let client = try RawClient(port: usher.port("fe"))
        var bodies: [String] = []
        for _ in 0..<3 {
            try client.send("GET / HTTP/1.1\r\nHost: x\r\nX-More: \(String(repeating: "m", count: 20))\r\n\r\n")
            bodies.append(try Self.body(of: client))
        }
        // n (80) + kept (80 + 20) fits in 200; kept of 40 too (200); of 60 not: kept is gone.
        #expect(bodies == ["n=1 kept=20", "n=2 kept=40", "n=3 kept="], "\(bodies)")
    }

    /// The body of the next response on `client` (framed by its Content-Length).
    static func body(of client: RawClient) throws -> String {
        var bytes: [UInt8] = []
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) {
                let head = String(decoding: bytes[..<end], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").compactMap { line -> Int? in
                    line.hasPrefix("content-length:") ? Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) : nil
                }.first ?? 0
                if bytes.count >= end + 4 + length {
                    return String(decoding: bytes[(end + 4)..<(end + 4 + length)], as: UTF8.self)
                }
            }
            let chunk = try client.receive()
            guard !chunk.isEmpty else { return "" }
            bytes += chunk
        }
    }
}
