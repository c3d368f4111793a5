import Foundation
import Testing

/// The hashing `balance` algorithms under every `hash-type`, differentially: the same requests
/// through HAProxy 2.6 and usher with the same configuration must reach the same servers. Each
/// server is its own origin, which names itself in `X-Origin`.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct HashBalancingDifferentialTests {
    /// A backend of five servers of unequal weights; `{{SERVERS}}` lets a case take one out.
    static func template(balance: String, hashType: String, removed: String? = nil, extra: String = "", ids: [Int?] = []) -> String {
        let weights = [("s1", 1), ("s2", 3), ("s3", 2), ("s4", 1), ("s5", 4)]
        let servers = weights.enumerated().map { index, server in
            let id = index < ids.count ? ids[index].map { " id \($0)" } ?? "" : ""
            return "    server \(server.0) {{ORIGIN\(index)}} weight \(server.1)\(id)\(server.0 == removed ? " disabled" : "")"
        }.joined(separator: "\n")
        return """
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:{{PORT}}
            default_backend be
        backend be
            balance \(balance)
            \(hashType)
        \(extra)
        \(servers)
        """
    }

    /// The requests each case sends: a path, a header, a query parameter and a client address
    /// (for `balance source`, one of 127.0.0.0/8) that vary together.
    static let keys = (0..<120).map { "k\($0 * 7919 % 1000)-\($0)" }

    static func request(_ key: String) -> (path: String, headers: String) {
        ("/\(key)/page?id=\(key)", "X-User: \(key)\r\n")
    }

    static func source(_ key: String) -> String {
        let number = Int(key.dropFirst().prefix(while: \.isNumber)) ?? 0
        return "127.\(number % 7).\(number / 4).\(number % 250 + 1)"
    }

    /// Which server each key reached through `kind`.
    static func servers(_ kind: ProxyKind, _ template: String) throws -> [String: String] {
        let run = try ProxyRun(kind, template: template, replies: [.ok("ok")])
        defer { run.stop() }
        var chosen: [String: String] = [:]
        for key in keys {
            let (path, headers) = request(key)
            let client = try RawClient(port: run.port, source: source(key))
            try client.send("GET \(path) HTTP/1.1\r\nHost: test\r\n\(headers)Connection: close\r\n\r\n")
            let response = String(decoding: try client.receiveAll(), as: UTF8.self)
            chosen[key] = origin(of: response).map { "s\(Int($0.dropFirst("origin".count))! + 1)" } ?? "none: \(response.prefix(60))"
        }
        return chosen
    }

    static func compare(_ template: String, _ label: String, spread: Bool = true) throws -> [String: String] {
        let reference = try servers(.haproxy, template)
        // (Addresses are close together: without avalanche, consistent hashing may put them all on one server.)
        #expect(!spread || Set(reference.values).count >= 3, "\(label): HAProxy spread the keys over \(Set(reference.values).sorted())")
        #expect(reference.values.allSatisfy { $0.hasPrefix("s") }, "\(label): HAProxy answered \(Set(reference.values))")
        guard !DifferentialSettings.onlyHAProxy else { return reference }
        let ours = try servers(.usher, template)
        let differing = keys.filter { reference[$0] != ours[$0] }
        #expect(differing.isEmpty, "\(label): \(differing.count) of \(keys.count) keys differ, e.g. \(differing.prefix(5).map { "\($0): HAProxy \(reference[$0]!), usher \(ours[$0]!)" })")
        return reference
    }

    static let cases: [(balance: String, extra: String)] = [
        ("uri", ""), ("uri whole", ""), ("url_param id", ""), ("hdr(X-User)", ""), ("source", ""),
    ]

    static let hashTypes = [
        "hash-type consistent", "hash-type consistent sdbm", "hash-type consistent djb2 avalanche", "hash-type consistent wt6",
        "hash-type consistent crc32", "hash-type map-based", "hash-type map-based djb2", "hash-type map-based sdbm avalanche",
        "hash-type map-based wt6 avalanche", "",
    ]

    @Test(arguments: hashTypes)
    func sameServerPerKey(_ hashType: String) throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        for (balance, extra) in Self.cases {
            _ = try Self.compare(Self.template(balance: balance, hashType: hashType, extra: extra), "balance \(balance) \(hashType)", spread: balance != "source")
        }
    }

    /// A server's `id` places its points on the ring; servers without one are numbered around the
    /// ids taken, as HAProxy numbers them.
    @Test func serverIDsPlaceThePoints() throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        for ids in [[10, 3, nil, 7, nil], [nil, 1, nil, 2, nil]] as [[Int?]] {
            _ = try Self.compare(Self.template(balance: "uri", hashType: "hash-type consistent", ids: ids), "ids \(ids)")
        }
    }

    /// Consistent hashing: with one server out, the keys it had go elsewhere — to the same servers
    /// as in HAProxy — and every other key stays where it was.
    @Test(arguments: ["uri", "hdr(X-User)"])
    func onlyTheRemovedServersKeysMove(_ balance: String) throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        let before = try Self.compare(Self.template(balance: balance, hashType: "hash-type consistent"), "all servers")
        let after = try Self.compare(Self.template(balance: balance, hashType: "hash-type consistent", removed: "s5"), "s5 disabled")
        let moved = Self.keys.filter { before[$0] != after[$0] }
        #expect(!moved.isEmpty)
        #expect(moved.allSatisfy { before[$0] == "s5" }, "moved although not on s5: \(moved.filter { before[$0] != "s5" })")
        #expect(Self.keys.filter { before[$0] == "s5" }.allSatisfy { after[$0] != "s5" })
    }
}
