/// The local changes of a shared table, for the peers protocol: each change of an entry gives it
/// a new update id (32 bits, wrapping, as HAProxy's); a peer session pushes the entries whose id
/// is after the last one it pushed. Only an entry's latest id counts. Kept under the table's lock;
/// its size follows the table's (entries removed are forgotten, stale ids compacted away).
struct StickTableChangeLog {
    private(set) var lastID: UInt32 = 0
    private var idByKey: [StickKey: UInt32] = [:]
    private var queue: [(id: UInt32, key: StickKey)] = []
    private var head = 0

    mutating func record(_ key: StickKey) {
        lastID &+= 1
        if lastID == 0 { lastID = 1 }
        idByKey[key] = lastID
        queue.append((lastID, key))
        if queue.count - head > max(1024, idByKey.count * 2) { compact() }
    }

    mutating func forget(_ key: StickKey) {
        idByKey[key] = nil
    }

    /// Whether `id` comes after `reference`, with wrapping.
    static func isAfter(_ id: UInt32, _ reference: UInt32) -> Bool {
        Int32(bitPattern: id &- reference) > 0
    }

    /// Up to `limit` keys whose latest change is after `after`, oldest change first.
    func changes(after: UInt32, limit: Int) -> [(id: UInt32, key: StickKey)] {
        guard Self.isAfter(lastID, after) else { return [] }
        // The queue's ids increase: find the first after `after`.
        var low = head
        var high = queue.count
        while low < high {
            let middle = (low + high) / 2
            if Self.isAfter(queue[middle].id, after) { high = middle } else { low = middle + 1 }
        }
        var result: [(id: UInt32, key: StickKey)] = []
        var index = low
        while index < queue.count, result.count < limit {
            let item = queue[index]
            if idByKey[item.key] == item.id { result.append(item) }
            index += 1
        }
        return result
    }

    private mutating func compact() {
        queue = queue[head...].filter { idByKey[$0.key] == $0.id }
        head = 0
    }
}
