import UsherConfig

extension Converter {
    /// `concat([START],[VAR],[END])` and `add_item(DELIM,[VAR][,SUFFIX])`: text appended to the
    /// sample, a variable's value among it. `nil` for any other converter.
    static func concatenation(_ call: (name: String, arguments: [String])) throws(RoutingError) -> ContextualTransform? {
        let arguments = call.arguments
        switch call.name {
        case "concat":
            guard arguments.count <= 3 else { throw RoutingError("converter 'concat' expects at most a prefix, a variable name and a suffix") }
            let start = arguments.first ?? ""
            let variable = try optionalVariable(arguments.count > 1 ? arguments[1] : "")
            let end = arguments.count > 2 ? arguments[2] : ""
            return { value, context in
                .string(value.text + start + (variable.flatMap { context.variables?.sessionVariables.value(of: $0)?.text } ?? "") + end)
            }
        case "add_item":
            guard (2...3).contains(arguments.count), !(arguments[1].isEmpty && (arguments.count < 3 || arguments[2].isEmpty)) else {
                throw RoutingError("converter 'add_item' expects a delimiter, then a variable name, a suffix or both, e.g. add_item(\",\",txn.name)")
            }
            let delimiter = arguments[0]
            let variable = try optionalVariable(arguments[1])
            let suffix = arguments.count > 2 ? arguments[2] : ""
            return { value, context in
                let item = variable.flatMap { context.variables?.sessionVariables.value(of: $0)?.text } ?? ""
                var text = value.text
                // The delimiter only between two items: after a non-empty sample, before something.
                if !text.isEmpty && (!item.isEmpty || !suffix.isEmpty) { text += delimiter }
                return .string(text + item + suffix)
            }
        default:
            return nil
        }
    }

    private static func optionalVariable(_ text: String) throws(RoutingError) -> VariableName? {
        text.isEmpty ? nil : try SampleFetch.variableName(text)
    }

    /// `be2dec(SEPARATOR,CHUNK[,TRUNCATE])` and `be2hex([SEPARATOR],[CHUNK],[TRUNCATE])`: binary
    /// read as big-endian numbers of CHUNK bytes (1 to 8), written in decimal or as hexadecimal
    /// digits, SEPARATOR between them; TRUNCATE (non-zero) drops a last, shorter chunk.
    static func bigEndian(_ call: (name: String, arguments: [String])) throws(RoutingError) -> Transform? {
        let arguments = call.arguments
        let decimal: Bool
        switch call.name {
        case "be2dec": decimal = true
        case "be2hex": decimal = false
        default: return nil
        }
        guard arguments.count <= 3, !decimal || arguments.count >= 2 else {
            throw RoutingError(decimal ? "converter 'be2dec' expects a separator, a chunk size from 1 to 8 and an optional truncate flag, e.g. be2dec(:,2)" : "converter 'be2hex' expects an optional separator, chunk size and truncate flag, e.g. be2hex(:,2)")
        }
        let separator = arguments.first ?? ""
        let chunkText = arguments.count > 1 ? arguments[1] : ""
        let chunk: Int
        if chunkText.isEmpty && !decimal && separator.isEmpty {
            // Without a separator or a size, the digits run on.
            chunk = Int.max
        } else {
            guard let size = Int(chunkText), size >= 1, size <= (decimal ? 8 : Int.max) else {
                throw RoutingError("converter '\(call.name)': the chunk size must be a number\(decimal ? " from 1 to 8" : " of at least 1"), not '\(chunkText)'")
            }
            chunk = size
        }
        let truncate: Bool
        if arguments.count > 2, !arguments[2].isEmpty {
            guard let flag = Int(arguments[2]) else { throw RoutingError("converter '\(call.name)': the truncate flag must be 0 or 1, not '\(arguments[2])'") }
            truncate = flag != 0
        } else {
            truncate = false
        }
        return { value in
            let input = bytes(of: value)
            var pieces: [String] = []
            var position = 0
            while position < input.count {
                let end = chunk > input.count - position ? input.count : position + chunk
                if truncate && end - position < chunk { break }
                let slice = input[position..<end]
                if decimal {
                    pieces.append(String(slice.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))
                } else {
                    pieces.append(slice.map { hexDigits[Int($0 >> 4)] + hexDigits[Int($0 & 0xF)] }.joined())
                }
                position = end
            }
            return .string(pieces.joined(separator: separator))
        }
    }
}
