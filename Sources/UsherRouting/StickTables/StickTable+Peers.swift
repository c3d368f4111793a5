import UsherConfig

extension StickTable {
    /// Calls `handler` (under the table's lock: it must only schedule work) on the first local
    /// change after each `takeChangeSignal`, so that changes are pushed as they come.
    /// nil: no more calls.
    public func setChangeHandler(_ handler: (@Sendable () -> Void)?) {
        lock.withLock {
            changeHandler = handler
            changeSignalled = false
        }
    }

    /// Re-arms the change handler; call before reading the changes to push.
    public func takeChangeSignal() {
        lock.withLock { changeSignalled = false }
    }

    /// A local change of the entry for `key` (under the lock).
    func recordChange(_ key: StickKey) {
        guard changeLog != nil else { return }
        changeLog!.record(key)
        if !changeSignalled, let changeHandler {
            changeSignalled = true
            changeHandler()
        }
    }

    /// The id of the latest local change (0 before any, or if the table is not shared).
    public var lastLocalUpdate: UInt32 {
        lock.withLock { changeLog?.lastID ?? 0 }
    }

    /// Up to `limit` entries changed locally after update `after`, with their update ids, oldest
    /// change first, as the peers protocol sends them.
    public func localUpdates(after: UInt32, limit: Int) -> [(id: UInt32, entry: PeerEntry)] {
        lock.withLock {
            guard let changeLog else { return [] }
            let now = clock()
            var result: [(id: UInt32, entry: PeerEntry)] = []
            for (id, key) in changeLog.changes(after: after, limit: limit) {
                guard let slot = slotsByKey[key], let entry = entries[slot], entry.expiry > now || entry.references > 0 else { continue }
                result.append((id, peerEntry(entry, now: now)))
            }
            return result
        }
    }

    /// The keys of every live entry, oldest first: a lesson's list, its entries read in parts.
    public func liveKeys() -> [StickKey] {
        lock.withLock {
            let now = clock()
            purgeExpired(now: now)
            var result: [StickKey] = []
            result.reserveCapacity(slotsByKey.count)
            var slot = oldest
            while slot >= 0, let entry = entries[slot] {
                if entry.expiry > now || entry.references > 0 { result.append(entry.key) }
                slot = entry.newer
            }
            return result
        }
    }

    /// The live entries of `keys` (those gone meanwhile are left out), as a resync sends them.
    public func peerEntries<Keys: Sequence>(for keys: Keys) -> [PeerEntry] where Keys.Element == StickKey {
        lock.withLock {
            let now = clock()
            var result: [PeerEntry] = []
            for key in keys {
                guard let slot = slotsByKey[key], let entry = entries[slot], entry.expiry > now || entry.references > 0 else { continue }
                result.append(peerEntry(entry, now: now))
            }
            return result
        }
    }

    private func peerEntry(_ entry: Entry, now: Int64) -> PeerEntry {
        var values: [Int: [PeerEntry.Value]] = [:]
        for (kind, place) in layout.counters {
            guard kind != .serverKey, let id = PeerDataType.id(of: kind) else { continue }
            values[id] = (0..<place.count).map { element in
                let value = entry.counters[place.offset + element]
                // server_id is signed in HAProxy: a negative one travels sign-extended.
                if kind == .serverID { return .integer(UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: value)))) }
                return .integer(value)
            }
        }
        for (kind, place) in layout.rates {
            guard let id = PeerDataType.id(of: kind) else { continue }
            values[id] = (0..<place.count).map { element in
                let rate = entry.rates[place.offset + element]
                let elapsed = now - rate.periodStart
                return .rate(elapsed: UInt32(clamping: max(0, elapsed)), current: rate.current, previous: rate.previous)
            }
        }
        let remaining = entry.expiry == Int64.max ? nil : UInt32(clamping: max(0, entry.expiry - now))
        return PeerEntry(key: entry.key, expire: remaining, values: values)
    }

    /// Applies an entry a peer sent: created if missing (evicting the oldest if full, unless
    /// `nopurge`), its values overwritten by those sent (`conn_cur` stays local, as HAProxy keeps
    /// it), its lifetime the one sent, else the table's `expire` (none without one). Not a local
    /// change: not pushed on to the other peers.
    /// False when the table is full and nothing may be removed.
    @discardableResult
    public func applyPeerEntry(_ received: PeerEntry) -> Bool {
        lock.withLock {
            let now = clock()
            guard let slot = findOrCreate(received.key, now: now) else { return false }
            var entry = entries[slot].take()!
            for (id, values) in received.values {
                guard let kind = PeerDataType.kind(id), kind != .connectionsCurrent, kind != .serverKey else { continue }
                if let place = layout.counters[kind] {
                    for (element, value) in values.prefix(place.count).enumerated() {
                        guard case .integer(let number) = value else { continue }
                        let wide = EntryData.isWide(kind)
                        entry.counters[place.offset + element] = wide ? number : UInt64(UInt32(truncatingIfNeeded: number))
                    }
                } else if let place = layout.rates[kind] {
                    for (element, value) in values.prefix(place.count).enumerated() {
                        guard case .rate(let elapsed, let current, let previous) = value else { continue }
                        entry.rates[place.offset + element] = PeriodRate(
                            periodStart: (now - Int64(elapsed)) & ~1, current: UInt64(UInt32(truncatingIfNeeded: current)),
                            previous: UInt64(UInt32(truncatingIfNeeded: previous)))
                    }
                }
            }
            entries[slot] = entry
            // Moved to the newest end, as a refresh does.
            unlink(slot)
            append(slot)
            // A table without `expire` keeps its entries whatever the sender's lifetime, as HAProxy's.
            if let expireMilliseconds {
                entries[slot]!.expiry = now &+ (received.expire.map { Int64($0) } ?? expireMilliseconds)
            }
            return true
        }
    }
}
