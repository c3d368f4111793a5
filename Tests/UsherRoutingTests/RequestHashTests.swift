import Testing
@testable import UsherConfig
@testable import UsherRouting

/// Servers HAProxy 2.6.12 chose for the same requests and backends (read from its log), and the
/// hashes its `sdbm` converter printed.
@Suite("HTTP hash balancing")
struct RequestHashTests {
    typealias F = RoutingFixtures

    static func servers(_ weights: [Int]) -> [ServerState] {
        weights.map { ServerState(isUp: true, isBackup: false, weight: $0, activeConnections: 0, maxConnections: 0) }
    }

    func chosen(_ hash: UInt32?, weights: [Int]) -> String? {
        var balancer = ServerBalancer(algorithm: .uri(.init()), serverCount: weights.count)
        guard let hash, case .server(let index) = balancer.choose(Self.servers(weights), requestHash: hash) else { return nil }
        return "s\(index + 1)"
    }

    func get(_ target: String, _ headers: [String] = []) -> HTTPRequestHead { F.request("GET \(target) HTTP/1.1", headers) }

    @Test func sdbmIsHAProxys() {
        #expect(HashType.sdbm("hello".utf8) == 684_824_882)
        #expect(HashType.sdbm("/img/logo.png".utf8) == 1_396_255_617)
        #expect(HashType.sdbm("1wt".utf8) == 412_620_142)
        #expect(HashType.sdbm("".utf8) == 0)
    }

    /// `balance uri` over servers of weights 1, 2 and 3.
    @Test func uri() {
        let expected = [
            "/a": "s1", "/b": "s3", "/c": "s2", "/d": "s3", "/img/logo.png": "s3", "/index.html": "s1", "/x?y=1": "s3",
            "/api/v1/users": "s2", "/api/v2/users": "s3", "/zz/top": "s3", "/q": "s2", "/r": "s3",
        ]
        for (target, server) in expected {
            #expect(chosen(RequestHash.uri(get(target)), weights: [1, 2, 3]) == server, "\(target)")
        }
    }

    /// `balance uri whole depth 2 len 20` over servers of weights 2, 2 and 4.
    @Test func uriWithOptions() {
        let expected = [
            "/a/b/c/d": "s3", "/a/b/x": "s3", "/a/c?q=1": "s1", "/a/c?q=2": "s3", "/abcdefghijklmnopqrstuvwxyz": "s3",
            "/abcdefghijklmnopqrst": "s3", "/p/q": "s3", "/p/q/r": "s3", "/one": "s3", "/two": "s3",
        ]
        for (target, server) in expected {
            #expect(chosen(RequestHash.uri(get(target), whole: true, length: 20, depth: 2), weights: [2, 2, 4]) == server, "\(target)")
        }
    }

    @Test func uriKeys() {
        func key(_ target: String, whole: Bool = false, length: Int? = nil, depth: Int? = nil, pathOnly: Bool = false) -> String {
            String(decoding: RequestHash.uriKey(get(target), whole: whole, length: length, depth: depth, pathOnly: pathOnly), as: UTF8.self)
        }
        #expect(key("/a/b?c") == "/a/b")
        #expect(key("/a/b?c", whole: true) == "/a/b?c")
        #expect(key("/a/b/c/d", depth: 2) == "/a/b")
        #expect(key("/a/b/c/d", depth: 1) == "/a")
        #expect(key("/abcdef", length: 3) == "/ab")
        #expect(key("http://h.example/a?b") == "http://h.example/a")
        #expect(key("http://h.example/a?b", pathOnly: true) == "/a")
        #expect(key("*", pathOnly: true) == "")
    }

    /// `balance url_param id` over three servers; requests without the parameter are balanced
    /// round robin.
    @Test func urlParameter() {
        let expected: [String: String?] = [
            "/?id=1": "s2", "/?id=2": "s3", "/?id=3": "s1", "/?id=4": "s2", "/?id=abc": "s3", "/?x=1&id=abc": "s3", "/?id=": "s1",
            "/?idx=1": nil, "/x;id=5": nil, "/?a=b&id=42&c=d": "s1", "/?id=7": "s2", "/?id=8": "s3", "/?a=1;id=3": nil,
        ]
        for (target, server) in expected {
            #expect(chosen(RequestHash.urlParameter(get(target), name: "id"), weights: [1, 1, 1]) == server, "\(target)")
        }
    }

    /// `balance hdr(host) use_domain_only` over four servers.
    @Test func header() {
        let expected = [
            "www.example.com": "s3", "api.example.com": "s3", "example.org": "s3", "haproxy.1wt.eu": "s3", "localhost": "s4", "a.b.c.d": "s4",
            "www.other.net:8080": "s1", "x.y": "s1", "foo.bar.baz": "s4", "q.example.com": "s3", "z": "s3",
        ]
        for (host, server) in expected {
            #expect(chosen(RequestHash.header(get("/", ["Host: \(host)"]), name: "host", domainOnly: true), weights: [1, 1, 1, 1]) == server, "\(host)")
        }
        #expect(RequestHash.header(get("/"), name: "host") == nil)
        #expect(RequestHash.header(get("/", ["Host: "]), name: "host") == nil)
        #expect(RequestHash.header(get("/", ["X-User: a, b"]), name: "x-user") == HashType.sdbm("a".utf8))
        #expect(RequestHash.headerKey(get("/", ["Host: haproxy.1wt.eu"]), name: "Host", domainOnly: true).map { String(decoding: $0, as: UTF8.self) } == "1wt")
    }

    /// HAProxy's map interleaves servers by weight, after dividing weights by their common divisor.
    @Test func serverMap() {
        #expect(ServerBalancer.serverMap([(0, 1), (1, 2), (2, 3)]) == [0, 2, 1, 2, 1, 2])
        #expect(ServerBalancer.serverMap([(0, 1), (1, 1), (2, 2)]) == [0, 2, 1, 2])
        #expect(ServerBalancer.serverMap([(4, 5)]) == [4, 4, 4, 4, 4])
        #expect(ServerBalancer.serverMap([(4, 1)]) == [4])
        var balancer = ServerBalancer(algorithm: .source, serverCount: 3)
        // Weights 2, 2, 4 make the same map as 1, 1, 2.
        let picks = (UInt32(0)..<4).map { balancer.choose(Self.servers([2, 2, 4]), sourceHash: $0) }
        #expect(picks == [.server(0), .server(2), .server(1), .server(2)])
    }

    @Test func withoutAKeyTheAlgorithmRoundRobins() {
        var balancer = ServerBalancer(algorithm: .urlParameter(name: "id", checkPost: false), serverCount: 2)
        let servers = Self.servers([1, 1])
        let picks = (0..<4).map { _ in balancer.choose(servers, requestHash: nil) }
        #expect(picks == [.server(0), .server(1), .server(0), .server(1)])
    }
}
