import UsherConfig

/// A rule's `track-scN`, `sc-inc-gpcN` or `sc-set-gptN`, with its table found and its expressions
/// compiled.
public struct CompiledStickAction: Sendable {
    enum Operation: Sendable {
        case track(counter: Int, key: CompiledSample, table: StickTable)
        case incrementGPC(element: Int, counter: Int, inArray: Bool)
        case setGPT(element: Int, counter: Int, inArray: Bool, value: CompiledSample)
    }

    let operation: Operation
    /// Whose counter it tracks: the session's (`tcp-request connection|session`) or the request's.
    let level: StickCounters.Level
    /// Whether tracking counts the request under way (`http-request`, `http-response`: the
    /// request was counted before the rule ran).
    let countsRequest: Bool

    /// The fetch names of the expressions, for the stage checks of the rule's caller.
    public let fetchNames: [String]
    public let readsPayload: Bool
    public let readsHTTP: Bool

    public init(_ action: StickCounterAction, level: StickCounters.Level, countsRequest: Bool) throws(RoutingError) {
        self.level = level
        self.countsRequest = countsRequest
        switch action {
        case .track(let counter, let expression, let tableName):
            let table = try StickTableScope.resolve(tableName, for: "track-sc\(counter)")
            let key = try CompiledSample(expression)
            operation = .track(counter: counter, key: key, table: table)
            fetchNames = [expression.fetch.name]
            readsPayload = key.readsPayload
            readsHTTP = key.readsHTTP
        case .incrementGPC(let element, let counter, let inArray):
            operation = .incrementGPC(element: element, counter: counter, inArray: inArray)
            fetchNames = []
            readsPayload = false
            readsHTTP = false
        case .setGPT(let element, let counter, let inArray, let expression):
            let value = try CompiledSample(expression)
            operation = .setGPT(element: element, counter: counter, inArray: inArray, value: value)
            fetchNames = [expression.fetch.name]
            readsPayload = value.readsPayload
            readsHTTP = value.readsHTTP
        }
    }

    /// Does it, if the connection has stick counters. A key with no value, or none of the table's
    /// type, tracks nothing; an action on a counter not tracked does nothing.
    public func apply(_ context: inout SampleContext) {
        guard let counters = context.stickCounters else { return }
        switch operation {
        case .track(let counter, let sample, let table):
            guard case .value(let value) = sample.evaluate(&context), let key = StickKey(value, type: table.definition.keyType) else { return }
            counters.track(counter, level: level, table: table, key: key, countsRequest: countsRequest)
        case .incrementGPC(let element, let counter, let inArray):
            guard let tracked = counters.tracked(counter) else { return }
            tracked.update { data in _ = StickMetric.incrementGPC(element: element, inArray: inArray).read(&data) }
        case .setGPT(let element, let counter, let inArray, let sample):
            guard let tracked = counters.tracked(counter), case .value(let value) = sample.evaluate(&context) else { return }
            let number: UInt64
            switch value {
            case .integer(let integer): number = UInt64(UInt32(truncatingIfNeeded: integer))
            case .boolean(let flag): number = flag ? 1 : 0
            case .string(let text):
                guard let integer = StickKey.leadingInteger(text) else { return }
                number = UInt64(UInt32(truncatingIfNeeded: integer))
            default: return
            }
            tracked.update { data in
                if let place = StickMetric.place(.gpt0, nil, .gptArray, element, inArray, data) {
                    data.set(place.kind, number, element: place.element)
                }
            }
        }
    }
}
