import UsherConfig

/// A `set-var(…)`, `set-var-fmt(…)` or `unset-var(…)` action, compiled: the same in `tcp-request`,
/// `http-request` and `http-response` rules.
struct CompiledVariableAction: Sendable {
    enum Source: Sendable {
        case sample(CompiledSample)
        case format(LogFormatTemplate)
    }

    enum Operation: Sendable {
        case set(VariableName, [VariableCondition], Source)
        case unset(VariableName)
    }

    let operation: Operation

    init(_ action: VariableAction) throws(RoutingError) {
        switch action {
        case .unset(let variable):
            operation = .unset(variable)
        case .set(let assignment):
            let source: Source
            switch assignment.value {
            case .expression(let expression): source = .sample(try CompiledSample(expression))
            case .format(let format): source = .format(try LogFormatTemplate(format))
            }
            operation = .set(assignment.variable, assignment.conditions, source)
        }
    }

    /// Sets or unsets the variable in the context's session. An expression without a value sets
    /// nothing; it is read as final (what has arrived is all it gets), as HAProxy reads it.
    func apply(_ context: inout SampleContext) {
        switch operation {
        case .unset(let variable):
            context.variables?.sessionVariables.unset(variable)
        case .set(let variable, let conditions, let source):
            guard context.variables != nil, let value = Self.value(of: source, &context) else { return }
            context.variables?.sessionVariables.set(variable, to: value, conditions: conditions)
        }
    }

    static func value(of source: Source, _ context: inout SampleContext) -> SampleValue? {
        switch source {
        case .format(let template):
            return .string(template.render(&context))
        case .sample(let sample):
            let wasFinal = context.isFinal
            context.isFinal = true
            defer { context.isFinal = wasFinal }
            guard case .value(let value) = sample.evaluate(&context) else { return nil }
            return value
        }
    }

    /// The fetches (or log-format variables) of its value that read HTTP, for `mode tcp` checks.
    var httpFetchNames: [String] {
        switch operation {
        case .unset: return []
        case .set(_, _, .sample(let sample)): return sample.readsHTTP ? [sample.expression.fetch.name] : []
        case .set(_, _, .format(let template)): return template.httpFetchNames
        }
    }

    /// The fetches of its value that read the request's contents (payload or HTTP): none may in a
    /// `tcp-request connection` or `session` rule, which runs before anything is read.
    var contentFetchNames: [String] {
        switch operation {
        case .unset: return []
        case .set(_, _, .sample(let sample)): return sample.readsHTTP || sample.readsPayload ? [sample.expression.fetch.name] : []
        case .set(_, _, .format(let template)): return template.contentFetchNames
        }
    }
}
