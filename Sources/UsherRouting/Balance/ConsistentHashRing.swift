import UsherConfig

/// `hash-type consistent`: a ring of 32-bit points, sixteen per unit of each usable server's
/// weight. A key goes to the point nearest its hash, either side, so that when a server leaves only
/// the keys that landed on its points move, and when one comes back they return to it.
///
/// The points sit where HAProxy 2.6 puts them (the full-avalanche hash of `id × 4096 + n`, `id`
/// being the server's numeric id, its position from 1 unless set): a key reaches the server HAProxy
/// would choose for it, as long as the servers are declared in the same order with the same weights.
struct ConsistentHashRing: Equatable {
    /// How many points one unit of weight is worth (HAProxy's `BE_WEIGHT_SCALE`).
    static let pointsPerWeight = 16
    /// The spacing of the servers' point series (HAProxy's `SRV_EWGHT_RANGE`: 256 weights × 16).
    static let seriesStride: UInt32 = 4096

    struct Point: Equatable {
        var key: UInt32
        var server: Int
    }

    /// Sorted by key; among equal keys, in the order the servers were declared.
    private(set) var points: [Point]

    /// `members`: each usable server's index, numeric id and weight (in configuration units).
    init(_ members: [(server: Int, identifier: Int, weight: Int)]) {
        var points: [Point] = []
        points.reserveCapacity(members.reduce(0) { $0 + max(0, $1.weight) * Self.pointsPerWeight })
        for member in members where member.weight > 0 {
            let base = UInt32(truncatingIfNeeded: member.identifier) &* Self.seriesStride
            for occurrence in 0..<(member.weight * Self.pointsPerWeight) {
                points.append(Point(key: HashType.fullAvalanche(base &+ UInt32(occurrence)), server: member.server))
            }
        }
        // A stable sort keeps equal keys in insertion order, as the tree HAProxy uses does.
        self.points = points.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element)
    }

    var isEmpty: Bool { points.isEmpty }

    /// The position of the point nearest to `hash`: of the first point at or after it (wrapping
    /// to the first) and the one before that (wrapping to the last), the closer; the one before
    /// when both are as close.
    func nearest(to hash: UInt32) -> Int {
        precondition(!points.isEmpty)
        var low = 0, high = points.count
        while low < high {
            let middle = (low + high) / 2
            if points[middle].key < hash { low = middle + 1 } else { high = middle }
        }
        let next = low == points.count ? 0 : low
        let previous = next == 0 ? points.count - 1 : next - 1
        let distanceBefore = hash &- points[previous].key
        let distanceAfter = points[next].key &- hash
        return distanceBefore <= distanceAfter ? previous : next
    }

    /// The server at `position`.
    func server(at position: Int) -> Int { points[position].server }

    /// The position after `position`, wrapping around.
    func following(_ position: Int) -> Int { position + 1 == points.count ? 0 : position + 1 }
}
