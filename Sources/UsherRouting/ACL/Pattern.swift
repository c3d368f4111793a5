/// One compiled pattern of an ACL; `matches` compares a sample value with it.
enum Pattern: @unchecked Sendable {
    case string(String)
    case bytes([UInt8])
    case integerRange(ClosedRange<Int64>)
    case network(IPNetwork)
    case regex(Regex<AnyRegexOutput>)

    /// Compiles the text of a pattern for `method`.
    static func compile(_ text: String, method: MatchMethod, ignoreCase: Bool, dottedVersions: Bool) throws(RoutingError) -> Pattern {
        switch method {
        case .found, .boolean:
            throw RoutingError("match method '\(method.rawValue)' takes no pattern, but '\(text)' was given")
        case .integer, .length:
            return .integerRange(try integerRange(text, dottedVersions: dottedVersions))
        case .ip:
            guard let network = IPNetwork(text) else {
                throw RoutingError("'\(text)' is not an IPv4 or IPv6 address or network")
            }
            return .network(network)
        case .binary:
            guard text.count % 2 == 0, let bytes = hexBytes(text) else {
                throw RoutingError("'\(text)' is not a hexadecimal byte string")
            }
            return .bytes(bytes)
        case .regex:
            do {
                var regex = try Regex(text)
                if ignoreCase { regex = regex.ignoresCase() }
                return .regex(regex)
            } catch {
                throw RoutingError("invalid regular expression '\(text)': \(error)")
            }
        case .string, .substring, .beginning, .end, .directory, .domain:
            return .string(ignoreCase ? text.lowercased() : text)
        }
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        var result: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next() {
            guard let low = iterator.next(), let h = hexDigit(high), let l = hexDigit(low) else { return nil }
            result.append(h << 4 | l)
        }
        return result
    }

    static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }

    /// `N`, `N:M`, `N:`, `:M`, and for versions `3.1` or `3.0:3.3`.
    static func integerRange(_ text: String, dottedVersions: Bool) throws(RoutingError) -> ClosedRange<Int64> {
        func number(_ piece: Substring) throws(RoutingError) -> Int64 {
            if dottedVersions, let dot = piece.firstIndex(of: "."), let major = Int64(piece[..<dot]), let minor = Int64(piece[piece.index(after: dot)...]) {
                return major << 16 + minor
            }
            guard let value = Int64(piece) else {
                throw RoutingError("'\(text)' is not an integer or a range like 1:5")
            }
            return value
        }
        if let colon = text.firstIndex(of: ":") {
            let low = text[..<colon], high = text[text.index(after: colon)...]
            let lower = low.isEmpty ? Int64.min : try number(low)
            let upper = high.isEmpty ? Int64.max : try number(high)
            guard lower <= upper else { throw RoutingError("empty range '\(text)'") }
            return lower...upper
        }
        let value = try number(Substring(text))
        return value...value
    }

    func matches(_ value: SampleValue, method: MatchMethod, ignoreCase: Bool) -> Bool {
        switch (self, method) {
        case (.integerRange(let range), .integer):
            switch value {
            case .integer(let number): return range.contains(number)
            case .boolean(let flag): return range.contains(flag ? 1 : 0)
            case .string(let text): return Int64(text).map(range.contains) ?? false
            default: return false
            }
        case (.integerRange(let range), .length):
            switch value {
            case .string(let text): return range.contains(Int64(text.utf8.count))
            case .binary(let bytes): return range.contains(Int64(bytes.count))
            default: return range.contains(Int64(value.text.utf8.count))
            }
        case (.network(let network), _):
            switch value {
            case .address(let address): return network.contains(address)
            case .string(let text): return IPAddress(text).map(network.contains) ?? false
            default: return false
            }
        case (.bytes(let pattern), _):
            switch value {
            case .binary(let bytes): return bytes == pattern
            default: return Array(value.text.utf8) == pattern
            }
        case (.regex(let regex), _):
            return (try? regex.firstMatch(in: value.text)) != nil
        case (.string(let pattern), _):
            let subject = ignoreCase ? value.text.lowercased() : value.text
            switch method {
            case .string: return subject == pattern
            case .beginning: return subject.hasPrefix(pattern)
            case .end: return subject.hasSuffix(pattern)
            case .substring: return pattern.isEmpty || subject.contains(pattern)
            case .directory: return Self.delimitedMatch(subject, pattern, delimiter: "/")
            case .domain: return Self.delimitedMatch(subject, pattern, delimiter: ".")
            default: return false
            }
        default:
            return false
        }
    }

    /// `dir`/`dom`: the pattern appears as whole components between delimiters.
    static func delimitedMatch(_ subject: String, _ pattern: String, delimiter: Character) -> Bool {
        let trimmedPattern = pattern.split(separator: delimiter, omittingEmptySubsequences: true)
        guard !trimmedPattern.isEmpty else { return false }
        let components = subject.split(separator: delimiter, omittingEmptySubsequences: true)
        guard components.count >= trimmedPattern.count else { return false }
        for start in 0...(components.count - trimmedPattern.count) {
            if Array(components[start..<(start + trimmedPattern.count)]) == trimmedPattern { return true }
        }
        return false
    }
}
