/// The variables of one scope instance (a connection's `sess`, a transaction's `txn`…) and the
/// bytes they are accounted for.
struct VariableSet {
    private(set) var values: [String: SampleValue] = [:]
    /// The sum of `cost(of:)` over the values.
    private(set) var bytes = 0

    /// What a variable counts against the `tune.vars.*` limits: a fixed part (HAProxy 2.6 counts
    /// its variable structure, 80 bytes on 64-bit Linux, so limits tuned for it hold the same
    /// number of variables here) plus the bytes of a string or binary value.
    static func cost(of value: SampleValue) -> Int {
        switch value {
        case .string(let text): overhead + text.utf8.count
        case .binary(let bytes): overhead + bytes.count
        case .integer, .address, .boolean: overhead
        }
    }

    static let overhead = 80

    var isEmpty: Bool { values.isEmpty }

    subscript(name: String) -> SampleValue? { values[name] }

    /// Stores `value`, replacing any; returns the change in bytes.
    @discardableResult
    mutating func store(_ name: String, _ value: SampleValue) -> Int {
        let delta = Self.cost(of: value) - (values[name].map(Self.cost) ?? 0)
        values[name] = value
        bytes += delta
        return delta
    }

    /// Removes the variable; returns the bytes it gave back.
    @discardableResult
    mutating func remove(_ name: String) -> Int {
        guard let old = values.removeValue(forKey: name) else { return 0 }
        let freed = Self.cost(of: old)
        bytes -= freed
        return freed
    }

    /// Removes everything; returns the bytes given back.
    @discardableResult
    mutating func removeAll() -> Int {
        let freed = bytes
        if !values.isEmpty { values.removeAll() }
        bytes = 0
        return freed
    }
}
