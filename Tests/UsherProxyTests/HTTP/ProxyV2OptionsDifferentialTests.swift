import Foundation
import Testing

/// `send-proxy-v2 proxy-v2-options unique-id,authority,crc32c` to a proxy of the same kind that
/// reads the fields back (`fc_pp_unique_id`), as HAProxy's regression test of the unique ID field
/// does: each request's own ID arrives, also on a kept-alive client connection.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct ProxyV2OptionsDifferentialTests {
    static func template(receiver: Int) -> String {
        """
        defaults
            mode http
            timeout connect 2s
            timeout client 3s
            timeout server 3s
            unique-id-format %{+X}o\\ TEST-%[req.hdr(in)]
        listen sender
            bind 127.0.0.1:{{PORT}}
            unique-id-header unique_id
            server example 127.0.0.1:\(receiver) send-proxy-v2 proxy-v2-options unique-id,authority,crc32c
        listen receiver
            bind 127.0.0.1:\(receiver) accept-proxy
            http-request set-var(txn.http_unique_id) req.hdr(unique_id)
            http-request set-var(txn.proxy_unique_id) fc_pp_unique_id
            http-after-response set-header http_unique_id %[var(txn.http_unique_id)]
            http-after-response set-header proxy_unique_id %[var(txn.proxy_unique_id)]
            http-after-response set-header authority "%[fc_pp_authority]"
            http-request return status 200
        """
    }

    func observe(_ kind: ProxyKind) throws -> [String] {
        let run = try ProxyRun(kind, template: Self.template(receiver: freePort()), replies: [.ok])
        defer { run.stop() }
        let client = try RawClient(port: run.port)
        var seen: [String] = []
        for value in ["foo", "bar"] {
            try client.send("GET / HTTP/1.1\r\nHost: t\r\nin: \(value)\r\n\r\n")
            var response = ""
            while !response.contains("\r\n\r\n") { response += String(decoding: try client.receive(), as: UTF8.self) }
            seen.append(response.split(separator: "\r\n").filter { $0.contains("unique_id") || $0.lowercased().hasPrefix("authority") }.map { $0.lowercased() }.sorted().joined(separator: " | "))
        }
        return seen
    }

    @Test func eachRequestCarriesItsOwnID() throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        let reference = try observe(.haproxy)
        #expect(reference == ["authority:  | http_unique_id: test-foo | proxy_unique_id: test-foo", "authority:  | http_unique_id: test-bar | proxy_unique_id: test-bar"])
        guard !DifferentialSettings.onlyHAProxy else { return }
        #expect(try observe(.usher) == reference)
    }
}
