import Foundation
import Testing
@testable import UsherRouting

/// `fc_pp_unique_id` and `fc_pp_authority` read from a client's PROXY v2 header, and a header whose
/// fields are malformed, through HAProxy 2.6 and usher.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct ProxyProtocolFieldDifferentialTests {
    static let template = """
        defaults
            mode http
            timeout connect 2s
            timeout client 3s
            timeout server 3s
        frontend fe
            bind 127.0.0.1:{{PORT}} accept-proxy
            http-request return status 200 content-type text/plain lf-string "id=%[fc_pp_unique_id] authority=%[fc_pp_authority] src=%[src]"
        """

    /// A v2 PROXY header from 192.0.2.1:1000 to 192.0.2.2:443 with `fields` after the addresses.
    static func header(_ fields: [(UInt8, [UInt8])], checksum: Bool = false) -> [UInt8] {
        ProxyProtocolHeader(
            source: IPAddress("192.0.2.1")!, sourcePort: 1000, destination: IPAddress("192.0.2.2")!, destinationPort: 443,
            fields: fields.map { ProxyProtocolHeader.Field(type: $0.0, value: $0.1) }
        ).encodeV2(checksum: checksum)
    }

    static func answer(_ port: Int, _ header: [UInt8]) throws -> String {
        let client = try RawClient(port: port)
        try client.send(header + Array("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".utf8))
        let response = String(decoding: (try? client.receiveAll()) ?? [], as: UTF8.self)
        return response.split(separator: "\r\n").last.map(String.init) ?? "(closed without an answer)"
    }

    @Test func sameAsHAProxy() throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        var wrongChecksum = Self.header([(0x05, Array("abc".utf8))], checksum: true)
        wrongChecksum[wrongChecksum.count - 1] ^= 0x55
        let headers: [(String, [UInt8])] = [
            ("fields", Self.header([(0x02, Array("example.com".utf8)), (0x05, Array("circuit-42".utf8))], checksum: true)),
            ("no fields", Self.header([])),
            ("wrong checksum", wrongChecksum),
            ("unique ID too long", Self.header([(0x05, [UInt8](repeating: 0x41, count: 129))])),
        ]
        var answers: [ProxyKind: [String]] = [:]
        for kind in DifferentialSettings.kinds {
            let run = try ProxyRun(kind, template: Self.template, replies: [.ok])
            defer { run.stop() }
            answers[kind] = try headers.map { "\($0.0): \(try Self.answer(run.port, $0.1))" }
        }
        let reference = try #require(answers[.haproxy])
        #expect(reference.first == "fields: id=circuit-42 authority=example.com src=192.0.2.1", "\(reference)")
        if let ours = answers[.usher] { #expect(ours == reference) }
    }
}
