import Foundation
import Testing

/// `maxqueue` with persistence, through HAProxy 2.6 and usher: a connection persistence sends to a
/// full server waits for that server; once `maxqueue` are waiting, the next one is refused (503),
/// or with `option redispatch` goes to another server.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct MaxQueueDifferentialTests {
    static func template(redispatch: Bool) -> String {
        """
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
            timeout queue 4s
        \(redispatch ? "    option redispatch\n" : "")frontend fe
            bind 127.0.0.1:{{PORT}}
            default_backend be
        backend be
            cookie SRV insert indirect
            server s1 {{ORIGIN0}} cookie one maxconn 1 maxqueue 1
            server s2 {{ORIGIN1}} cookie two
        """
    }

    /// Three clients whose cookie names s1, at once: s1 takes one, queues one, and the third meets
    /// a full queue. What each got (status and origin), in the order they were sent.
    func observe(_ kind: ProxyKind, redispatch: Bool) throws -> [String] {
        let slow = RecordingOrigin.Reply(body: "slow", delay: 0.6)
        let run = try ProxyRun(kind, template: Self.template(redispatch: redispatch), replies: [slow])
        defer { run.stop() }
        var clients: [RawClient] = []
        for _ in 0..<3 {
            let client = try RawClient(port: run.port)
            try client.send("GET / HTTP/1.1\r\nHost: t\r\nCookie: SRV=one\r\nConnection: close\r\n\r\n")
            clients.append(client)
            usleep(100_000)
        }
        return try clients.map { client in
            let response = String(decoding: try client.receiveAll(), as: UTF8.self)
            let status = response.split(separator: " ").dropFirst().first.map(String.init) ?? "none"
            return "\(status) \(origin(of: response) ?? "-")"
        }
    }

    @Test(arguments: [false, true])
    func sameAsHAProxy(redispatch: Bool) throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        let reference = try observe(.haproxy, redispatch: redispatch)
        #expect(reference == ["200 origin0", "200 origin0", redispatch ? "200 origin1" : "503 -"], "\(reference)")
        guard !DifferentialSettings.onlyHAProxy else { return }
        #expect(try observe(.usher, redispatch: redispatch) == reference)
    }
}
