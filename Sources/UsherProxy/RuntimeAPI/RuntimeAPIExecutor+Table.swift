import UsherConfig
import UsherRouting

/// `show table`, `clear table` and `set table`: the stick tables, as HAProxy 2.6's CLI shows and
/// changes them.
extension RuntimeAPIExecutor {
    var stickTables: StickTableSet { runtime.table.stickTables }

    /// `show table`: every table's header, by name. `show table NAME [key K | data.X OP V]…`: the
    /// header, then the entries that pass.
    func showTable(_ words: [String]) -> RuntimeAPIReply {
        guard let name = words.first else {
            // Newest declared first, as HAProxy 2.6 lists them.
            let headers = stickTables.ordered.reversed().map { StickTableDump.header($0, used: $0.count) }
            return .output(headers.joined())
        }
        guard let table = stickTables[name] else { return .output("No such table\n") }
        let filter: StickTableDump.Filter
        do {
            filter = try StickTableDump.Filter(words.dropFirst(), table: table)
        } catch {
            return .output(error.message + "\n")
        }
        let entries = table.snapshot()
        if filter.key != nil, !entries.contains(where: { $0.key == filter.key }) {
            return .output("")
        }
        var text = StickTableDump.header(table, used: entries.count)
        for (key, data) in entries where filter.matches(key, data) {
            text += StickTableDump.line(table, key: key, data: data)
        }
        return .output(text)
    }

    /// `clear table NAME [key K | data.X OP V]…`: removes the entries that pass (not those a
    /// session is tracking).
    func clearTable(_ words: [String]) -> RuntimeAPIReply {
        guard let name = words.first else { return .output("Optional argument only supports \"data.<store_data_type>\" <operator> <value> or key <key>\n") }
        guard let table = stickTables[name] else { return .output("No such table\n") }
        let filter: StickTableDump.Filter
        do {
            filter = try StickTableDump.Filter(words.dropFirst(), table: table)
        } catch {
            return .output(error.message + "\n")
        }
        table.clear { key, data in filter.matches(key, data) }
        return .output("")
    }

    /// `set table NAME key K [data.X V]…`: creates the entry if needed and sets its counters.
    func setTable(_ words: [String]) -> RuntimeAPIReply {
        guard let name = words.first else { return .output("Table name expected\n") }
        guard let table = stickTables[name] else { return .output("No such table\n") }
        guard words.count >= 3, words[1] == "key" else { return .output("Key value expected\n") }
        switch table.definition.keyType {
        case .ip, .ipv6, .string, .integer: break
        case .binary: return .output("Inserting keys into tables of type other than ip, ipv6, string and integer is not supported\n")
        }
        guard let key = StickKey(text: words[2], type: table.definition.keyType) else { return .output("Invalid key\n") }
        var updates: [(kind: StickData.Kind, element: Int, value: UInt64)] = []
        var rest = words.dropFirst(3)
        var problem: String? = nil
        while let word = rest.popFirst() {
            guard word.hasPrefix("data.") else {
                problem = "Optional arguments must be of the form \"data.<store_data_type>\" <value>\n"
                break
            }
            let dataName = String(word.dropFirst(5))
            guard let place = StickTableDump.place(dataName, table: table) else {
                problem = StickTableDump.isKnownDataName(dataName) ? "Data type not stored in this table\n" : "Unknown data type\n"
                break
            }
            guard let valueText = rest.popFirst(), let value = UInt64(valueText) else {
                problem = "Require a valid integer value to store\n"
                break
            }
            updates.append((place.kind, place.element, value))
        }
        // As HAProxy, the entry exists once its key was read, whatever follows.
        table.withEntry(key, create: true) { data in
            guard data != nil else { return }
            for update in updates { data!.set(update.kind, update.value, element: update.element) }
        }
        return .output(problem ?? "")
    }
}
