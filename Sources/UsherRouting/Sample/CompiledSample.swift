import UsherConfig

/// A sample expression ready to evaluate: the fetch's reader followed by its converters.
public struct CompiledSample: Sendable {
    let readers: SampleFetch.Readers
    let converters: [Converter.Step]
    let fetch: SampleFetch
    public let expression: SampleExpression

    public init(_ expression: SampleExpression) throws(RoutingError) {
        guard let fetch = SampleFetch.byName[expression.fetch.name] ?? SampleFetch.stickTableFetch(named: expression.fetch.name) else {
            if HAProxyKeywords.sampleFetches.contains(expression.fetch.name) {
                throw RoutingError("sample fetch '\(expression.fetch.name)' is not supported by usher yet")
            }
            let hint = NearestMatch.find(expression.fetch.name, in: SampleFetch.byName.keys).map { "; did you mean '\($0)'?" } ?? ""
            throw RoutingError("unknown sample fetch '\(expression.fetch.name)'\(hint)")
        }
        self.fetch = fetch
        self.expression = expression
        do {
            readers = try fetch.make(expression.fetch.arguments)
        } catch {
            throw RoutingError("in '\(expression.fetch.name)': \(error.message)")
        }
        var converters: [Converter.Step] = []
        for call in expression.converters {
            converters.append(try Converter.step((call.name, call.arguments)))
        }
        self.converters = converters
    }

    /// Whether evaluating this may need more request bytes.
    public var readsPayload: Bool { fetch.readsPayload }
    /// Whether this reads the HTTP request or response (`hdr()`, `path`…).
    public var readsHTTP: Bool { fetch.readsHTTP }
    /// Whether the fetch reads nothing of a connection (constants, variables).
    var isInternal: Bool { fetch.isInternal }
    /// Whether the fetch can find several values, which an ACL tries in turn.
    var hasSeveralValues: Bool { readers.all != nil }
    var defaultMatch: MatchMethod { fetch.defaultMatch }

    /// The value, as `%[…]` expressions and rules other than ACLs take it.
    public func evaluate(_ context: inout SampleContext) -> FetchResult<SampleValue> {
        if fetch.readsHTTP, context.readsHTTPFromPayload, context.request == nil {
            switch context.prepareRequestFromPayload() {
            case .value: break
            case .needMoreData: return .needMoreData
            case .noValue: return fetch.names.contains("req.proto_http") ? .value(.boolean(false)) : .noValue
            }
        }
        let result = readers.single(&context)
        guard !converters.isEmpty, case .value(let value) = result else { return result }
        return convert(value, &context).map { .value($0) } ?? .noValue
    }

    /// Every value of a fetch that can find several (each converted; those a converter rejects are
    /// dropped), or the single value.
    func evaluateAll(_ context: inout SampleContext) -> FetchResult<[SampleValue]> {
        guard let all = readers.all else { return evaluate(&context).map { [$0] } }
        if fetch.readsHTTP, context.readsHTTPFromPayload, context.request == nil {
            switch context.prepareRequestFromPayload() {
            case .value: break
            case .needMoreData: return .needMoreData
            case .noValue: return .noValue
            }
        }
        let result = all(&context)
        guard !converters.isEmpty, case .value(let values) = result else { return result }
        var converted: [SampleValue] = []
        for value in values {
            if let value = convert(value, &context) { converted.append(value) }
        }
        return converted.isEmpty ? .noValue : .value(converted)
    }

    private func convert(_ value: SampleValue, _ context: inout SampleContext) -> SampleValue? {
        var value = value
        for converter in converters {
            let next: SampleValue?
            switch converter {
            case .value(let transform): next = transform(value)
            case .context(let transform): next = transform(value, &context)
            }
            guard let next else { return nil }
            value = next
        }
        return value
    }
}
