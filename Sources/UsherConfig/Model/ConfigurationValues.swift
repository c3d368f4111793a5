/// Parsers for the value syntaxes HAProxy uses throughout its configuration.
public enum ConfigurationValues {
    /// A duration: a number with an optional unit `us`, `ms`, `s`, `m`, `h` or `d`; a bare number is
    /// milliseconds.
    public static func duration(_ text: String) -> Duration? {
        guard let (value, ignored) = durationAndIgnoredSuffix(text) else { return nil }
        if !ignored.isEmpty {
            notes?.add("'\(text)' is read as \(text.dropLast(ignored.count)): HAProxy 2.6 ignores what follows a time's unit (here '\(ignored)') with a warning, and later versions refuse it")
        }
        return value
    }

    /// A time as HAProxy 2.6 reads it: digits, then nothing (milliseconds) or a unit (`us`, `ms`, `s`,
    /// `m`, `h`, `d`); characters after a unit are ignored (returned as the second value) rather than
    /// refused, so `15min` is 15 minutes and `1h30m` one hour.
    public static func durationAndIgnoredSuffix(_ text: String) -> (Duration, Substring)? {
        let characters = Substring(text)
        let digits = characters.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int64(digits), value < (1 << 40) else { return nil }
        let rest = characters[digits.endIndex...]
        let duration: Duration
        var unitLength = 1
        switch rest.first {
        case nil: return (.milliseconds(value), rest)
        case "u":
            guard rest.dropFirst().first == "s" else { return nil }
            duration = .microseconds(value)
            unitLength = 2
        case "m":
            if rest.dropFirst().first == "s" {
                duration = .milliseconds(value)
                unitLength = 2
            } else {
                duration = .seconds(value * 60)
            }
        case "s": duration = .seconds(value)
        case "h": duration = .seconds(value * 3600)
        case "d": duration = .seconds(value * 86_400)
        default: return nil
        }
        return (duration, rest.dropFirst(unitLength))
    }

    /// Where `duration(_:)` leaves its warnings while a line is read (bound by the parser).
    @TaskLocal static var notes: ValueNotes?

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

/// Warnings about values accepted with HAProxy's leniency, collected while one line is read. It
/// is only touched by the parsing call that binds it, on one thread: hence no lock.
final class ValueNotes: @unchecked Sendable {
    private(set) var all: [String] = []

    func add(_ note: String) {
        all.append(note)
    }
}
