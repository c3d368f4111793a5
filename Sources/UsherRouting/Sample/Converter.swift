/// A converter applied after a fetch (`,lower`), as HAProxy chains them.
struct Converter: Sendable {
    typealias Transform = @Sendable (SampleValue) -> SampleValue?

    static func make(_ call: (name: String, arguments: [String])) throws(RoutingError) -> Transform {
        switch call.name {
        case "lower":
            guard call.arguments.isEmpty else { throw RoutingError("converter 'lower' takes no arguments") }
            return { value in .string(value.text.lowercased()) }
        case "upper":
            guard call.arguments.isEmpty else { throw RoutingError("converter 'upper' takes no arguments") }
            return { value in .string(value.text.uppercased()) }
        case "field":
            guard (2...3).contains(call.arguments.count), let index = Int(call.arguments[0]), index != 0,
                let separator = call.arguments[1].first
            else {
                throw RoutingError("converter 'field' expects an index and a delimiter, e.g. field(1,.)")
            }
            let count = call.arguments.count == 3 ? Int(call.arguments[2]) ?? 1 : 1
            return { value in
                let pieces = value.text.split(separator: separator, omittingEmptySubsequences: false)
                let start = index > 0 ? index - 1 : pieces.count + index - count + 1
                guard start >= 0, start < pieces.count else { return .string("") }
                let end = min(pieces.count, start + max(1, count))
                return .string(pieces[start..<end].joined(separator: String(separator)))
            }
        default:
            throw RoutingError("converter '\(call.name)' is not supported by usher yet")
        }
    }
}
