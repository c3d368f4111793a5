import NIOConcurrencyHelpers
import UsherConfig

/// One pattern file in memory: a map's `KEY VALUE` lines, or an ACL's patterns (`acl … -f FILE`).
/// There is one per file path in a configuration, shared by every converter, ACL, action and runtime
/// API command that names the file, so a change made by one (`set-map`, `add map`…) is seen by all,
/// as in HAProxy.
///
/// Thread-safe: every operation takes the file's lock. Each way the file is matched (a converter's
/// or an ACL's method, case and output type) keeps its own index of the entries, brought up to date
/// as entries come and go.
///
/// Bounded: the file holds at most `maximumEntries` entries; an action or command that would add
/// more is refused. Entries come only from the file and from explicit actions and commands.
public final class PatternFile: @unchecked Sendable {
    /// One line of the file, or an entry added later.
    public struct Entry: Sendable, Equatable {
        /// What `show map` prints before the key, and `#ID` names in `del map`/`set map`.
        public let id: UInt64
        public var key: String
        /// The map's value; `nil` for an ACL pattern read without `-M`.
        public var value: String?
        /// The line of the file it comes from; 0 when added at run time.
        public var line: Int
    }

    /// How the file's lines are read.
    public enum Layout: Sendable, Equatable {
        /// `KEY VALUE` (maps, `acl … -M -f`).
        case map
        /// One pattern per line (`acl … -f`).
        case patterns
    }

    /// Who uses the file, for `show map`/`show acl`.
    public enum UserKind: String, Sendable {
        case map
        case acl
    }

    /// The most entries a file holds (1,000,000): beyond it, `set-map`/`add-acl` do nothing and
    /// `add map`/`add acl` answer an error.
    public static let maximumEntries = 1_000_000

    public let path: String
    /// The number `show map`/`show acl` give it (`#ID`), in the order files were first named.
    public let id: Int
    private let lock = NIOLock()
    private var _layout: Layout
    /// Whether the layout was chosen by an action (which reads either), so a converter or ACL met
    /// later may read the lines its own way.
    private var layoutIsTentative: Bool
    private var lines: [String]
    private var entries: [Entry] = []
    private var nextEntryID: UInt64 = 0
    private var matchers: [PatternMatcher] = []
    private var indexes: [PatternMatcher: PatternIndex] = [:]
    private var users: [UserKind] = []

    init(path: String, id: Int, lines: [String], layout: Layout, tentative: Bool) {
        self.path = path
        self.id = id
        self.lines = lines
        self._layout = layout
        self.layoutIsTentative = tentative
        self.entries = Self.read(lines, layout: layout, firstID: &nextEntryID)
    }

    /// Reads the lines as HAProxy does: a line starting with `#` is a comment (a `#` after leading
    /// spaces is not); leading spaces and tabs are skipped; blank lines are skipped. A map's key is
    /// the first word and its value the rest of the line, without the spaces and tabs around it; a
    /// pattern is the whole rest of the line.
    static func read(_ lines: [String], layout: Layout, firstID: inout UInt64) -> [Entry] {
        var entries: [Entry] = []
        for (offset, raw) in lines.enumerated() {
            var line = Substring(raw)
            if line.hasPrefix("#") { continue }
            while let last = line.last, last == "\r" || last == "\n" || last == "\r\n" { line = line.dropLast() }
            while let first = line.first, first == " " || first == "\t" { line = line.dropFirst() }
            guard !line.isEmpty else { continue }
            let entry: Entry
            switch layout {
            case .patterns:
                entry = Entry(id: firstID, key: String(line), value: nil, line: offset + 1)
            case .map:
                let keyEnd = line.firstIndex { $0 == " " || $0 == "\t" } ?? line.endIndex
                var value = line[keyEnd...]
                while let first = value.first, first == " " || first == "\t" { value = value.dropFirst() }
                while let last = value.last, last == " " || last == "\t" { value = value.dropLast() }
                entry = Entry(id: firstID, key: String(line[..<keyEnd]), value: String(value), line: offset + 1)
            }
            entries.append(entry)
            firstID += 1
        }
        return entries
    }

    public var layout: Layout { lock.withLock { _layout } }

    /// Settles the layout a converter or ACL needs. An action's guess gives way; two firm ones
    /// that differ are an error.
    func require(_ layout: Layout, by user: UserKind) throws(RoutingError) {
        let conflict: Bool = lock.withLock {
            users.append(user)
            guard layout != _layout else {
                layoutIsTentative = false
                return false
            }
            guard layoutIsTentative else { return true }
            _layout = layout
            layoutIsTentative = false
            entries = Self.read(lines, layout: layout, firstID: &nextEntryID)
            indexes.removeAll()
            return false
        }
        if conflict {
            let other = layout == .map ? "an ACL without '-M'" : "a map"
            throw RoutingError("pattern file '\(path)' is also read by \(other): an ACL that shares a map's file needs '-M' to read it as 'KEY VALUE' lines")
        }
    }

    /// Adds a way of matching the entries (a converter's or an ACL's): every key must parse for
    /// the method and, for a map, every value for its output type.
    func register(_ matcher: PatternMatcher) throws(RoutingError) {
        try locked { () throws(RoutingError) in
            if indexes[matcher] != nil { return }
            var index = PatternIndex(matcher)
            for entry in entries {
                do throws(RoutingError) {
                    try index.append(entry, matcher: matcher)
                } catch {
                    throw RoutingError("\(error.message) at line \(entry.line) of file '\(path)'")
                }
            }
            matchers.append(matcher)
            indexes[matcher] = index
        }
    }

    /// `withLock` for closures with a typed error.
    private func locked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: - Lookups

    /// The first entry (by `matcher`'s rules) that `sample` matches, with its value converted as
    /// the matcher outputs it.
    func lookup(_ sample: SampleValue, _ matcher: PatternMatcher) -> (entry: Entry, value: SampleValue?)? {
        lock.withLock {
            guard let index = indexes[matcher], let position = index.firstMatch(sample, matcher: matcher, entries: entries) else { return nil }
            return (entries[position], index.values[position])
        }
    }

    /// Whether an entry matches (ACLs).
    func contains(_ sample: SampleValue, _ matcher: PatternMatcher) -> Bool {
        lock.withLock {
            guard let index = indexes[matcher] else { return false }
            return index.firstMatch(sample, matcher: matcher, entries: entries) != nil
        }
    }

    /// What `get map`/`get acl` reports: for each way the file is matched, the entry `text`
    /// matches, if any.
    public func describeLookups(_ text: String) -> [(matcher: PatternMatcher, match: (entry: Entry, value: SampleValue?)?)] {
        lock.withLock {
            matchers.map { matcher in
                guard let index = indexes[matcher], let sample = matcher.sample(fromText: text),
                    let position = index.firstMatch(sample, matcher: matcher, entries: entries)
                else { return (matcher, nil) }
                return (matcher, (entries[position], index.values[position]))
            }
        }
    }

    // MARK: - Changes

    /// Every entry, in order.
    public var snapshot: [Entry] { lock.withLock { entries } }
    public var count: Int { lock.withLock { entries.count } }
    public var userKinds: [UserKind] { lock.withLock { users } }

    /// Why a change was refused.
    public enum ChangeError: Error, Equatable {
        /// A key or value that does not parse for a converter or ACL using the file.
        case invalid(String)
        /// `maximumEntries` reached.
        case full
    }

    /// Appends an entry, after checking it parses for every matcher.
    public func add(key: String, value: String?) throws(ChangeError) {
        try locked { () throws(ChangeError) in try addLocked(key: key, value: value) }
    }

    private func addLocked(key: String, value: String?) throws(ChangeError) {
        guard entries.count < Self.maximumEntries else { throw .full }
        let entry = Entry(id: nextEntryID, key: key, value: value, line: 0)
        var updated: [PatternMatcher: PatternIndex] = [:]
        for matcher in matchers {
            var index = indexes[matcher]!
            do throws(RoutingError) {
                try index.append(entry, matcher: matcher)
            } catch {
                throw .invalid(error.message)
            }
            updated[matcher] = index
        }
        nextEntryID += 1
        entries.append(entry)
        indexes = updated
    }

    /// `add-acl`: adds the key unless an entry has it already.
    public func addIfMissing(key: String) {
        lock.withLock {
            guard !entries.contains(where: { $0.key == key }) else { return }
            try? addLocked(key: key, value: nil)
        }
    }

    /// Sets the value of every entry with this key (or this `#ID`); false when there is none.
    public func setValue(_ value: String, forKey key: String) throws(ChangeError) -> Bool {
        try locked { () throws(ChangeError) in
            let positions = positions(of: key)
            guard !positions.isEmpty else { return false }
            try setLocked(value, at: positions)
            return true
        }
    }

    /// `set-map`: sets the value of every entry with this key, or adds one.
    public func setOrAdd(key: String, value: String) {
        lock.withLock {
            let positions = entries.indices.filter { entries[$0].key == key }
            if positions.isEmpty {
                try? addLocked(key: key, value: value)
            } else {
                try? setLocked(value, at: positions)
            }
        }
    }

    private func setLocked(_ value: String, at positions: [Int]) throws(ChangeError) {
        var parsed: [PatternMatcher: SampleValue?] = [:]
        for matcher in matchers where matcher.output != nil {
            do {
                parsed[matcher] = try matcher.parseValue(value)
            } catch {
                throw .invalid(error.message)
            }
        }
        for position in positions {
            entries[position].value = value
            for (matcher, sample) in parsed { indexes[matcher]?.values[position] = sample }
        }
    }

    /// Removes every entry with this key (or this `#ID`); false when there is none.
    @discardableResult
    public func remove(key: String) -> Bool {
        lock.withLock {
            let positions = Set(positions(of: key))
            guard !positions.isEmpty else { return false }
            entries = entries.enumerated().filter { !positions.contains($0.offset) }.map(\.element)
            rebuildLocked()
            return true
        }
    }

    /// Removes every entry.
    public func clear() {
        lock.withLock {
            entries.removeAll()
            rebuildLocked()
        }
    }

    private func rebuildLocked() {
        for matcher in matchers {
            var index = PatternIndex(matcher)
            // Every remaining entry parsed before; a failure cannot happen.
            for entry in entries { try? index.append(entry, matcher: matcher) }
            indexes[matcher] = index
        }
    }

    /// The entries a command's key names: `#ID` (as `show map` prints it) or the exact key.
    private func positions(of key: String) -> [Int] {
        if key.hasPrefix("#0x"), let id = UInt64(key.dropFirst(3), radix: 16) {
            return entries.indices.filter { entries[$0].id == id }
        }
        return entries.indices.filter { entries[$0].key == key }
    }
}
