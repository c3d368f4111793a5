import UsherConfig

/// The runtime API's view of stick tables: `show table`'s lines and the filters of `show table`
/// and `clear table` (`data.http_req_rate gt 10`, `key 10.0.0.1`), in HAProxy 2.6's words.
public enum StickTableDump {
    /// `# table: fe, type: ip, size:102400, used:1`.
    public static func header(_ table: StickTable, used: Int) -> String {
        "# table: \(table.name), type: \(table.definition.keyType.name), size:\(table.definition.size), used:\(used)\n"
    }

    /// One entry: an identifier in the place of HAProxy's address, the key, the sessions holding
    /// it, the milliseconds before it expires (0 without `expire`), then each stored value in
    /// HAProxy's order (`gpc(2)` as `gpc0=… gpc1=…`, rates with their period in milliseconds).
    public static func line(_ table: StickTable, key: StickKey, data: StickTable.EntryData) -> String {
        var text = "0x\(String(identifier(table, key), radix: 16)): key=\(key.text(type: table.definition.keyType))"
        text += " use=\(data.references) exp=\(data.remaining ?? 0)"
        for stored in table.definition.stored.sorted(by: { $0.kind < $1.kind }) {
            let period = stored.period.map { "(\($0.milliseconds))" } ?? ""
            switch stored.kind {
            case .gptArray, .gpcArray:
                let prefix = stored.kind == .gptArray ? "gpt" : "gpc"
                for element in 0..<stored.count { text += " \(prefix)\(element)=\(data.value(stored.kind, element: element) ?? 0)" }
            case .gpcRateArray:
                for element in 0..<stored.count { text += " gpc\(element)_rate\(period)=\(data.value(stored.kind, element: element) ?? 0)" }
            default:
                text += " \(stored.kind.rawValue)\(period)=\(data.value(stored.kind) ?? 0)"
            }
        }
        return text + "\n"
    }

    /// A stable number standing for an entry in listings (HAProxy prints the entry's address).
    static func identifier(_ table: StickTable, _ key: StickKey) -> UInt64 {
        let base = UInt64(UInt(bitPattern: ObjectIdentifier(table).hashValue)) & 0xFFFF_FFFF_F000
        return base &+ UInt64(UInt(bitPattern: key.hashValue) & 0xFFF0)
    }

    /// What `show table NAME …` and `clear table NAME …` select.
    public struct Filter: Sendable {
        public enum Operator: String, Sendable {
            case eq, ne, le, lt, ge, gt
        }

        public var key: StickKey?
        /// `data.NAME OP VALUE`, all of which must hold.
        public var conditions: [(name: String, kind: StickData.Kind, element: Int, op: Operator, value: UInt64)] = []

        /// Reads the words after the table's name; an error is HAProxy's message.
        public init(_ words: ArraySlice<String>, table: StickTable) throws(RoutingError) {
            var rest = words
            var index = 0
            while let word = rest.popFirst() {
                index += 1
                if word == "key" {
                    guard let text = rest.popFirst() else { throw RoutingError("Key value expected") }
                    guard let parsed = StickKey(text: text, type: table.definition.keyType) else {
                        throw RoutingError("Invalid key")
                    }
                    key = parsed
                } else if word.hasPrefix("data.") {
                    let name = String(word.dropFirst(5))
                    guard let place = StickTableDump.place(name, table: table) else {
                        if StickTableDump.isKnownDataName(name) {
                            throw RoutingError("Filter entry #\(index): Data type not stored in this table")
                        }
                        throw RoutingError("Filter entry #\(index): Unknown data type")
                    }
                    guard let opWord = rest.popFirst(), let op = Operator(rawValue: opWord) else {
                        throw RoutingError("Filter entry #\(index): Require and operator among \"eq\", \"ne\", \"le\", \"ge\", \"lt\", \"gt\"")
                    }
                    guard let valueWord = rest.popFirst(), let value = UInt64(valueWord) else {
                        throw RoutingError("Filter entry #\(index): Require a valid integer value to compare against")
                    }
                    conditions.append((name, place.kind, place.element, op, value))
                } else {
                    throw RoutingError("Optional argument only supports \"data.<store_data_type>\" <operator> <value> or key <key>")
                }
            }
        }

        /// Whether an entry passes every condition.
        public func matches(_ key: StickKey, _ data: StickTable.EntryData) -> Bool {
            if let wanted = self.key, wanted != key { return false }
            for condition in conditions {
                let value = data.value(condition.kind, element: condition.element) ?? 0
                let holds = switch condition.op {
                case .eq: value == condition.value
                case .ne: value != condition.value
                case .le: value <= condition.value
                case .lt: value < condition.value
                case .ge: value >= condition.value
                case .gt: value > condition.value
                }
                if !holds { return false }
            }
            return true
        }
    }

    /// A data type's name as the runtime API writes it (`conn_cnt`, `http_req_rate`, `gpc0`,
    /// `gpc1_rate`, `gpt0`): where the table keeps it, or nil if it does not.
    public static func place(_ name: String, table: StickTable) -> (kind: StickData.Kind, element: Int)? {
        // As HAProxy 2.6's CLI: a plain data type only (`gpc0` does not reach a `gpc(…)` array).
        guard let kind = StickData.Kind(rawValue: name), !kind.isArray, table.stores(kind) else { return nil }
        return (kind, 0)
    }

    public static func isKnownDataName(_ name: String) -> Bool {
        StickData.Kind(rawValue: name).map { !$0.isArray } ?? false
    }
}
