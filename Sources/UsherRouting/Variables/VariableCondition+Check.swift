import UsherConfig

extension VariableCondition {
    /// Whether the condition holds for setting a variable to `new`. `current` is its value now;
    /// `exists` whether it exists (a `proc` variable exists without a value).
    func holds(current: SampleValue?, exists: Bool, new: SampleValue) -> Bool {
        switch self {
        case .ifExists: return exists
        case .ifNotExists: return !exists
        case .ifSet: return current != nil
        case .ifNotSet: return current == nil
        case .ifEmpty: return new.isEmptyText
        case .ifNotEmpty: return !new.isEmptyText
        case .ifGreater, .ifLess:
            // Compared only when both are integers; otherwise the condition does not stand in the way.
            guard case .integer(let old)? = current, case .integer(let value) = new else { return true }
            return self == .ifGreater ? old > value : old < value
        }
    }
}

extension Array where Element == VariableCondition {
    func allHold(current: SampleValue?, exists: Bool, new: SampleValue) -> Bool {
        allSatisfy { $0.holds(current: current, exists: exists, new: new) }
    }
}

extension SampleValue {
    /// An empty string or binary; an integer, address or boolean is never empty.
    var isEmptyText: Bool {
        switch self {
        case .string(let text): text.isEmpty
        case .binary(let bytes): bytes.isEmpty
        case .integer, .address, .boolean: false
        }
    }

    /// The value with a string or binary cut to `limit` bytes (a string at a character boundary),
    /// as a value built in one of HAProxy's buffers never exceeds `tune.bufsize`.
    func truncated(to limit: Int) -> SampleValue {
        switch self {
        case .string(let text) where text.utf8.count > limit:
            var kept = 0
            var scalars = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                kept += UTF8.width(scalar)
                guard kept <= limit else { break }
                scalars.append(scalar)
            }
            return .string(String(scalars))
        case .binary(let bytes) where bytes.count > limit:
            return .binary(Array(bytes.prefix(limit)))
        default:
            return self
        }
    }
}
