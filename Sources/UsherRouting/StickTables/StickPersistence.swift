import UsherConfig

/// A backend's `stick match|on|store-request|store-response` rules, compiled: persistence by
/// stick table. Each table entry keeps the id of the server (its position in the backend, from 1)
/// that last took a request with that key.
public struct StickPersistence: Sendable {
    struct Rule: Sendable {
        var kind: StickRule.Kind
        var key: CompiledSample
        var table: StickTable
        var condition: CompiledCondition?
    }

    /// A key to keep with the server once it is known.
    public struct PendingStore: Sendable {
        let table: StickTable
        let key: StickKey
    }

    let rules: [Rule]

    public var isEmpty: Bool { rules.isEmpty }
    /// Whether any rule reads the response (`stick store-response`).
    public let hasResponseRules: Bool

    init(rules: [Rule]) {
        self.rules = rules
        hasResponseRules = rules.contains { $0.kind == .storeResponse }
    }

    /// What the request-side rules decide, in order as HAProxy runs them: the first `match` that
    /// finds an entry whose server is usable (`isUsable`) chooses it, unless a server is already
    /// chosen (`alreadyChosen`: a cookie, `use-server`); each table gets at most one key to store,
    /// from its first `store-request` rule that applies. A matched entry's expiry is pushed back.
    public func evaluateRequest(
        _ context: inout SampleContext, alreadyChosen: Bool, isUsable: (Int) -> Bool
    ) -> (server: Int?, stores: [PendingStore]) {
        guard !rules.isEmpty else { return (nil, []) }
        var server: Int? = nil
        var stores: [PendingStore] = []
        let wasFinal = context.isFinal
        context.isFinal = true
        defer { context.isFinal = wasFinal }
        for rule in rules where rule.kind != .storeResponse {
            if stores.contains(where: { $0.table === rule.table }) { continue }
            if rule.kind == .match, alreadyChosen || server != nil { continue }
            guard rule.condition.evaluate(&context) == .pass else { continue }
            guard case .value(let value) = rule.key.evaluate(&context), let key = StickKey(value, type: rule.table.definition.keyType) else {
                continue
            }
            switch rule.kind {
            case .match:
                let id = rule.table.withEntry(key, create: false, refresh: true) { data in data?.value(.serverID) }
                if let id, id > 0, id <= Int.max, isUsable(Int(id) - 1) { server = Int(id) - 1 }
            case .storeRequest:
                stores.append(PendingStore(table: rule.table, key: key))
            case .storeResponse:
                break
            }
        }
        return (server, stores)
    }

    /// The response-side rules: a key per table, from the first `store-response` rule that
    /// applies (tables the request already stores into are skipped).
    public func evaluateResponse(_ context: inout SampleContext, requestStores: [PendingStore]) -> [PendingStore] {
        guard hasResponseRules else { return [] }
        var stores: [PendingStore] = []
        for rule in rules where rule.kind == .storeResponse {
            if requestStores.contains(where: { $0.table === rule.table }) || stores.contains(where: { $0.table === rule.table }) { continue }
            guard rule.condition.evaluate(&context) == .pass,
                case .value(let value) = rule.key.evaluate(&context),
                let key = StickKey(value, type: rule.table.definition.keyType)
            else { continue }
            stores.append(PendingStore(table: rule.table, key: key))
        }
        return stores
    }

    /// Keeps each key with server `index` (created, or updated, and its expiry pushed back).
    public static func store(_ stores: [PendingStore], server index: Int) {
        for store in stores {
            store.table.withEntry(store.key, create: true, refresh: true) { data in
                data?.set(.serverID, UInt64(index + 1))
            }
        }
    }

    static let empty = StickPersistence(rules: [])
}
