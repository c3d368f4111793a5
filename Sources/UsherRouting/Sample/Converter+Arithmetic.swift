import UsherConfig

extension Converter {
    /// `add`, `sub`, `mul`, `div`, `mod`, `and`, `or`, `xor` (an integer or a variable's value as
    /// argument) and `neg`: the input taken as an integer, results held within 64 bits as HAProxy
    /// holds them (a sum too large stays at the largest integer; a division by zero gives the
    /// largest integer, a modulo by zero 0). `nil` for any other converter.
    static func arithmetic(_ call: (name: String, arguments: [String])) throws(RoutingError) -> ContextualTransform? {
        let operation: @Sendable (Int64, Int64) -> Int64
        switch call.name {
        case "add": operation = { a, b in a.addingReportingOverflow(b).overflow ? (b > 0 ? .max : .min) : a &+ b }
        case "sub": operation = { a, b in a.subtractingReportingOverflow(b).overflow ? (b < 0 ? .max : .min) : a &- b }
        case "mul":
            operation = { a, b in
                let (product, overflow) = a.multipliedReportingOverflow(by: b)
                return overflow ? ((a < 0) == (b < 0) ? .max : .min) : product
            }
        case "div": operation = { a, b in b == 0 ? .max : (a == .min && b == -1 ? .max : a / b) }
        case "mod": operation = { a, b in b == 0 || b == -1 ? 0 : a % b }
        case "and": operation = { a, b in a & b }
        case "or": operation = { a, b in a | b }
        case "xor": operation = { a, b in a ^ b }
        case "neg":
            try expectNoArguments(call)
            return { value, _ in integer(value).map { $0 == .min ? .integer(.max) : .integer(-$0) } }
        default:
            return nil
        }
        guard call.arguments.count == 1 else {
            throw RoutingError("converter '\(call.name)' expects an integer or a variable name, e.g. \(call.name)(1) or \(call.name)(txn.count)")
        }
        let argument = call.arguments[0]
        if let constant = Int64(argument) {
            return { value, _ in integer(value).map { .integer(operation($0, constant)) } }
        }
        guard case .success(let variable) = VariableName.parse(argument) else {
            throw RoutingError("converter '\(call.name)' expects an integer or a variable name, not '\(argument)'")
        }
        return { value, context in
            guard let input = integer(value), let stored = context.variables?.sessionVariables.value(of: variable), let operand = integer(stored) else {
                return nil
            }
            return .integer(operation(input, operand))
        }
    }

    /// A value taken as an integer, as HAProxy casts samples: a string's leading sign and digits
    /// (none gives 0; an empty string, nothing), a boolean's 0 or 1, an IPv4 address's 32 bits.
    static func integer(_ value: SampleValue) -> Int64? {
        switch value {
        case .integer(let number): return number
        case .boolean(let flag): return flag ? 1 : 0
        case .string(let text):
            guard !text.isEmpty else { return nil }
            var bytes = text.utf8[...]
            var negative = false
            if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                negative = sign == UInt8(ascii: "-")
                bytes = bytes.dropFirst()
            }
            var result: Int64 = 0
            for byte in bytes {
                guard (48...57).contains(byte) else { break }
                let digit = Int64(byte - 48)
                let (times10, overflow1) = result.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(digit)
                if overflow1 || overflow2 { return negative ? .min : .max }
                result = sum
            }
            return negative ? -result : result
        case .address(let address):
            guard case .v4(let bits) = address else { return nil }
            return Int64(bits)
        case .binary:
            return nil
        }
    }
}
