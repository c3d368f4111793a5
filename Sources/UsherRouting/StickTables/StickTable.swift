import NIOConcurrencyHelpers
import UsherConfig

/// One stick table: at most `size` entries, each with the counters its definition stores, found by
/// key. Entries go away `expire` after they were last created or tracked, or, when the table is
/// full, oldest first (unless `nopurge`); an entry a session is tracking is never removed.
///
/// Thread-safe: every operation takes the table's lock. Times come from `clock` (milliseconds,
/// monotonic), so tests can drive them.
public final class StickTable: @unchecked Sendable {
    /// An entry held by a tracking session (its slot cannot be reused until released).
    public struct Handle: Sendable, Hashable {
        let slot: Int
    }

    /// Where each stored kind lives in an entry: an offset into `counters` or `rates`, and how many.
    struct Layout {
        var counters: [StickData.Kind: (offset: Int, count: Int)] = [:]
        var rates: [StickData.Kind: (offset: Int, count: Int, period: Int64)] = [:]
        var counterCount = 0
        var rateCount = 0

        init(_ stored: [StickData]) {
            for data in stored.sorted(by: { $0.kind < $1.kind }) {
                if data.kind.isRate {
                    rates[data.kind] = (rateCount, data.count, max(1, data.period?.milliseconds ?? 1))
                    rateCount += data.count
                } else {
                    counters[data.kind] = (counterCount, data.count)
                    counterCount += data.count
                }
            }
        }
    }

    struct Entry {
        var key: StickKey
        var counters: [UInt64]
        var rates: [PeriodRate]
        /// When it expires (milliseconds); `Int64.max` without `expire`.
        var expiry: Int64
        var references: Int
        /// The list of entries from the oldest (`first`) to the most recently refreshed.
        var older = -1
        var newer = -1
    }

    public let definition: StickTableDefinition
    public var name: String { definition.name }
    let layout: Layout
    let clock: @Sendable () -> Int64
    let expireMilliseconds: Int64?
    let lock = NIOLock()
    var entries: [Entry?] = []
    private var freeSlots: [Int] = []
    var slotsByKey: [StickKey: Int] = [:]
    /// The local changes, in order, for the peers protocol; nil unless a `peers` section shares the table.
    var changeLog: StickTableChangeLog?
    /// Told of the first local change after `takeChangeSignal` (the peers' push wakes up).
    var changeHandler: (@Sendable () -> Void)?
    var changeSignalled = false
    var oldest = -1
    var newest = -1

    public init(_ definition: StickTableDefinition, clock: @escaping @Sendable () -> Int64 = StickTable.monotonicMilliseconds) {
        self.definition = definition
        self.layout = Layout(definition.stored)
        self.clock = clock
        self.expireMilliseconds = definition.expire.map { max(1, $0.milliseconds) }
        if definition.peers != nil { changeLog = StickTableChangeLog() }
    }

    /// Milliseconds since an arbitrary start, never going back.
    @Sendable public static func monotonicMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    /// Whether entries keep this kind of data.
    public func stores(_ kind: StickData.Kind) -> Bool {
        layout.counters[kind] != nil || layout.rates[kind] != nil
    }

    // MARK: - Entries

    /// The entry for `key`, created if missing, held until `release`: what `track-sc` does. Its
    /// expiry is pushed back. nil when the table is full and nothing may be removed.
    public func acquire(_ key: StickKey) -> Handle? {
        lock.withLock {
            let now = clock()
            guard let slot = findOrCreate(key, now: now) else { return nil }
            entries[slot]!.references += 1
            refresh(slot, now: now)
            recordChange(key)
            return Handle(slot: slot)
        }
    }

    /// Ends a hold from `acquire`.
    public func release(_ handle: Handle) {
        lock.withLock {
            guard entries[handle.slot] != nil else { return }
            entries[handle.slot]!.references = max(0, entries[handle.slot]!.references - 1)
            // Not a change for the peers: every change of a value was recorded as it was made
            // (`conn_cur`, which the end of a tracking changes, stays local). A push of the same
            // values again could undo a peer's newer update crossing it.
        }
    }

    /// Reads or changes a held entry's data; `refresh` (a change, as HAProxy touches an entry it
    /// updates) pushes its expiry back.
    public func update<T>(_ handle: Handle, refresh: Bool = true, _ body: (inout EntryData) -> T) -> T {
        lock.withLock {
            let now = clock()
            if refresh {
                self.refresh(handle.slot, now: now)
                if changeLog != nil { recordChange(entries[handle.slot]!.key) }
            }
            // Taken out while it changes, so that its arrays are not copied.
            var data = EntryData(table: self, entry: entries[handle.slot].take()!, now: now)
            defer { entries[handle.slot] = data.entry }
            return body(&data)
        }
    }

    /// Reads or changes the entry for `key`, creating it if `create`; `refresh` pushes its expiry
    /// back (a created entry's always is). `body` gets nil when there is none.
    public func withEntry<T>(_ key: StickKey, create: Bool, refresh: Bool = false, _ body: (inout EntryData?) -> T) -> T {
        lock.withLock {
            let now = clock()
            var slot = liveSlot(key, now: now)
            if let slot, refresh { self.refresh(slot, now: now) }
            if slot == nil, create {
                slot = findOrCreate(key, now: now)
                if let slot { self.refresh(slot, now: now) }
            }
            guard let slot else {
                var none: EntryData? = nil
                return body(&none)
            }
            if create || refresh { recordChange(key) }
            let entry = entries[slot].take()!
            var data: EntryData? = EntryData(table: self, entry: entry, now: now)
            defer { entries[slot] = data?.entry ?? entry }
            return body(&data)
        }
    }

    /// Removes the entries no one holds whose keys pass `filter` (all, without one); the number removed.
    @discardableResult
    public func clear(where filter: (StickKey, EntryData) -> Bool = { _, _ in true }) -> Int {
        lock.withLock {
            let now = clock()
            var removed = 0
            for slot in entries.indices {
                guard let entry = entries[slot], entry.references == 0 else { continue }
                if filter(entry.key, EntryData(table: self, entry: entry, now: now)) {
                    remove(slot)
                    removed += 1
                }
            }
            return removed
        }
    }

    /// The number of entries (expired ones no one holds are removed first).
    public var count: Int {
        lock.withLock {
            purgeExpired(now: clock())
            return slotsByKey.count
        }
    }

    /// Every entry, oldest first: what `show table` lists.
    public func snapshot() -> [(key: StickKey, data: EntryData)] {
        lock.withLock {
            let now = clock()
            purgeExpired(now: now)
            var result: [(StickKey, EntryData)] = []
            var slot = oldest
            while slot >= 0, let entry = entries[slot] {
                result.append((entry.key, EntryData(table: self, entry: entry, now: now)))
                slot = entry.newer
            }
            return result
        }
    }

    // MARK: - Storage (under the lock)

    /// The slot of a live entry for `key`: an expired one no one holds is removed instead.
    func liveSlot(_ key: StickKey, now: Int64) -> Int? {
        guard let slot = slotsByKey[key] else { return nil }
        let entry = entries[slot]!
        if entry.expiry <= now && entry.references == 0 {
            remove(slot)
            return nil
        }
        return slot
    }

    func findOrCreate(_ key: StickKey, now: Int64) -> Int? {
        if let slot = liveSlot(key, now: now) { return slot }
        if slotsByKey.count >= definition.size {
            purgeExpired(now: now)
        }
        if slotsByKey.count >= definition.size {
            guard !definition.noPurge, evictOldest() else { return nil }
        }
        let entry = Entry(
            key: key, counters: [UInt64](repeating: 0, count: layout.counterCount),
            rates: [PeriodRate](repeating: PeriodRate(), count: layout.rateCount), expiry: Int64.max, references: 0
        )
        let slot: Int
        if let reused = freeSlots.popLast() {
            slot = reused
            entries[slot] = entry
        } else {
            slot = entries.count
            entries.append(entry)
        }
        slotsByKey[key] = slot
        append(slot)
        return slot
    }

    func refresh(_ slot: Int, now: Int64) {
        if let expireMilliseconds {
            entries[slot]!.expiry = now &+ expireMilliseconds
        }
        unlink(slot)
        append(slot)
    }

    /// Removes, from the oldest, the expired entries no one holds; stops at the first live one
    /// (entries are in expiry order: each refresh moves one to the end).
    func purgeExpired(now: Int64) {
        var slot = oldest
        while slot >= 0, let entry = entries[slot] {
            let next = entry.newer
            if entry.expiry > now { break }
            if entry.references == 0 { remove(slot) }
            slot = next
        }
    }

    /// Removes the oldest entry no one holds; false if every entry is held.
    private func evictOldest() -> Bool {
        var slot = oldest
        while slot >= 0, let entry = entries[slot] {
            if entry.references == 0 {
                remove(slot)
                return true
            }
            slot = entry.newer
        }
        return false
    }

    private func remove(_ slot: Int) {
        guard let entry = entries[slot] else { return }
        unlink(slot)
        slotsByKey[entry.key] = nil
        changeLog?.forget(entry.key)
        entries[slot] = nil
        freeSlots.append(slot)
    }

    func append(_ slot: Int) {
        entries[slot]!.older = newest
        entries[slot]!.newer = -1
        if newest >= 0 { entries[newest]!.newer = slot } else { oldest = slot }
        newest = slot
    }

    func unlink(_ slot: Int) {
        let entry = entries[slot]!
        if entry.older >= 0 { entries[entry.older]!.newer = entry.newer } else { oldest = entry.newer }
        if entry.newer >= 0 { entries[entry.newer]!.older = entry.older } else { newest = entry.older }
        entries[slot]!.older = -1
        entries[slot]!.newer = -1
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension StickTable {
    /// An entry's data, read and changed through the table's layout at one instant (`now`).
    public struct EntryData {
        let table: StickTable
        var entry: Entry
        public let now: Int64

        init(table: StickTable, entry: Entry, now: Int64) {
            self.table = table
            self.entry = entry
            self.now = now
        }

        /// Sessions holding the entry now.
        public var references: Int { entry.references }
        /// Milliseconds until it expires; nil without `expire`.
        public var remaining: Int64? { entry.expiry == Int64.max ? nil : max(0, entry.expiry - now) }

        /// A stored value: a counter, a tag, or a rate at `now`; nil if the table does not store
        /// it (or the array has no such element).
        public func value(_ kind: StickData.Kind, element: Int = 0) -> UInt64? {
            if let place = table.layout.counters[kind] {
                guard element < place.count else { return nil }
                return entry.counters[place.offset + element]
            }
            if let place = table.layout.rates[kind] {
                guard element < place.count else { return nil }
                return entry.rates[place.offset + element].rate(now: now, period: place.period)
            }
            return nil
        }

        /// Adds to a counter or a rate, if stored. 32-bit counters wrap as HAProxy's do.
        public mutating func add(_ kind: StickData.Kind, _ amount: UInt64 = 1, element: Int = 0) {
            if let place = table.layout.counters[kind], element < place.count {
                let index = place.offset + element
                entry.counters[index] = Self.isWide(kind) ? entry.counters[index] &+ amount : UInt64(UInt32(truncatingIfNeeded: entry.counters[index] &+ amount))
            } else if let place = table.layout.rates[kind], element < place.count {
                entry.rates[place.offset + element].add(amount, now: now, period: place.period)
            }
        }

        /// Sets a counter or tag, if stored; false if not.
        @discardableResult
        public mutating func set(_ kind: StickData.Kind, _ value: UInt64, element: Int = 0) -> Bool {
            guard let place = table.layout.counters[kind], element < place.count else { return false }
            entry.counters[place.offset + element] = Self.isWide(kind) ? value : UInt64(UInt32(truncatingIfNeeded: value))
            return true
        }

        /// Takes one from `conn_cur` (never below zero).
        public mutating func decrementCurrentConnections() {
            guard let place = table.layout.counters[.connectionsCurrent] else { return }
            let index = place.offset
            if entry.counters[index] > 0 { entry.counters[index] -= 1 }
        }

        /// The byte counters are 64-bit; every other counter 32-bit.
        static func isWide(_ kind: StickData.Kind) -> Bool {
            kind == .bytesInCount || kind == .bytesOutCount
        }
    }
}
