import Testing
@testable import UsherConfig

/// `hash-type`, `hash-balance-factor` and `balance random`.
@Suite struct BalanceHashTypeTests {
    func backend(_ lines: [String]) throws -> Proxy {
        let outcome = parseHTTPBackend(lines)
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        return try #require(outcome.configuration?.proxies.first { $0.name == "be" })
    }

    @Test func forms() throws {
        #expect(try backend(["balance uri"]).hashType == HashType(method: .mapBased, function: .sdbm, avalanche: false))
        #expect(try backend(["hash-type consistent"]).hashType == HashType(method: .consistent, function: .sdbm, avalanche: true))
        #expect(try backend(["hash-type consistent sdbm"]).hashType == HashType(method: .consistent, function: .sdbm, avalanche: false))
        #expect(try backend(["hash-type map-based wt6 avalanche"]).hashType == HashType(method: .mapBased, function: .wt6, avalanche: true))
        #expect(try backend(["hash-type consistent crc32"]).hashType.function == .crc32)
        #expect(try backend(["hash-balance-factor 150"]).hashBalanceFactor == 150)
        #expect(try backend(["balance random"]).balance == .random(draws: 2))
        #expect(try backend(["balance random(5)"]).balance == .random(draws: 5))
    }

    @Test func inheritedFromDefaults() throws {
        let outcome = parse(quietDefaults + "\n    hash-type consistent djb2\nbackend be\n    server s 127.0.0.1:80\n")
        let proxy = try #require(outcome.configuration?.proxies.first { $0.name == "be" })
        #expect(proxy.hashType == HashType(method: .consistent, function: .djb2, avalanche: false))
    }

    @Test(arguments: [
        ("hash-type", "expects"), ("hash-type rings", "only supports 'consistent' and 'map-based'"),
        ("hash-type avalanche", "no longer supported"), ("hash-type consistent md5", "sdbm, djb2, wt6 and crc32"),
        ("hash-type consistent sdbm fast", "'avalanche'"), ("hash-balance-factor 50", "0 or greater than 100"),
        ("balance random(0)", "at least 1"), ("balance random(x", "random(DRAWS)"),
    ])
    func errors(_ line: String, _ message: String) throws {
        try parseHTTPBackend([line]).expectSingleAlert(line: 8, [message])
    }
}

/// `server … id N` and the numbers of servers without one.
@Suite struct ServerIdentifierTests {
    @Test func numbersFollowHAProxysRule() throws {
        let outcome = parseHTTP("backend be", [
            "server a 127.0.0.1:1 id 3", "server b 127.0.0.1:2", "server c 127.0.0.1:3 id 1", "server d 127.0.0.1:4", "server e 127.0.0.1:5",
        ])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        // a takes 3; b, counting from its position 2, takes 2; c takes 1; d, from 4, takes 4; e 5.
        #expect(try outcome.proxy("be").serverNumbers == [3, 2, 1, 4, 5])
        let gaps = parseHTTP("backend be", ["server a 127.0.0.1:1", "server b 127.0.0.1:2 id 2", "server c 127.0.0.1:3", "server d 127.0.0.1:4 id 9"])
        #expect(try gaps.proxy("be").serverNumbers == [1, 2, 3, 9])
    }

    @Test func duplicatesAndDefaultServerAreRefused() throws {
        try parseHTTP("backend be", ["server a 127.0.0.1:1 id 4", "server b 127.0.0.1:2 id 4"]).expectSingleAlert(line: 8, ["server 'b' has id 4", "server 'a'"])
        try parseHTTP("backend be", ["default-server id 4"]).expectSingleAlert(line: 7, ["'id' cannot be set on a 'default-server' line"])
        try parseHTTP("backend be", ["server a 127.0.0.1:1 id 0"]).expectSingleAlert(line: 7, ["'id' expects an integer from 1"])
    }
}

/// `compression algo|type|offload`.
@Suite struct CompressionConfigTests {
    @Test func linesAddUp() throws {
        let outcome = parseHTTPBackend(["compression algo gzip", "compression algo raw-deflate identity", "compression type text/html text/plain", "compression offload"])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(try outcome.proxy("be").settings.compression == HTTPCompression(algorithms: [.gzip, .rawDeflate, .identity], types: ["text/html", "text/plain"], offload: true))
    }

    @Test func offloadInDefaultsIsIgnoredWithAWarning() throws {
        let outcome = parse(httpDefaults + "    compression offload\n    compression algo gzip\nbackend be\n    server s 127.0.0.1:80\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.warnings.map(\.message).contains("'compression offload' is ignored in a defaults section"))
        #expect(try outcome.proxy("be").settings.compression == HTTPCompression(algorithms: [.gzip]))
    }

    @Test(arguments: [
        ("compression", "'algo', 'type' or 'offload'"), ("compression algo", "at least one algorithm"), ("compression algo br", "unknown algorithm 'br'"),
        ("compression type", "at least one content type"), ("compression offload now", "unexpected 'now'"), ("compression level 9", "not 'level'"),
    ])
    func errors(_ line: String, _ needle: String) throws {
        try parseHTTPBackend([line]).expectSingleAlert(line: 8, [needle])
    }

    @Test func effectiveSettingsPreferTheBackend() {
        let frontend = HTTPCompression(algorithms: [.gzip], types: ["text/html"], offload: true)
        #expect(HTTPCompression.effective(backend: nil, frontend: frontend) == frontend)
        #expect(HTTPCompression.effective(backend: HTTPCompression(algorithms: [.deflate]), frontend: frontend) == HTTPCompression(algorithms: [.deflate], types: ["text/html"], offload: true))
        #expect(HTTPCompression.effective(backend: HTTPCompression(types: ["a/b"]), frontend: nil) == nil)
    }
}
