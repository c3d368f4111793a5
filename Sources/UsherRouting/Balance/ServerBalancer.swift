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

    public init(algorithm: BalanceAlgorithm, serverCount: Int, useAllBackups: Bool = false) {
        self.algorithm = algorithm
        self.useAllBackups = useAllBackups
        currentWeights = [Int](repeating: 0, count: serverCount)
    }

    /// Picks among `servers`. `sourceHash` is a hash of the client address, for `balance source`.
    public mutating func choose(_ servers: [ServerState], sourceHash: UInt64 = 0) -> BalanceDecision {
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
            // Map-based hashing over the weighted list of usable servers, as HAProxy's default hash-type.
            let total = candidates.reduce(0) { $0 + servers[$1].weight }
            var slot = Int(sourceHash % UInt64(max(1, total)))
            for index in candidates {
                slot -= servers[index].weight
                if slot < 0 {
                    return servers[index].isFull ? .queue : .server(index)
                }
            }
            return .server(available[0])
        }
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
