/// Reads `stick-table …` (a proxy's table), `table NAME …` (a `peers` section's) and the
/// stick-counter actions of rules (`track-scN`, `sc-inc-gpcN`, `sc-set-gptN`).
public enum StickTableParser {
    /// HAProxy 2.6 tracks three stick counters per session (sc0, sc1, sc2).
    public static let counterCount = 3

    /// The words after `stick-table` (or after `table NAME`): `type`, `size`, `expire`, `nopurge`,
    /// `peers`, `srvkey`, `store`.
    static func parse(_ words: ArraySlice<String>, name: String, allowsPeers: Bool, location: SourceLocation) throws -> StickTableDefinition {
        var keyType: StickTableDefinition.KeyType?
        var keyLengthGiven = false
        var size: Int?
        var expire: Duration?
        var noPurge = false
        var peers: String?
        var serverKey = StickTableDefinition.ServerKey.name
        var stored: [StickData] = []
        var rest = words
        func value(_ option: String) throws -> String {
            guard let value = rest.popFirst() else { throw ConfigurationError("'\(option)' in 'stick-table' expects a value") }
            return value
        }
        while let word = rest.popFirst() {
            switch word {
            case "type":
                let type = try value("type")
                switch type {
                case "ip": keyType = .ip
                case "ipv6": keyType = .ipv6
                case "integer": keyType = .integer
                case "string", "binary":
                    var length = 32
                    if rest.first == "len" {
                        rest.removeFirst()
                        let text = try value("len")
                        guard let parsed = ConfigurationValues.integer(text, in: 1...65_535) else {
                            throw ConfigurationError("'len' in 'stick-table type \(type)' expects a length of 1 to 65535, not '\(text)'")
                        }
                        length = parsed
                        keyLengthGiven = true
                    }
                    keyType = type == "string" ? .string(length: length) : .binary(length: length)
                default:
                    throw ConfigurationError("unknown stick-table type '\(type)' (expected ip, ipv6, integer, string or binary)")
                }
            case "size":
                let text = try value("size")
                guard let parsed = ConfigurationValues.size(text), parsed > 0, parsed <= Int(Int32.max) else {
                    throw ConfigurationError("'size' in 'stick-table' expects a number of entries such as 100k, not '\(text)'")
                }
                size = parsed
            case "expire":
                let text = try value("expire")
                guard let parsed = ConfigurationValues.duration(text), parsed.milliseconds < Int64(Int32.max) else {
                    throw ConfigurationError("'expire' in 'stick-table' expects a duration below 24 days such as 30s, not '\(text)'")
                }
                expire = parsed
            case "nopurge":
                noPurge = true
            case "peers":
                guard allowsPeers else { throw ConfigurationError("'peers' is not allowed in a 'table' line: the table belongs to its peers section") }
                peers = try value("peers")
            case "srvkey":
                let text = try value("srvkey")
                guard let parsed = StickTableDefinition.ServerKey(rawValue: text) else {
                    throw ConfigurationError("'srvkey' in 'stick-table' expects 'name' or 'addr', not '\(text)'")
                }
                serverKey = parsed
            case "store":
                let text = try value("store")
                for item in splitStoreList(text) {
                    let data = try parseStoredData(item)
                    if stored.contains(where: { $0.kind == data.kind }) {
                        throw ConfigurationError("data type '\(data.kind.rawValue)' is stored twice in 'stick-table'")
                    }
                    stored.append(data)
                }
            case "write-to", "recv-only":
                throw ConfigurationError("'\(word)' in 'stick-table' is not an HAProxy 2.6 option")
            default:
                let hint = NearestMatch.find(word, in: ["type", "size", "expire", "nopurge", "peers", "srvkey", "store"]).map { "; did you mean '\($0)'?" } ?? ""
                throw ConfigurationError("unknown 'stick-table' option '\(word)'\(hint)")
            }
        }
        guard let keyType else { throw ConfigurationError("'stick-table' expects a 'type' (ip, ipv6, integer, string or binary)") }
        guard let size else { throw ConfigurationError("'stick-table' expects a 'size' (the number of entries, such as 100k)") }
        let kinds = Set(stored.map(\.kind))
        for (array, legacy) in [(StickData.Kind.gpcArray, [StickData.Kind.gpc0, .gpc1]), (.gpcRateArray, [.gpc0Rate, .gpc1Rate]), (.gptArray, [.gpt0])] {
            if kinds.contains(array), let clash = legacy.first(where: kinds.contains) {
                throw ConfigurationError("'stick-table' cannot store both '\(array.rawValue)' and '\(clash.rawValue)': the array's first elements are what '\(clash.rawValue)' means")
            }
        }
        var definition = StickTableDefinition(
            name: name, keyType: keyType, size: size, expire: expire, noPurge: noPurge, peers: peers, serverKey: serverKey,
            stored: stored, location: location
        )
        definition.keyLengthGiven = keyLengthGiven
        return definition
    }

    /// Splits `a,b(1,2s),c` at the commas outside parentheses.
    static func splitStoreList(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1; current.append(character)
            case ")": depth -= 1; current.append(character)
            case "," where depth == 0: items.append(current); current = ""
            default: current.append(character)
            }
        }
        items.append(current)
        return items
    }

    /// What a table asks for that usher keeps no use for yet, as a warning: `srvkey addr` and
    /// `store server_key` (entries keep the server's id, as with `srvkey name`).
    static func unappliedWarning(_ table: StickTableDefinition) -> String? {
        var unapplied: [String] = []
        if table.serverKey == .addr { unapplied.append("'srvkey addr'") }
        if table.stored.contains(where: { $0.kind == .serverKey }) { unapplied.append("'store server_key'") }
        guard !unapplied.isEmpty else { return nil }
        return "stick table '\(table.name)': \(unapplied.joined(separator: " and ")) not applied by usher yet: entries keep the server's id, as with 'srvkey name'"
    }

    /// `conn_cur`, `http_req_rate(10s)`, `gpc(3)`, `gpc_rate(2,1m)`.
    static func parseStoredData(_ text: String) throws -> StickData {
        var name = Substring(text)
        var arguments: [String] = []
        if let open = text.firstIndex(of: "(") {
            guard text.hasSuffix(")") else { throw ConfigurationError("missing ')' in stored data type '\(text)'") }
            name = text[..<open]
            arguments = text[text.index(after: open)..<text.index(before: text.endIndex)].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        guard let kind = StickData.Kind(rawValue: String(name)), kind != .serverKey || arguments.isEmpty else {
            let names = StickData.Kind.allCases.map(\.rawValue)
            let hint = NearestMatch.find(String(name), in: names).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError("unknown data type '\(name)' in 'stick-table store'\(hint)")
        }
        var expected = 0
        if kind.isArray { expected += 1 }
        if kind.isRate { expected += 1 }
        guard arguments.count == expected else {
            let what = switch (kind.isArray, kind.isRate) {
            case (true, true): "a number of elements and a period, as in '\(kind.rawValue)(2,10s)'"
            case (true, false): "a number of elements, as in '\(kind.rawValue)(2)'"
            case (false, true): "a period, as in '\(kind.rawValue)(10s)'"
            case (false, false): "no argument"
            }
            throw ConfigurationError("data type '\(kind.rawValue)' in 'stick-table store' takes \(what)")
        }
        var data = StickData(kind)
        if kind.isArray {
            guard let count = ConfigurationValues.integer(arguments[0], in: 1...100) else {
                throw ConfigurationError("data type '\(kind.rawValue)' takes 1 to 100 elements, not '\(arguments[0])'")
            }
            data.count = count
        }
        if kind.isRate {
            let text = arguments[arguments.count - 1]
            guard let period = ConfigurationValues.duration(text), period.milliseconds > 0, period.milliseconds < Int64(Int32.max) else {
                throw ConfigurationError("data type '\(kind.rawValue)' expects a period such as 10s, not '\(text)'")
            }
            data.period = period
        }
        return data
    }

    /// A stick-counter action word (`track-sc0`, `sc-inc-gpc0(1)`, `sc-set-gpt0(0)`…) with its
    /// arguments; nil for any other word.
    static func parseAction(_ word: String, _ words: inout RuleWords) throws -> StickCounterAction? {
        if word.hasPrefix("track-sc") {
            guard let counter = Int(word.dropFirst("track-sc".count)), (0..<counterCount).contains(counter) else {
                throw ConfigurationError("'\(word)': usher tracks stick counters 0 to \(counterCount - 1), as HAProxy does by default")
            }
            let text = try words.arguments("a sample expression (the key)")[0]
            let key: SampleExpression
            switch SampleExpression.parse(text) {
            case .success(let expression): key = expression
            case .failure(let error): throw ConfigurationError("in '\(words.rule)': \(error.message)")
            }
            var table: String? = nil
            if !words.isAtCondition, words.rest.first == "table" {
                _ = words.next()
                table = try words.arguments("a table name after 'table'")[0]
            }
            return .track(counter: counter, key: key, table: table)
        }
        for (prefix, gpc) in [("sc-inc-gpc", true), ("sc-set-gpt", false)] where word.hasPrefix(prefix) {
            let suffix = String(word.dropFirst(prefix.count))
            let (element, counter) = try counterArguments(suffix, word: word)
            let inArray = suffix.hasPrefix("(")
            if gpc { return .incrementGPC(element: element, counter: counter, inArray: inArray) }
            let text = try words.arguments("a value (an integer or a sample expression)")[0]
            let value: SampleExpression
            if let integer = Int64(text) {
                value = SampleExpression(fetch: .init(name: "int", arguments: [String(integer)]))
            } else {
                switch SampleExpression.parse(text) {
                case .success(let expression): value = expression
                case .failure(let error): throw ConfigurationError("in '\(words.rule)': \(error.message)")
                }
            }
            return .setGPT(element: element, counter: counter, inArray: inArray, value: value)
        }
        return nil
    }

    /// `stick match|on|store-request|store-response PATTERN [table NAME] [if|unless COND]`; `on` is
    /// a match and a store-request with the same arguments.
    static func parseStickRule(_ line: ConfigurationLine) throws -> [StickRule] {
        let kinds = ["match", "on", "store-request", "store-response"]
        guard line.words.count >= 2, kinds.contains(line.words[1]) else {
            let word = line.words.count >= 2 ? line.words[1] : ""
            let hint = NearestMatch.find(word, in: kinds).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError("'stick' expects 'match', 'on', 'store-request' or 'store-response'\(word.isEmpty ? "" : ", not '\(word)'")\(hint)")
        }
        let what = line.words[1]
        var words = RuleWords(line.words.dropFirst(2), rule: "stick \(what)")
        let text = try words.arguments("a sample expression (the key)")[0]
        let key: SampleExpression
        switch SampleExpression.parse(text) {
        case .success(let expression): key = expression
        case .failure(let error): throw ConfigurationError("in 'stick \(what)': \(error.message)")
        }
        var table: String? = nil
        if !words.isAtCondition, words.rest.first == "table" {
            _ = words.next()
            table = try words.arguments("a table name after 'table'")[0]
        }
        let condition = try ProxyKeywords.optionalCondition(words.rest, line: line, rule: words.rule)
        func rule(_ kind: StickRule.Kind) -> StickRule {
            StickRule(kind: kind, key: key, table: table, condition: condition, location: line.location)
        }
        switch what {
        case "match": return [rule(.match)]
        case "on": return [rule(.match), rule(.storeRequest)]
        case "store-request": return [rule(.storeRequest)]
        default: return [rule(.storeResponse)]
        }
    }

    /// `0(1)` (legacy: element 0, counter 1), `1(2)` or `(3,1)` (element 3, counter 1).
    private static func counterArguments(_ text: String, word: String) throws -> (index: Int, counter: Int) {
        let usage = "'\(word)' expects a stick counter in parentheses, as in 'sc-inc-gpc0(0)' or 'sc-inc-gpc(1,0)'"
        guard let open = text.firstIndex(of: "("), text.hasSuffix(")") else { throw ConfigurationError(usage) }
        let prefix = text[..<open]
        let inside = text[text.index(after: open)..<text.index(before: text.endIndex)].split(separator: ",", omittingEmptySubsequences: false)
        let index: Int
        let counterText: Substring
        if prefix.isEmpty {
            guard inside.count == 2, let parsed = Int(inside[0]), (0..<100).contains(parsed) else { throw ConfigurationError(usage) }
            index = parsed
            counterText = inside[1]
        } else {
            guard prefix == "0" || (prefix == "1" && word.hasPrefix("sc-inc-gpc")), inside.count == 1 else { throw ConfigurationError(usage) }
            index = Int(prefix)!
            counterText = inside[0]
        }
        guard let counter = Int(counterText), (0..<counterCount).contains(counter) else {
            throw ConfigurationError("'\(word)': usher tracks stick counters 0 to \(counterCount - 1), as HAProxy does by default")
        }
        return (index, counter)
    }
}
