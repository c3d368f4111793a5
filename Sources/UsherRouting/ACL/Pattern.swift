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
        case .method:
            return .string(text)
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

    /// `N`, `N:M`, `N:`, `:M` (HAProxy also accepts `-` for `:`, as in `8000-8010`), and for
    /// versions `3.1` or `3.0:3.3`.
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
        if let colon = text.firstIndex(where: { $0 == ":" || $0 == "-" }) {
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
        case (.string(let pattern), .method):
            let method = value.text
            if MatchMethod.knownHTTPMethods.contains(pattern) { return method == pattern }
            guard !MatchMethod.knownHTTPMethods.contains(method) else { return false }
            return ignoreCase ? method.lowercased() == pattern.lowercased() : method == pattern
        case (.string(let pattern), .string), (.string(let pattern), .beginning), (.string(let pattern), .end), (.string(let pattern), .substring):
            // A binary sample (`req.payload`) is compared byte for byte, as HAProxy casts binary to
            // string: its raw bytes, not the hex digits its text would show.
            if case .binary(let raw) = value {
                return Self.byteMatch(raw, Array(pattern.utf8), method: method, ignoreCase: ignoreCase)
            }
            let subject = ignoreCase ? value.text.lowercased() : value.text
            switch method {
            case .string: return subject == pattern
            case .beginning: return subject.hasPrefix(pattern)
            case .end: return subject.hasSuffix(pattern)
            default: return pattern.isEmpty || subject.contains(pattern)
            }
        case (.string(let pattern), _):
            let subject = ignoreCase ? value.text.lowercased() : value.text
            switch method {
            case .string: return subject == pattern
            case .beginning: return subject.hasPrefix(pattern)
            case .end: return subject.hasSuffix(pattern)
            case .substring: return pattern.isEmpty || subject.contains(pattern)
            case .directory: return Self.wordMatch(subject, pattern, delimiters: Self.directoryDelimiters)
            case .domain: return Self.wordMatch(subject, pattern, delimiters: Self.domainDelimiters)
            default: return false
            }
        default:
            return false
        }
    }

    /// `str`, `beg`, `end`, `sub` on raw bytes (`pattern` is already lowercased when `ignoreCase`).
    static func byteMatch(_ subject: [UInt8], _ pattern: [UInt8], method: MatchMethod, ignoreCase: Bool) -> Bool {
        let bytes = ignoreCase ? subject.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 } : subject
        switch method {
        case .string: return bytes == pattern
        case .beginning: return bytes.starts(with: pattern)
        case .end: return bytes.count >= pattern.count && Array(bytes.suffix(pattern.count)) == pattern
        case .substring:
            guard !pattern.isEmpty else { return true }
            guard bytes.count >= pattern.count else { return false }
            for start in 0...(bytes.count - pattern.count) where bytes[start..<start + pattern.count].elementsEqual(pattern) { return true }
            return false
        default: return false
        }
    }

    /// `dir` delimiters, as in HAProxy: `/` and `?`.
    static let directoryDelimiters: Set<UInt8> = [UInt8(ascii: "/"), UInt8(ascii: "?")]
    /// `dom` delimiters, as in HAProxy: `/`, `?`, `.` and `:` (so `example.com` matches the Host
    /// `www.example.com:8080`).
    static let domainDelimiters: Set<UInt8> = [UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "."), UInt8(ascii: ":")]

    /// `dir`/`dom`: the pattern (without the delimiters at its ends) appears in the subject with a
    /// delimiter or the subject's edge on each side, as HAProxy's `match_word` does.
    static func wordMatch(_ subject: String, _ pattern: String, delimiters: Set<UInt8>) -> Bool {
        var word = Array(pattern.utf8)[...]
        while let first = word.first, delimiters.contains(first) { word = word.dropFirst() }
        while let last = word.last, delimiters.contains(last) { word = word.dropLast() }
        guard !word.isEmpty else { return false }
        let text = Array(subject.utf8)
        guard word.count <= text.count else { return false }
        var mayMatch = true
        for start in 0...(text.count - word.count) {
            if delimiters.contains(text[start]) {
                mayMatch = true
                continue
            }
            guard mayMatch else { continue }
            let end = start + word.count
            if text[start..<end].elementsEqual(word), end == text.count || delimiters.contains(text[end]) {
                return true
            }
            mayMatch = false
        }
        return false
    }
}
