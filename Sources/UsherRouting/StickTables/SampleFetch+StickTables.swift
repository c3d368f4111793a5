import UsherConfig

/// What a stick-table fetch or converter reads (or changes) in an entry.
enum StickMetric: Sendable {
    /// A stored counter or rate (`conn_cur`, `http_req_rate`…).
    case value(StickData.Kind)
    /// A byte counter in kilobytes (`kbytes_in`).
    case kilobytes(StickData.Kind)
    /// General purpose counter, rate or tag number `element`: the legacy one (`gpc0`), or the
    /// array's first elements in its place; `inArray`: the array's only (`get_gpc(1,…)`).
    case gpc(element: Int, inArray: Bool)
    case gpcRate(element: Int, inArray: Bool)
    case gpt(element: Int, inArray: Bool)
    /// Adds one to a general purpose counter (and its rate); gives the new count.
    case incrementGPC(element: Int, inArray: Bool)
    /// Sets a general purpose counter to zero; gives what it was.
    case clearGPC(element: Int, inArray: Bool)
    /// The sessions holding the entry.
    case trackers
    /// `src_updt_conn_cnt`: adds one to `conn_cnt` (and `conn_rate`); gives the new count.
    case updateConnectionCount
    /// `table_server_id`.
    case serverID
    /// `table_expire`: milliseconds until the entry expires.
    case expire

    /// Whether reading it changes the entry, so a missing `src_*` entry is created for it.
    var changesEntry: Bool {
        switch self {
        case .incrementGPC, .clearGPC, .updateConnectionCount: true
        default: false
        }
    }

    /// The value; nil if the table does not store what it reads (the fetch has no value then).
    func read(_ data: inout StickTable.EntryData) -> UInt64? {
        switch self {
        case .value(let kind): return data.value(kind)
        case .kilobytes(let kind): return data.value(kind).map { $0 >> 10 }
        case .gpc(let element, let inArray):
            return Self.place(.gpc0, .gpc1, .gpcArray, element, inArray, data).flatMap { data.value($0.kind, element: $0.element) }
        case .gpcRate(let element, let inArray):
            return Self.place(.gpc0Rate, .gpc1Rate, .gpcRateArray, element, inArray, data).flatMap { data.value($0.kind, element: $0.element) }
        case .gpt(let element, let inArray):
            return Self.place(.gpt0, nil, .gptArray, element, inArray, data).flatMap { data.value($0.kind, element: $0.element) }
        case .incrementGPC(let element, let inArray):
            let counter = Self.place(.gpc0, .gpc1, .gpcArray, element, inArray, data)
            let rate = Self.place(.gpc0Rate, .gpc1Rate, .gpcRateArray, element, inArray, data)
            guard counter != nil || rate != nil else { return nil }
            if let rate { data.add(rate.kind, element: rate.element) }
            guard let counter else { return 0 }
            data.add(counter.kind, element: counter.element)
            return data.value(counter.kind, element: counter.element)
        case .clearGPC(let element, let inArray):
            guard let counter = Self.place(.gpc0, .gpc1, .gpcArray, element, inArray, data) else { return nil }
            let old = data.value(counter.kind, element: counter.element)
            data.set(counter.kind, 0, element: counter.element)
            return old
        case .trackers:
            return UInt64(data.references)
        case .updateConnectionCount:
            data.add(.connectionRate)
            guard data.value(.connectionCount) != nil else { return nil }
            data.add(.connectionCount)
            return data.value(.connectionCount)
        case .serverID:
            return data.value(.serverID)
        case .expire:
            return data.remaining.map { UInt64($0) }
        }
    }

    /// Where general purpose item `element` lives: the legacy kind (`gpc0`/`gpc1`) if stored, else
    /// the array's element; only the array's with `inArray`.
    static func place(
        _ first: StickData.Kind, _ second: StickData.Kind?, _ array: StickData.Kind, _ element: Int, _ inArray: Bool, _ data: StickTable.EntryData
    ) -> (kind: StickData.Kind, element: Int)? {
        if !inArray {
            let legacy = element == 0 ? first : element == 1 ? second : nil
            if let legacy, data.table.stores(legacy) { return (legacy, 0) }
        }
        return data.table.stores(array) ? (array, element) : nil
    }

    /// The metrics by the name fetches and converters share after their prefix, and whether the
    /// name takes an element number first (`get_gpc(IDX,…)`).
    static func named(_ name: String) -> (metric: @Sendable (Int) -> StickMetric, takesElement: Bool)? {
        let simple: [String: StickMetric] = [
            "conn_cnt": .value(.connectionCount), "conn_cur": .value(.connectionsCurrent), "conn_rate": .value(.connectionRate),
            "sess_cnt": .value(.sessionCount), "sess_rate": .value(.sessionRate),
            "http_req_cnt": .value(.httpRequestCount), "http_req_rate": .value(.httpRequestRate),
            "http_err_cnt": .value(.httpErrorCount), "http_err_rate": .value(.httpErrorRate),
            "http_fail_cnt": .value(.httpFailCount), "http_fail_rate": .value(.httpFailRate),
            "bytes_in_rate": .value(.bytesInRate), "bytes_out_rate": .value(.bytesOutRate),
            "kbytes_in": .kilobytes(.bytesInCount), "kbytes_out": .kilobytes(.bytesOutCount),
            "get_gpc0": .gpc(element: 0, inArray: false), "get_gpc1": .gpc(element: 1, inArray: false),
            "gpc0_rate": .gpcRate(element: 0, inArray: false), "gpc1_rate": .gpcRate(element: 1, inArray: false),
            "inc_gpc0": .incrementGPC(element: 0, inArray: false), "inc_gpc1": .incrementGPC(element: 1, inArray: false),
            "clr_gpc0": .clearGPC(element: 0, inArray: false), "clr_gpc1": .clearGPC(element: 1, inArray: false),
            "get_gpt0": .gpt(element: 0, inArray: false), "trackers": .trackers,
        ]
        if let metric = simple[name] { return ({ _ in metric }, false) }
        let arrays: [String: @Sendable (Int) -> StickMetric] = [
            "get_gpc": { .gpc(element: $0, inArray: true) }, "gpc_rate": { .gpcRate(element: $0, inArray: true) },
            "inc_gpc": { .incrementGPC(element: $0, inArray: true) }, "clr_gpc": { .clearGPC(element: $0, inArray: true) },
            "get_gpt": { .gpt(element: $0, inArray: true) },
        ]
        if let make = arrays[name] { return (make, true) }
        return nil
    }
}

extension SampleFetch {
    /// `sc_*(N[,TABLE])`, `scN_*([TABLE])`, `src_*([TABLE])`, `table_avl`, `table_cnt`: read from
    /// the stick tables. Built on demand for a name (see `stickTableFetch(named:)`).
    static func stickTableFetch(named name: String) -> SampleFetch? {
        if name == "table_avl" || name == "table_cnt" {
            let available = name == "table_avl"
            return SampleFetch(names: [name], defaultMatch: .integer, readsPayload: false) { arguments throws(RoutingError) in
                guard arguments.count <= 1 else { throw RoutingError("'\(name)' takes at most a table name") }
                let table = try StickTableScope.resolve(arguments.first, for: name)
                return Readers(single: { _ in
                    let used = table.count
                    return .value(.integer(Int64(available ? max(0, table.definition.size - used) : used)))
                }, all: nil)
            }
        }
        if name.hasPrefix("src_") {
            let rest = String(name.dropFirst(4))
            let metric: @Sendable (Int) -> StickMetric
            let takesElement: Bool
            if rest == "updt_conn_cnt" {
                (metric, takesElement) = ({ _ in .updateConnectionCount }, false)
            } else if let found = StickMetric.named(rest) {
                (metric, takesElement) = found
            } else {
                return nil
            }
            return SampleFetch(names: [name], defaultMatch: .integer, readsPayload: false) { arguments throws(RoutingError) in
                let (element, _, tableName) = try stickArguments(arguments, takesElement: takesElement, takesCounter: false, name: name)
                let table = try StickTableScope.resolve(tableName, for: name)
                let read = metric(element)
                return Readers(single: { context in
                    guard let source = context.connection.source, let key = StickKey(.address(source), type: table.definition.keyType) else {
                        return .noValue
                    }
                    return readEntry(table, key, read, create: read.changesEntry)
                }, all: nil)
            }
        }
        // `sc_NAME(N[,TABLE])` or `scN_NAME([TABLE])`.
        guard name.hasPrefix("sc") else { return nil }
        var rest = name.dropFirst(2)
        var digitCounter: Int? = nil
        if let digit = rest.first, let value = digit.wholeNumberValue {
            guard value < StickTableParser.counterCount else { return nil }
            digitCounter = value
            rest = rest.dropFirst()
        }
        let fixedCounter = digitCounter
        guard rest.first == "_" else { return nil }
        let metricName = String(rest.dropFirst())
        if metricName == "tracked" {
            return SampleFetch(names: [name], defaultMatch: .boolean, readsPayload: false) { arguments throws(RoutingError) in
                let parsed = try stickArguments(arguments, takesElement: false, takesCounter: fixedCounter == nil, name: name)
                let counter = fixedCounter ?? parsed.counter ?? 0
                return Readers(single: { context in
                    .value(.boolean(context.stickCounters?.tracked(counter) != nil))
                }, all: nil)
            }
        }
        guard let (metric, takesElement) = StickMetric.named(metricName) else { return nil }
        // The array forms exist as `sc_get_gpc(IDX,N…)` only, not `scN_get_gpc`.
        if takesElement && fixedCounter != nil { return nil }
        return SampleFetch(names: [name], defaultMatch: .integer, readsPayload: false) { arguments throws(RoutingError) in
            let parsed = try stickArguments(arguments, takesElement: takesElement, takesCounter: fixedCounter == nil, name: name)
            let counter = fixedCounter ?? parsed.counter ?? 0
            let other: StickTable? = if let table = parsed.table { try StickTableScope.resolve(table, for: name) } else { nil }
            let read = metric(parsed.element)
            return Readers(single: { context in
                guard let tracked = context.stickCounters?.tracked(counter) else { return .noValue }
                if let other {
                    // The same key, looked up in another table.
                    return readEntry(other, tracked.key, read, create: false)
                }
                return tracked.update(refresh: read.changesEntry) { data in
                    read.read(&data).map { .value(.integer(Int64(clamping: $0))) } ?? .noValue
                }
            }, all: nil)
        }
    }

    /// Reads `metric` from the entry for `key`: 0 without an entry (created first for metrics that
    /// change it), no value if the table does not store it.
    static func readEntry(_ table: StickTable, _ key: StickKey, _ metric: StickMetric, create: Bool) -> FetchResult<SampleValue> {
        table.withEntry(key, create: create, refresh: create) { data in
            guard data != nil else { return .value(.integer(0)) }
            return metric.read(&data!).map { .value(.integer(Int64(clamping: $0))) } ?? .noValue
        }
    }

    /// A stick-table fetch's arguments: an element number first for the array forms
    /// (`get_gpc(IDX,…)`), a stick counter number unless the name has it (`sc_…(N,…)`; nil for
    /// `src_…`), then an optional table.
    private static func stickArguments(
        _ arguments: [String], takesElement: Bool, takesCounter: Bool, name: String
    ) throws(RoutingError) -> (element: Int, counter: Int?, table: String?) {
        var rest = arguments[...]
        var element = 0
        if takesElement {
            guard let first = rest.popFirst(), let value = Int(first), (0..<100).contains(value) else {
                throw RoutingError("'\(name)' expects an element number (0 to 99) first")
            }
            element = value
        }
        var counter: Int? = nil
        if takesCounter {
            guard let first = rest.popFirst(), let value = Int(first), (0..<StickTableParser.counterCount).contains(value) else {
                throw RoutingError("'\(name)' expects a stick counter number (0 to \(StickTableParser.counterCount - 1))")
            }
            counter = value
        }
        guard rest.count <= 1 else { throw RoutingError("too many arguments to '\(name)'") }
        return (element, counter, rest.first)
    }
}

extension Converter {
    /// `in_table(TABLE)` and `table_*(TABLE)`: the input is a key, looked up (never created) in the table.
    static func stickTableConverter(_ call: (name: String, arguments: [String])) throws(RoutingError) -> Transform? {
        let name = call.name
        guard name == "in_table" || name.hasPrefix("table_") else { return nil }
        let rest = String(name.dropFirst("table_".count))
        var metric: (@Sendable (Int) -> StickMetric)? = nil
        var takesElement = false
        if name != "in_table" {
            let names: [String: StickMetric] = [
                "gpc0": .gpc(element: 0, inArray: false), "gpc1": .gpc(element: 1, inArray: false),
                "gpc0_rate": .gpcRate(element: 0, inArray: false), "gpc1_rate": .gpcRate(element: 1, inArray: false),
                "gpt0": .gpt(element: 0, inArray: false), "server_id": .serverID, "expire": .expire,
            ]
            let arrays: [String: @Sendable (Int) -> StickMetric] = [
                "gpc": { .gpc(element: $0, inArray: true) }, "gpc_rate": { .gpcRate(element: $0, inArray: true) },
                "gpt": { .gpt(element: $0, inArray: true) },
            ]
            if let found = names[rest] {
                metric = { _ in found }
            } else if let make = arrays[rest] {
                metric = make
                takesElement = true
            } else if let found = StickMetric.named(rest), !found.takesElement, !rest.hasPrefix("inc_"), !rest.hasPrefix("clr_"), !rest.hasPrefix("get_") {
                metric = found.metric
            } else {
                throw RoutingError("converter '\(name)' is not supported by usher yet")
            }
        }
        var arguments = call.arguments[...]
        var element = 0
        if takesElement {
            guard let first = arguments.popFirst(), let value = Int(first), (0..<100).contains(value) else {
                throw RoutingError("converter '\(name)' expects an element number (0 to 99), then a table")
            }
            element = value
        }
        guard arguments.count == 1 else { throw RoutingError("converter '\(name)' expects a table name") }
        let table = try StickTableScope.resolve(arguments.first, for: name)
        let keyType = table.definition.keyType
        guard let metric else {
            return { value in
                guard let key = StickKey(value, type: keyType) else { return .boolean(false) }
                return .boolean(table.withEntry(key, create: false) { $0 != nil })
            }
        }
        let read = metric(element)
        return { value in
            guard let key = StickKey(value, type: keyType) else { return nil }
            switch SampleFetch.readEntry(table, key, read, create: false) {
            case .value(let result): return result
            default: return nil
            }
        }
    }
}
