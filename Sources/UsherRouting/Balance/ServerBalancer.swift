import UsherConfig

/// Chooses a server for each new connection with the backend's `balance` algorithm. A value type:
/// the caller keeps one per backend and serialises access to it.
///
/// As in HAProxy: servers of weight 0 are never chosen by balancing; backup servers are used only
/// when no active server is up, and then only the first one unless `option allbackups`.
public struct ServerBalancer: Sendable {
    public let algorithm: BalanceAlgorithm
    public let useAllBackups: Bool
    /// Smooth weighted round robin: each server's running score.
    var currentWeights: [Int]
    /// static-rr: position in the weighted cycle.
    var staticCursor = 0
    var staticServed = 0
    /// leastconn: where to start looking among equals, so ties rotate.
    var rotation = 0
    /// Hash algorithms: HAProxy's server map, and the candidates and weights it was built for.
    var hashMap: [Int] = []
    var hashMapKey: [Int] = []

    public init(algorithm: BalanceAlgorithm, serverCount: Int, useAllBackups: Bool = false) {
        self.algorithm = algorithm
        self.useAllBackups = useAllBackups
        currentWeights = [Int](repeating: 0, count: serverCount)
    }

    /// Picks among `servers`. `sourceHash` is a hash of the client address, for `balance source`.
    /// `requestHash` is the hash of the request's key for `balance uri`, `url_param` or `hdr()`
    /// (see ``RequestHash``): when given, it picks the server the way `source` does; without it
    /// those algorithms fall back to round robin, as HAProxy does for a request lacking the key.
    public mutating func choose(_ servers: [ServerState], sourceHash: UInt64 = 0, requestHash: UInt64? = nil) -> BalanceDecision {
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
            return mappedHash(requestHash, candidates, available, servers)
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
            return mappedHash(sourceHash, candidates, available, servers)
        }
    }

    /// Map-based hashing, HAProxy's default hash-type: the hash modulo the size of a map in which
    /// each usable server holds as many slots as its weight (weights divided by their greatest
    /// common divisor), spread in HAProxy's order, so that a key reaches the server HAProxy would
    /// choose for the same servers. The same hash keeps the same server while the set of usable
    /// servers does not change.
    mutating func mappedHash(_ hash: UInt64, _ candidates: [Int], _ available: [Int], _ servers: [ServerState]) -> BalanceDecision {
        let divisor = servers.reduce(0) { Self.greatestCommonDivisor($0, $1.weight) }
        let key = candidates.flatMap { [$0, servers[$0].weight] } + [divisor]
        if key != hashMapKey {
            hashMap = Self.serverMap(candidates.map { ($0, (servers[$0].weight + divisor - 1) / max(1, divisor)) })
            hashMapKey = key
        }
        guard !hashMap.isEmpty else { return .server(available[0]) }
        let index = hashMap[Int(hash % UInt64(hashMap.count))]
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

    /// The key `balance source` hashes: the client's address (FNV-1a over its bytes; 0 if unknown).
    public static func sourceHash(_ address: IPAddress?) -> UInt64 {
        guard let address else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in address.unmapped.bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
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
