import Testing
@testable import UsherConfig
@testable import UsherRouting

@Suite("Server selection")
struct ServerBalancerTests {
    static func up(_ weight: Int = 1, backup: Bool = false, connections: Int = 0, maxconn: Int = 0) -> ServerState {
        ServerState(isUp: true, isBackup: backup, weight: weight, activeConnections: connections, maxConnections: maxconn)
    }

    static func down(_ weight: Int = 1, backup: Bool = false) -> ServerState {
        ServerState(isUp: false, isBackup: backup, weight: weight, activeConnections: 0, maxConnections: 0)
    }

    func picks(_ algorithm: BalanceAlgorithm, _ servers: [ServerState], count: Int, allBackups: Bool = false) -> [Int] {
        var balancer = ServerBalancer(algorithm: algorithm, serverCount: servers.count, useAllBackups: allBackups)
        return (0..<count).map { _ in
            guard case .server(let index) = balancer.choose(servers) else { return -1 }
            return index
        }
    }

    func tally(_ picks: [Int]) -> [Int: Int] {
        picks.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    // MARK: - roundrobin

    @Test func roundRobinFollowsWeights() {
        let chosen = picks(.roundRobin, [Self.up(3), Self.up(1)], count: 400)
        #expect(tally(chosen) == [0: 300, 1: 100])
    }

    @Test func roundRobinInterleavesSmoothly() {
        let chosen = picks(.roundRobin, [Self.up(3), Self.up(1)], count: 400)
        // Every window of four picks holds three of the heavy server and one of the light one.
        for start in stride(from: 0, to: 400, by: 4) {
            #expect(tally(Array(chosen[start..<start + 4])) == [0: 3, 1: 1], "window at \(start): \(chosen[start..<start + 4])")
        }
        // The light server never gets two turns in a row, nor the heavy one four.
        let text = chosen.map(String.init).joined()
        #expect(!text.contains("11"))
        #expect(!text.contains("0000"))
    }

    @Test func roundRobinEqualWeightsAlternate() {
        #expect(picks(.roundRobin, [Self.up(), Self.up(), Self.up()], count: 6) == [0, 1, 2, 0, 1, 2])
    }

    @Test func roundRobinSpreadsAHeavyServersTurns() {
        let chosen = picks(.roundRobin, [Self.up(5), Self.up(1), Self.up(1)], count: 7)
        #expect(tally(chosen) == [0: 5, 1: 1, 2: 1])
        #expect(chosen[0] == 0)
        #expect(!chosen.map(String.init).joined().contains("000"))
    }

    @Test func weightZeroIsNeverChosen() {
        let chosen = picks(.roundRobin, [Self.up(0), Self.up(1), Self.up(0)], count: 50)
        #expect(Set(chosen) == [1])
        for algorithm in [BalanceAlgorithm.staticRoundRobin, .leastConnections, .first, .source] {
            #expect(Set(picks(algorithm, [Self.up(0), Self.up(2)], count: 20)) == [1], "\(algorithm)")
        }
    }

    @Test func onlyWeightZeroServersMeansNoServer() {
        var balancer = ServerBalancer(algorithm: .roundRobin, serverCount: 1)
        #expect(balancer.choose([Self.up(0)]) == .noServer)
    }

    @Test func downServersAreSkipped() {
        #expect(Set(picks(.roundRobin, [Self.down(), Self.up(), Self.down()], count: 10)) == [1])
    }

    // MARK: - backups, queue, nothing

    @Test func backupOnlyWhenEveryActiveServerIsDown() {
        #expect(Set(picks(.roundRobin, [Self.up(), Self.up(backup: true)], count: 10)) == [0])
        #expect(Set(picks(.roundRobin, [Self.down(), Self.up(backup: true), Self.up(backup: true)], count: 10)) == [1])
    }

    @Test func backupsAreNotUsedWhenAnActiveServerIsMerelyFull() {
        var balancer = ServerBalancer(algorithm: .roundRobin, serverCount: 2)
        #expect(balancer.choose([Self.up(connections: 5, maxconn: 5), Self.up(backup: true)]) == .queue)
    }

    @Test func allBackupsShareTheLoad() {
        let servers = [Self.down(), Self.up(backup: true), Self.up(backup: true)]
        #expect(tally(picks(.roundRobin, servers, count: 10, allBackups: true)) == [1: 5, 2: 5])
    }

    @Test func firstBackupSkipsDownBackups() {
        #expect(Set(picks(.roundRobin, [Self.down(), Self.down(backup: true), Self.up(backup: true)], count: 5)) == [2])
    }

    @Test func fullServersQueue() {
        var balancer = ServerBalancer(algorithm: .roundRobin, serverCount: 2)
        #expect(balancer.choose([Self.up(connections: 2, maxconn: 2), Self.up(connections: 9, maxconn: 9)]) == .queue)
        // One with room left takes the connection.
        #expect(balancer.choose([Self.up(connections: 2, maxconn: 2), Self.up(connections: 8, maxconn: 9)]) == .server(1))
    }

    @Test func noneUpMeansNoServer() {
        var balancer = ServerBalancer(algorithm: .roundRobin, serverCount: 2)
        #expect(balancer.choose([Self.down(), Self.down(backup: true)]) == .noServer)
        #expect(balancer.choose([]) == .noServer)
    }

    // MARK: - other algorithms

    @Test func leastConnectionsPicksTheLeastLoaded() {
        var balancer = ServerBalancer(algorithm: .leastConnections, serverCount: 3)
        #expect(balancer.choose([Self.up(connections: 5), Self.up(connections: 2), Self.up(connections: 7)]) == .server(1))
        // Load is per unit of weight: 4 connections on weight 4 beat 2 on weight 1.
        #expect(balancer.choose([Self.up(1, connections: 2), Self.up(4, connections: 4), Self.up(1, connections: 3)]) == .server(1))
    }

    @Test func leastConnectionsRotatesAmongEquals() {
        let chosen = picks(.leastConnections, [Self.up(), Self.up(), Self.up()], count: 30)
        #expect(tally(chosen) == [0: 10, 1: 10, 2: 10])
    }

    @Test func firstFillsServersInOrder() {
        var balancer = ServerBalancer(algorithm: .first, serverCount: 3)
        #expect(balancer.choose([Self.up(maxconn: 2), Self.up(maxconn: 2), Self.up(maxconn: 2)]) == .server(0))
        #expect(balancer.choose([Self.up(connections: 2, maxconn: 2), Self.up(connections: 1, maxconn: 2), Self.up(maxconn: 2)]) == .server(1))
        #expect(balancer.choose([Self.down(), Self.up(connections: 2, maxconn: 2), Self.up(maxconn: 2)]) == .server(2))
    }

    @Test func sourceHashIsStable() {
        let servers = [Self.up(), Self.up(), Self.up(2)]
        var balancer = ServerBalancer(algorithm: .source, serverCount: 3)
        var seen: Set<Int> = []
        for hash in [UInt32(0), 1, 2, 3, 17, 123_456_789, .max] {
            let first = balancer.choose(servers, sourceHash: hash)
            for _ in 0..<5 {
                #expect(balancer.choose(servers, sourceHash: hash) == first, "hash \(hash)")
            }
            if case .server(let index) = first { seen.insert(index) }
        }
        #expect(seen == [0, 1, 2])
    }

    @Test func sourceHashFollowsWeights() {
        let servers = [Self.up(1), Self.up(3)]
        var balancer = ServerBalancer(algorithm: .source, serverCount: 2)
        var counts: [Int: Int] = [:]
        for hash in UInt32(0)..<400 {
            if case .server(let index) = balancer.choose(servers, sourceHash: hash) { counts[index, default: 0] += 1 }
        }
        #expect(counts == [0: 100, 1: 300])
    }

    @Test func sourceHashQueuesWhenItsServerIsFull() {
        var balancer = ServerBalancer(algorithm: .source, serverCount: 2)
        let servers = [Self.up(connections: 1, maxconn: 1), Self.up()]
        #expect(balancer.choose(servers, sourceHash: 0) == .queue)
        #expect(balancer.choose(servers, sourceHash: 1) == .server(1))
    }

    @Test func staticRoundRobinFollowsWeightsInTurn() {
        #expect(picks(.staticRoundRobin, [Self.up(2), Self.up(1)], count: 9) == [0, 0, 1, 0, 0, 1, 0, 0, 1])
        #expect(tally(picks(.staticRoundRobin, [Self.up(3), Self.up(1)], count: 400)) == [0: 300, 1: 100])
        #expect(Set(picks(.staticRoundRobin, [Self.down(5), Self.up(1)], count: 6)) == [1])
    }

    @Test func serverCountChangesAreTolerated() {
        var balancer = ServerBalancer(algorithm: .roundRobin, serverCount: 1)
        #expect(balancer.choose([Self.up(), Self.up()]) == .server(0))
        #expect(balancer.choose([Self.up(), Self.up()]) == .server(1))
    }
}

@Suite struct SourceHashTests {
    @Test func sameClientSameHashAndMappedAddressesAgree() {
        let v4 = IPAddress("192.0.2.7")
        let mapped = IPAddress("::ffff:192.0.2.7")
        let hashType = HashType.default
        #expect(hashType.hash(address: v4) == hashType.hash(address: mapped), "an IPv4 client is one client however it arrives")
        #expect(hashType.hash(address: v4) != hashType.hash(address: IPAddress("192.0.2.8")))
        #expect(hashType.hash(address: nil) == 0)
    }

    /// HAProxy folds the address into 32 bits with XOR and hashes it only with `avalanche`.
    @Test func addressIsFoldedAsHAProxyDoes() {
        #expect(HashType.default.hash(address: IPAddress("127.0.0.1")) == 0x7f00_0001)
        #expect(HashType.default.hash(address: IPAddress("2001:db8::1")) == 0x2001_0db8 ^ 0x0000_0001)
        let avalanche = HashType(method: .consistent, function: .sdbm, avalanche: true)
        #expect(avalanche.hash(address: IPAddress("127.0.0.1")) == HashType.fullAvalanche(0x7f00_0001))
    }
}
