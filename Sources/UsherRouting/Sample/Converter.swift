import Crypto
/// A converter applied after a fetch (`,lower`), as HAProxy chains them.
struct Converter: Sendable {
    typealias Transform = @Sendable (SampleValue) -> SampleValue?
    /// A converter that reads or writes the session's variables (`set-var`, `add(txn.n)`).
    typealias ContextualTransform = @Sendable (SampleValue, inout SampleContext) -> SampleValue?

    /// One link of a chain: most converters see only the value.
    enum Step: Sendable {
        case value(Transform)
        case context(ContextualTransform)
    }

    static func step(_ call: (name: String, arguments: [String])) throws(RoutingError) -> Step {
        if let contextual = try contextual(call) { return .context(contextual) }
        if let concatenation = try concatenation(call) { return .context(concatenation) }
        if let bigEndian = try bigEndian(call) { return .value(bigEndian) }
        if let encoding = try encoding(call) { return .value(encoding) }
        if let table = try stickTableConverter(call) { return .value(table) }
        if let map = try mapConverter(call) { return .value(map) }
        return .value(try make(call))
    }

    static func make(_ call: (name: String, arguments: [String])) throws(RoutingError) -> Transform {
        let name = call.name, arguments = call.arguments
        switch name {
        case "iif":
            // The input taken as a boolean (an integer: true unless 0), one of two strings out.
            guard arguments.count == 2 else {
                throw RoutingError("converter 'iif' expects the string for true and the string for false, e.g. iif(yes,no)")
            }
            let whenTrue = arguments[0], whenFalse = arguments[1]
            return { value in integer(value).map { .string($0 != 0 ? whenTrue : whenFalse) } }
        case "lower":
            try expectNoArguments(call)
            return { value in .string(value.text.lowercased()) }
        case "upper":
            try expectNoArguments(call)
            return { value in .string(value.text.uppercased()) }
        case "length":
            try expectNoArguments(call)
            return { value in .integer(Int64(bytes(of: value).count)) }
        case "sha1":
            try expectNoArguments(call)
            return { value in .binary(Array(Insecure.SHA1.hash(data: bytes(of: value)))) }
        case "hex":
            try expectNoArguments(call)
            return { value in .string(bytes(of: value).map { hexDigits[Int($0 >> 4)] + hexDigits[Int($0 & 0xF)] }.joined()) }
        case "host_only":
            try expectNoArguments(call)
            return { value in .string(String(hostAndPort(value.text).host).lowercased()) }
        case "port_only":
            try expectNoArguments(call)
            return { value in .integer(hostAndPort(value.text).port.map(leadingUnsigned) ?? 0) }
        case "ltrim", "rtrim":
            guard arguments.count == 1 else { throw RoutingError("converter '\(name)' expects the characters to trim, e.g. \(name)(\" \")") }
            let characters = Set(arguments[0].utf8)
            let fromStart = name == "ltrim"
            return { value in
                var slice = bytes(of: value)[...]
                if fromStart {
                    while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
                } else {
                    while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
                }
                return .string(String(decoding: slice, as: UTF8.self))
            }
        case "bytes":
            guard (1...2).contains(arguments.count), let offset = Int(arguments[0]), offset >= 0,
                arguments.count == 1 || (Int(arguments[1]).map { $0 >= 0 } ?? false)
            else {
                throw RoutingError("converter 'bytes' expects an offset and an optional length, e.g. bytes(0,4)")
            }
            let length = arguments.count == 2 ? Int(arguments[1]) : nil
            return { value in
                let all = bytes(of: value)
                let start = min(offset, all.count)
                let end = length.map { min(all.count, start + $0) } ?? all.count
                let piece = Array(all[start..<end])
                if case .binary = value { return .binary(piece) }
                return .string(String(decoding: piece, as: UTF8.self))
            }
        case "field", "word":
            return try positional(call)
        case "regsub":
            return try regexSubstitution(call)
        default:
            throw RoutingError("converter '\(name)' is not supported by usher yet")
        }
    }

    static func expectNoArguments(_ call: (name: String, arguments: [String])) throws(RoutingError) {
        guard call.arguments.isEmpty else { throw RoutingError("converter '\(call.name)' takes no arguments") }
    }

    static let hexDigits = (0..<16).map { String($0, radix: 16, uppercase: true) }

    /// The bytes a converter works on: a binary sample's own, any other's text.
    static func bytes(of value: SampleValue) -> [UInt8] {
        if case .binary(let bytes) = value { return bytes }
        return Array(value.text.utf8)
    }

    /// Splits a `Host` value (`name`, `name:80`, `[::1]:80`) at the colon of its port, if any.
    static func hostAndPort(_ text: String) -> (host: Substring, port: Substring?) {
        guard let separator = text.lastIndex(where: { $0 == ":" || $0 == "]" }), text[separator] == ":" else {
            return (text[...], nil)
        }
        return (text[..<separator], text[text.index(after: separator)...])
    }

    /// HAProxy's `strl2ui`: the leading decimal digits as a number.
    static func leadingUnsigned(_ text: Substring) -> Int64 {
        var result: Int64 = 0
        for byte in text.utf8 {
            guard (48...57).contains(byte) else { break }
            result = result &* 10 &+ Int64(byte - 48)
        }
        return result
    }
}
