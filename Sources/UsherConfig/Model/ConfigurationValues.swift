/// Parsers for the value syntaxes HAProxy uses throughout its configuration.
public enum ConfigurationValues {
    /// A duration: a number with an optional unit `us`, `ms`, `s`, `m`, `h` or `d`; a bare number is
    /// milliseconds.
    public static func duration(_ text: String) -> Duration? {
        var digits = Substring(text)
        var unit = Substring("")
        while let last = digits.last, !last.isNumber {
            unit.insert(last, at: unit.startIndex)
            digits.removeLast()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits) else { return nil }
        let limit: Int64 = 1 << 40
        guard value < limit else { return nil }
        switch unit {
        case "us": return .microseconds(value)
        case "", "ms": return .milliseconds(value)
        case "s": return .seconds(value)
        case "m": return .seconds(value * 60)
        case "h": return .seconds(value * 3600)
        case "d": return .seconds(value * 86_400)
        default: return nil
        }
    }

    /// A plain non-negative decimal integer.
    public static func integer(_ text: String, in range: ClosedRange<Int> = 0...Int(Int32.max)) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(text), range.contains(value) else {
            return nil
        }
        return value
    }

    /// A size with an optional `k`, `m` or `g` suffix (powers of 1024).
    public static func size(_ text: String) -> Int? {
        var body = Substring(text)
        var multiplier = 1
        switch body.last?.lowercased() {
        case "k": multiplier = 1024; body.removeLast()
        case "m": multiplier = 1024 * 1024; body.removeLast()
        case "g": multiplier = 1024 * 1024 * 1024; body.removeLast()
        default: break
        }
        guard let value = integer(String(body)) else { return nil }
        return value * multiplier
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
