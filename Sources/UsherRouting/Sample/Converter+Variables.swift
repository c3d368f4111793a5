import UsherConfig

extension Converter {
    /// The converters that read or write variables: `set-var`, `unset-var`, and the arithmetic
    /// ones, whose argument may name a variable. `nil` for any other.
    static func contextual(_ call: (name: String, arguments: [String])) throws(RoutingError) -> ContextualTransform? {
        switch call.name {
        case "set-var":
            guard let first = call.arguments.first else {
                throw RoutingError("converter 'set-var' expects a variable name, e.g. set-var(txn.host)")
            }
            let variable = try SampleFetch.variableName(first)
            var conditions: [VariableCondition] = []
            for text in call.arguments.dropFirst() {
                guard let condition = VariableCondition(rawValue: text) else {
                    let known = VariableCondition.allCases.map(\.rawValue).joined(separator: ", ")
                    throw RoutingError("unknown condition '\(text)' in converter 'set-var' (expected one of \(known))")
                }
                conditions.append(condition)
            }
            let required = conditions
            // The value goes on only if it was stored, as in HAProxy.
            return { value, context in
                guard let storage = context.variables, storage.sessionVariables.set(variable, to: value, conditions: required) else { return nil }
                return value
            }
        case "unset-var":
            guard call.arguments.count == 1 else {
                throw RoutingError("converter 'unset-var' expects one variable name, e.g. unset-var(txn.host)")
            }
            let variable = try SampleFetch.variableName(call.arguments[0])
            return { value, context in
                context.variables?.sessionVariables.unset(variable)
                return value
            }
        default:
            return try arithmetic(call)
        }
    }
}
