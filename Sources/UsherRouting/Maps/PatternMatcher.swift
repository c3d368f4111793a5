/// One way of matching a pattern file's entries: a map converter's (`map_dom_int`: method `dom`,
/// output `int`) or an ACL's (its method and `-i`, no output).
public struct PatternMatcher: Sendable, Hashable {
    /// What a map converter gives back.
    public enum Output: String, Sendable, Hashable {
        case string = "str"
        case integer = "int"
        case ip

        /// The sample type HAProxy names in `get map`.
        var typeName: String {
            switch self {
            case .string: "str"
            case .integer: "sint"
            case .ip: "ip"
            }
        }
    }

    public var method: MatchMethod
    public var ignoreCase: Bool
    /// `nil` for an ACL.
    public var output: Output?

    public init(method: MatchMethod, ignoreCase: Bool = false, output: Output?) {
        self.method = method
        self.ignoreCase = ignoreCase
        self.output = output
    }

    /// Whether HAProxy keeps these patterns in a tree (exact strings, prefixes and addresses,
    /// case-sensitive), which `get map` reports as `idx=tree`. Trees answer the longest prefix.
    public var isTree: Bool {
        switch method {
        case .string, .beginning: !ignoreCase
        case .ip: true
        default: false
        }
    }

    /// A map value read for the output type; `nil` for an ACL.
    func parseValue(_ text: String) throws(RoutingError) -> SampleValue? {
        switch output {
        case nil: return nil
        case .string: return .string(text)
        case .integer:
            guard let number = Int64(text) else { throw RoutingError("unable to parse '\(text)'") }
            return .integer(number)
        case .ip:
            guard let address = IPAddress(text) else { throw RoutingError("unable to parse '\(text)'") }
            return .address(address)
        }
    }

    /// A key read as a pattern for the method, with HAProxy's words for a bad one.
    func parseKey(_ key: String) throws(RoutingError) -> Pattern {
        switch method {
        case .ip:
            guard let network = IPNetwork(key) else { throw RoutingError("'\(key)' is not a valid IPv4 or IPv6 address") }
            return .network(network)
        case .integer, .length:
            do {
                return .integerRange(try Pattern.integerRange(key, dottedVersions: false))
            } catch {
                throw RoutingError("'\(key)' is not a number")
            }
        default:
            return try Pattern.compile(key, method: method, ignoreCase: ignoreCase, dottedVersions: false)
        }
    }

    /// The sample `get map`/`get acl` look up for the text of the command.
    func sample(fromText text: String) -> SampleValue? {
        switch method {
        case .ip: return IPAddress(text).map { .address($0) }
        case .integer: return Int64(text).map { .integer($0) }
        default: return .string(text)
        }
    }

    /// The converter's input as the method reads it: an integer for `int`, an address for `ip`
    /// (`nil` when the input cannot be one), text for the others.
    func cast(_ value: SampleValue) -> SampleValue? {
        switch method {
        case .ip:
            switch value {
            case .address: return value
            default: return IPAddress(value.text).map { .address($0) }
            }
        case .integer:
            switch value {
            case .integer: return value
            case .boolean(let flag): return .integer(flag ? 1 : 0)
            default: return Int64(value.text).map { .integer($0) }
            }
        default:
            if case .binary = value { return value }
            return .string(value.text)
        }
    }
}

/// A matcher's view of a file's entries: each key compiled, each value parsed, and for exact
/// strings a dictionary.
struct PatternIndex: @unchecked Sendable {
    var patterns: [Pattern] = []
    var values: [SampleValue?] = []
    /// `str` without `-i`: the first entry of each key.
    var exact: [String: Int]?

    init(_ matcher: PatternMatcher) {
        if matcher.method == .string { exact = [:] }
    }

    mutating func append(_ entry: PatternFile.Entry, matcher: PatternMatcher) throws(RoutingError) {
        let pattern = try matcher.parseKey(entry.key)
        let value = try matcher.parseValue(entry.value ?? "")
        let position = patterns.count
        patterns.append(pattern)
        values.append(matcher.output == nil ? nil : value)
        if exact != nil {
            let key = matcher.ignoreCase ? entry.key.lowercased() : entry.key
            if exact![key] == nil { exact![key] = position }
        }
    }

    /// The entry `sample` matches as HAProxy finds it: an exact string by its key (the first of
    /// duplicates); a prefix (`beg`, case-sensitive) and an address the longest that matches
    /// (IPv4 networks before IPv6 ones), the first of equals; anything else the first in order.
    func firstMatch(_ sample: SampleValue, matcher: PatternMatcher, entries: [PatternFile.Entry]) -> Int? {
        if let exact {
            let text = matcher.ignoreCase ? sample.text.lowercased() : sample.text
            return exact[text]
        }
        switch matcher.method {
        case .beginning where !matcher.ignoreCase:
            let text = sample.text
            var best: (position: Int, length: Int)?
            for (position, pattern) in patterns.enumerated() {
                guard case .string(let prefix) = pattern, text.utf8.starts(with: prefix.utf8) else { continue }
                if best == nil || prefix.utf8.count > best!.length { best = (position, prefix.utf8.count) }
            }
            return best?.position
        case .ip:
            guard case .address(let address) = sample else { return nil }
            var best: (position: Int, length: Int, isV4: Bool)?
            for (position, pattern) in patterns.enumerated() {
                guard case .network(let network) = pattern, network.contains(address) else { continue }
                let isV4 = if case .v4 = network.address { true } else { false }
                if let current = best {
                    if current.isV4 && !isV4 { continue }
                    if current.isV4 == isV4 && network.prefixLength <= current.length { continue }
                }
                best = (position, network.prefixLength, isV4)
            }
            return best?.position
        default:
            return patterns.firstIndex { $0.matches(sample, method: matcher.method, ignoreCase: matcher.ignoreCase) }
        }
    }
}
