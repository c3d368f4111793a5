import UsherConfig

/// Chooses a server for each new connection with the backend's `balance` algorithm. A value type:
/// the caller keeps one per backend and serialises access to it.
///
/// As in HAProxy: servers of weight 0 are never chosen by balancing; backup servers are used only
/// when no active server is up, and then only the first one unless `option allbackups`.
public struct ServerBalancer: Sendable {
    public let algorithm: BalanceAlgorithm
    public let useAllBackups: Bool
    /// `hash-type`: how the hashing algorithms map a key's hash to a server.
    public let hashType: HashType
    /// `hash-balance-factor`: with consistent hashing, a server already serving more than this
    /// percentage of the average load per unit of weight passes the key on to the next (0: off).
    public let balanceFactor: Int
    /// Smooth weighted round robin: each server's running score.
    var currentWeights: [Int]
    /// static-rr: position in the weighted cycle.
    var staticCursor = 0
    var staticServed = 0
    /// leastconn: where to start looking among equals, so ties rotate.
    var rotation = 0
    /// Map-based hashing: HAProxy's server map, and the candidates and weights it was built for.
    var hashMap: [Int] = []
    var hashMapKey: [Int] = []
    /// Consistent hashing and `random`: the ring, and the candidates, ids and weights it holds.
    var ring = ConsistentHashRing([])
    var ringKey: [Int] = []
    /// Where `random` draws its points; replaceable so that tests can repeat a sequence.
    var randomPoint: @Sendable () -> UInt32 = { UInt32.random(in: .min ... .max) }

    public init(algorithm: BalanceAlgorithm, serverCount: Int, useAllBackups: Bool = false, hashType: HashType = .default, balanceFactor: Int = 0) {
        self.algorithm = algorithm
        self.useAllBackups = useAllBackups
        self.hashType = hashType
        self.balanceFactor = balanceFactor
        currentWeights = [Int](repeating: 0, count: serverCount)
    }

    /// Picks among `servers`. `sourceHash` is the hash of the client address for `balance source`
    /// (``UsherConfig/HashType/hash(address:)``). `requestHash` is the hash of the request's key
    /// for `balance uri`, `url_param` or `hdr()` (see ``RequestHash``): when given, it picks the
    /// server the way `source` does; without it those algorithms fall back to round robin, as
    /// HAProxy does for a request lacking the key.
    public mutating func choose(_ servers: [ServerState], sourceHash: UInt32 = 0, requestHash: UInt32? = nil) -> BalanceDecision {
        if currentWeights.count != servers.count {
            currentWeights = [Int](repeating: 0, count: servers.count)
        }
        var candidates = servers.indices.filter { servers[$0].isUp && !servers[$0].isBackup && servers[$0].weight > 0 }
        if candidates.isEmpty {
            let backups = servers.indices.filter { servers[$0].isUp && servers[$0].isBackup && servers[$0].weight > 0 }
            candidates = useAllBackups ? backups : Array(backups.prefix(1))
        }
        guard !candidates.isEmpty else { return .noServer }
        let available = candidates.filter { !servers[$0].isFull }
        guard !available.isEmpty else { return .queue }

        if let requestHash {
            return hashed(requestHash, candidates, available, servers)
        }
        switch algorithm {
        case .roundRobin, .uri, .urlParameter, .header:
            // The HTTP hashes need the request, which the TCP data plane does not read: round robin, as HAProxy falls back to.
            return .server(smoothRoundRobin(available, servers))
        case .staticRoundRobin:
            return .server(staticRoundRobin(available, servers))
        case .leastConnections:
            return .server(leastConnections(available, servers))
        case .first:
            // The first server (in declaration order) that still has room.
            return .server(available[0])
        case .source:
            return hashed(sourceHash, candidates, available, servers)
        case .random(let draws):
            return random(draws: draws, candidates, servers)
        }
    }

    mutating func hashed(_ hash: UInt32, _ candidates: [Int], _ available: [Int], _ servers: [ServerState]) -> BalanceDecision {
        switch hashType.method {
        case .mapBased: return mappedHash(hash, candidates, available, servers)
        case .consistent: return consistentHash(hash, candidates, servers)
        }
    }

    /// Consistent hashing: the server of the ring point nearest the hash. With a balance factor,
    /// a server over its bound hands the key to the next point's server, around the ring once at
    /// most. A full server queues the connection for itself, as map-based hashing does.
    mutating func consistentHash(_ hash: UInt32, _ candidates: [Int], _ servers: [ServerState]) -> BalanceDecision {
        updateRing(candidates, servers)
        guard !ring.isEmpty else { return .noServer }
        var position = ring.nearest(to: hash)
        if balanceFactor > 0 {
            let load = BoundedLoad(candidates: candidates, servers: servers, factor: balanceFactor)
            var steps = 0
            while !load.isEligible(ring.server(at: position)), steps < ring.points.count {
                position = ring.following(position)
                steps += 1
            }
        }
        let index = ring.server(at: position)
        return servers[index].isFull ? .queue : .server(index)
    }

    /// `balance random(N)`: N random points on the ring; of the servers they land on, the one
    /// serving the fewest connections per unit of weight (the later draw among equals).
    mutating func random(draws: Int, _ candidates: [Int], _ servers: [ServerState]) -> BalanceDecision {
        updateRing(candidates, servers)
        guard !ring.isEmpty else { return .noServer }
        var best = ring.server(at: ring.nearest(to: randomPoint()))
        for _ in 1..<max(1, draws) {
            let drawn = ring.server(at: ring.nearest(to: randomPoint()))
            if drawn != best,
                servers[drawn].activeConnections * servers[best].weight <= servers[best].activeConnections * servers[drawn].weight {
                best = drawn
            }
        }
        return servers[best].isFull ? .queue : .server(best)
    }

    mutating func updateRing(_ candidates: [Int], _ servers: [ServerState]) {
        let key = candidates.flatMap { [$0, servers[$0].identifier, servers[$0].weight] }
        guard key != ringKey else { return }
        ring = ConsistentHashRing(candidates.map { ($0, servers[$0].identifier > 0 ? servers[$0].identifier : $0 + 1, servers[$0].weight) })
        ringKey = key
    }

    /// Map-based hashing, HAProxy's default hash-type: the hash modulo the size of a map in which
    /// each usable server holds as many slots as its weight (weights divided by their greatest
    /// common divisor), spread in HAProxy's order, so that a key reaches the server HAProxy would
    /// choose for the same servers. The same hash keeps the same server while the set of usable
    /// servers does not change.
    mutating func mappedHash(_ hash: UInt32, _ candidates: [Int], _ available: [Int], _ servers: [ServerState]) -> BalanceDecision {
        let divisor = servers.reduce(0) { Self.greatestCommonDivisor($0, $1.weight) }
        let key = candidates.flatMap { [$0, servers[$0].weight] } + [divisor]
        if key != hashMapKey {
            hashMap = Self.serverMap(candidates.map { ($0, (servers[$0].weight + divisor - 1) / max(1, divisor)) })
            hashMapKey = key
        }
        guard !hashMap.isEmpty else { return .server(available[0]) }
        let index = hashMap[Int(hash % UInt32(hashMap.count))]
        return servers[index].isFull ? .queue : .server(index)
    }

    /// HAProxy's map of `weights` (server index, reduced weight): one slot per unit of weight, each
    /// going to the server whose accumulated score is highest, the first declared among equals.
    static func serverMap(_ weights: [(server: Int, weight: Int)]) -> [Int] {
        let total = weights.reduce(0) { $0 + $1.weight }
        guard total > 1 else { return weights.first.map { [$0.server] } ?? [] }
        var scores = [Int](repeating: 0, count: weights.count)
        var map: [Int] = []
        map.reserveCapacity(total)
        for _ in 0..<total {
            var best = 0, bestLevel = Int.min
            for (position, entry) in weights.enumerated() {
                scores[position] += entry.weight
                // Scores are compared by how many whole maps they are worth, not exactly.
                let level = (scores[position] + total) / total
                if level > bestLevel {
                    (best, bestLevel) = (position, level)
                }
            }
            map.append(weights[best].server)
            scores[best] -= total
        }
        return map
    }

    static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    /// Nginx-style smooth weighted round robin: spreads a heavy server's turns evenly.
    mutating func smoothRoundRobin(_ available: [Int], _ servers: [ServerState]) -> Int {
        var total = 0
        var best = available[0]
        for index in available {
            currentWeights[index] += servers[index].weight
            total += servers[index].weight
            if currentWeights[index] > currentWeights[best] { best = index }
        }
        currentWeights[best] -= total
        return best
    }

    mutating func staticRoundRobin(_ available: [Int], _ servers: [ServerState]) -> Int {
        let count = servers.count
        for _ in 0..<(count + 1) {
            let index = staticCursor % count
            if available.contains(index), staticServed < servers[index].weight {
                staticServed += 1
                return index
            }
            staticCursor = (staticCursor + 1) % count
            staticServed = 0
        }
        return available[0]
    }

    mutating func leastConnections(_ available: [Int], _ servers: [ServerState]) -> Int {
        rotation &+= 1
        var best: Int? = nil
        for offset in 0..<available.count {
            let index = available[(offset + rotation) % available.count]
            guard let current = best else {
                best = index
                continue
            }
            // Compare load per unit of weight without division: a/wa < b/wb  <=>  a*wb < b*wa.
            let load = (servers[index].activeConnections + 1) * servers[current].weight
            let currentLoad = (servers[current].activeConnections + 1) * servers[index].weight
            if load < currentLoad { best = index }
        }
        return best ?? available[0]
    }
}

/// HAProxy's "consistent hashing with bounded loads" (`hash-balance-factor`): the connections being
/// served plus the new one, times the factor, shared among the usable servers by weight (counted
/// as HAProxy counts it, 16 units per unit of configured weight); a server already at its share is
/// not eligible.
struct BoundedLoad {
    var totalSlots: Int
    var totalWeight: Int
    /// The weight of the usable servers declared before each one.
    var weightBefore: [Int: Int] = [:]
    let servers: [ServerState]

    init(candidates: [Int], servers: [ServerState], factor: Int) {
        self.servers = servers
        let served = servers.reduce(0) { $0 + $1.activeConnections }
        totalSlots = ((served + 1) * factor + 99) / 100
        var cumulative = 0
        for index in candidates {
            weightBefore[index] = cumulative
            cumulative += Self.scaled(servers[index].weight)
        }
        totalWeight = max(1, cumulative)
    }

    static func scaled(_ weight: Int) -> Int { weight * ConsistentHashRing.pointsPerWeight }

    func isEligible(_ index: Int) -> Bool {
        let weight = Self.scaled(servers[index].weight)
        let before = weightBefore[index] ?? 0
        let remainder = totalSlots % totalWeight
        var slots = weight * (totalSlots / totalWeight)
        // The remainder shared in proportion to weight, without losing a slot to rounding.
        slots += (before + weight) * remainder / totalWeight - before * remainder / totalWeight
        return servers[index].activeConnections < max(1, slots)
    }
}
