import UsherConfig

/// A sample expression ready to evaluate: the fetch's reader followed by its converters.
public struct CompiledSample: Sendable {
    let reader: SampleFetch.Reader
    let converters: [Converter.Transform]
    let fetch: SampleFetch
    public let expression: SampleExpression

    public init(_ expression: SampleExpression) throws(RoutingError) {
        guard let fetch = SampleFetch.byName[expression.fetch.name] else {
            if HAProxyKeywords.sampleFetches.contains(expression.fetch.name) {
                throw RoutingError("sample fetch '\(expression.fetch.name)' is not supported by usher yet")
            }
            let hint = NearestMatch.find(expression.fetch.name, in: SampleFetch.byName.keys).map { "; did you mean '\($0)'?" } ?? ""
            throw RoutingError("unknown sample fetch '\(expression.fetch.name)'\(hint)")
        }
        self.fetch = fetch
        self.expression = expression
        do {
            reader = try fetch.make(expression.fetch.arguments)
        } catch {
            throw RoutingError("in '\(expression.fetch.name)': \(error.message)")
        }
        var converters: [Converter.Transform] = []
        for call in expression.converters {
            converters.append(try Converter.make((call.name, call.arguments)))
        }
        self.converters = converters
    }

    /// Whether evaluating this may need more request bytes.
    public var readsPayload: Bool { fetch.readsPayload }
    var defaultMatch: MatchMethod { fetch.defaultMatch }

    public func evaluate(_ context: inout SampleContext) -> FetchResult<SampleValue> {
        var result = reader(&context)
        guard !converters.isEmpty, case .value(var value) = result else { return result }
        for converter in converters {
            guard let next = converter(value) else { return .noValue }
            value = next
        }
        result = .value(value)
        return result
    }
}
