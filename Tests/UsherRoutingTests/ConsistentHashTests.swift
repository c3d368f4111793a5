import Testing
@testable import UsherConfig
@testable import UsherRouting

/// The hash functions of `hash-type`, the consistent-hash ring and `balance random`.
@Suite struct ConsistentHashTests {
    /// What HAProxy 2.6.12's `sdbm`, `djb2`, `wt6` and `crc32` converters printed for these paths,
    /// without and with their avalanche argument (`%[path,sdbm] %[path,sdbm(1)]` …).
    static let reference: [(String, [UInt32])] = [
        ("/hello", [989_295_555, 1_834_512_933, 2_098_506_440, 2_417_624_115, 3_461_469_480, 3_418_767_242, 3_070_904_283, 1_413_357_613]),
        ("/img/logo.png", [1_396_255_617, 2_556_399_353, 3_813_602_436, 2_301_779_308, 2_589_170_451, 1_895_340_771, 321_868_694, 3_363_016_185]),
        ("/1wt", [2_740_480_127, 1_026_352_158, 2_088_220_048, 3_597_733_482, 91_881_997, 920_667_568, 3_416_962_503, 395_634_163]),
        ("/a/b/c/d", [3_839_203_278, 4_108_822_546, 2_068_163_787, 224_633_603, 2_372_459_709, 3_391_447_006, 2_545_822_769, 701_909_574]),
        ("/x", [3_083_273, 2_340_802_059, 5_861_580, 342_106_108, 716_716_519, 942_199_989, 219_927_452, 3_632_322_558]),
        ("/", [47, 2_118_074_832, 177_620, 3_725_504_903, 1_886_637_733, 2_250_254_464, 2_043_925_204, 2_724_628_003]),
    ]

    @Test func hashFunctionsAreHAProxys() {
        for (text, expected) in Self.reference {
            var got: [UInt32] = []
            for function in [HashType.Function.sdbm, .djb2, .wt6, .crc32] {
                got.append(HashType(function: function).hash(text.utf8))
                got.append(HashType(function: function, avalanche: true).hash(text.utf8))
            }
            #expect(got == expected, "\(text)")
        }
    }

    static func up(_ weight: Int = 1, connections: Int = 0, maxconn: Int = 0) -> ServerState {
        ServerState(isUp: true, isBackup: false, weight: weight, activeConnections: connections, maxConnections: maxconn)
    }

    static let consistent = HashType(method: .consistent, function: .sdbm, avalanche: true)

    func owners(_ servers: [ServerState], keys: Range<Int>, factor: Int = 0) -> [Int] {
        var balancer = ServerBalancer(algorithm: .uri(.init()), serverCount: servers.count, hashType: Self.consistent, balanceFactor: factor)
        return keys.map { key in
            guard case .server(let index) = balancer.choose(servers, requestHash: Self.consistent.hash("/\(key)".utf8)) else { return -1 }
            return index
        }
    }

    @Test func ringHasSixteenPointsPerWeightInOrder() {
        let ring = ConsistentHashRing([(0, 1, 1), (1, 2, 3)])
        #expect(ring.points.count == 64)
        #expect(ring.points.filter { $0.server == 1 }.count == 48)
        #expect(zip(ring.points, ring.points.dropFirst()).allSatisfy { $0.key <= $1.key })
        #expect(ring.points.contains(.init(key: HashType.fullAvalanche(4096 * 2 + 47), server: 1)))
    }

    @Test func nearestPointEitherSideWithWrapAround() {
        var ring = ConsistentHashRing([])
        ring = ConsistentHashRing([(0, 1, 1)])
        // Every hash lands somewhere, the lowest and highest included.
        #expect(ring.server(at: ring.nearest(to: 0)) == 0)
        #expect(ring.server(at: ring.nearest(to: .max)) == 0)
        let two = ConsistentHashRing([(0, 1, 1), (1, 2, 1)])
        for (position, point) in two.points.enumerated() {
            #expect(two.nearest(to: point.key) == position || two.points[two.nearest(to: point.key)].key == point.key)
            // Just past a point, that point is nearer than the next one unless they are adjacent.
            let next = two.points[two.following(position)]
            if next.key &- point.key > 4 {
                #expect(two.server(at: two.nearest(to: point.key &+ 1)) == point.server)
                #expect(two.server(at: two.nearest(to: next.key &- 1)) == next.server)
            }
        }
    }

    @Test func onlyTheDepartedServersKeysMove() {
        let all = [Self.up(1), Self.up(3), Self.up(2), Self.up(1)]
        let before = owners(all, keys: 0..<2000)
        var without = all
        without[1].isUp = false
        let after = owners(without, keys: 0..<2000)
        for key in 0..<2000 where before[key] != 1 {
            #expect(after[key] == before[key], "key \(key) moved from \(before[key]) to \(after[key])")
        }
        #expect(before.filter { $0 == 1 }.count > 700, "server 1 holds 3/7 of the weight")
        #expect(after.allSatisfy { $0 != 1 && $0 >= 0 })
        // And back: the keys return.
        #expect(owners(all, keys: 0..<2000) == before)
    }

    @Test func weightSharesTheKeys() {
        let counts = owners([Self.up(1), Self.up(4)], keys: 0..<5000).reduce(into: [0, 0]) { $0[$1] += 1 }
        #expect(counts[1] > counts[0] * 2, "\(counts)")
    }

    @Test func aFullServerQueuesItsKeys() {
        let servers = [Self.up(1, connections: 1, maxconn: 1), Self.up(1)]
        var balancer = ServerBalancer(algorithm: .uri(.init()), serverCount: 2, hashType: Self.consistent)
        let decisions = (0..<200).map { balancer.choose(servers, requestHash: Self.consistent.hash("/\($0)".utf8)) }
        #expect(decisions.contains(.queue))
        #expect(decisions.contains(.server(1)))
        #expect(!decisions.contains(.server(0)))
    }

    /// `hash-balance-factor 150`: a server above 1.5 times its share hands its keys on.
    @Test func boundedLoadPassesKeysOn() {
        let busy = [Self.up(1, connections: 10), Self.up(1), Self.up(1)]
        let bounded = owners(busy, keys: 0..<300, factor: 150)
        #expect(!bounded.contains(0))
        let unbounded = owners(busy, keys: 0..<300)
        #expect(unbounded.contains(0))
        // Keys of the other servers stay put.
        for key in 0..<300 where unbounded[key] != 0 {
            #expect(bounded[key] == unbounded[key])
        }
        // Even load: nobody is over its bound, nothing moves.
        let even = [Self.up(1, connections: 2), Self.up(1, connections: 2), Self.up(1, connections: 2)]
        #expect(owners(even, keys: 0..<300, factor: 150) == owners(even, keys: 0..<300))
    }

    @Test func randomPicksTheLessLoadedOfItsDraws() {
        var balancer = ServerBalancer(algorithm: .random(draws: 2), serverCount: 2)
        let ring = ConsistentHashRing([(0, 1, 1), (1, 2, 1)])
        let onServer0 = ring.points.first { $0.server == 0 }!.key
        let onServer1 = ring.points.first { $0.server == 1 }!.key
        let sequence = SequenceBox([onServer0, onServer1, onServer1, onServer0])
        balancer.randomPoint = { sequence.next() }
        let servers = [Self.up(1, connections: 5), Self.up(1, connections: 1)]
        #expect(balancer.choose(servers) == .server(1))
        #expect(balancer.choose(servers) == .server(1))
        var single = ServerBalancer(algorithm: .random(draws: 1), serverCount: 2)
        single.randomPoint = { onServer0 }
        #expect(single.choose(servers) == .server(0))
        // Spread over many draws.
        var spread = ServerBalancer(algorithm: .random(draws: 2), serverCount: 3)
        let picks = (0..<300).compactMap { _ -> Int? in
            if case .server(let index) = spread.choose([Self.up(), Self.up(), Self.up()]) { return index }
            return nil
        }
        #expect(Set(picks) == [0, 1, 2])
    }
}

/// A shared cursor over values, for a `@Sendable` closure in a test.
final class SequenceBox: @unchecked Sendable {
    private var values: [UInt32]
    private var index = 0
    init(_ values: [UInt32]) { self.values = values }
    func next() -> UInt32 {
        defer { index += 1 }
        return values[index % values.count]
    }
}
