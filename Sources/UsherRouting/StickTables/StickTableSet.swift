import UsherConfig

/// The stick tables of one configuration, by name: each proxy's under the proxy's name, each
/// `peers` section's under `SECTION/NAME`.
public final class StickTableSet: Sendable {
    public let tables: [String: StickTable]
    /// In declaration order, as `show table` lists them.
    public let ordered: [StickTable]

    /// - Parameter previous: the tables of the configuration this set replaces (a reload in
    ///   place): a table of the same name declared the same way (wherever its line is now) is
    ///   kept, entries and all; one declared differently starts empty, as after a restart.
    public init(
        _ definitions: [StickTableDefinition], keeping previous: StickTableSet? = nil,
        clock: @escaping @Sendable () -> Int64 = StickTable.monotonicMilliseconds
    ) {
        var tables: [String: StickTable] = [:]
        var ordered: [StickTable] = []
        for definition in definitions where tables[definition.name] == nil {
            let table: StickTable
            if let old = previous?[definition.name], Self.sameDeclaration(old.definition, definition) {
                table = old
            } else {
                table = StickTable(definition, clock: clock)
            }
            tables[definition.name] = table
            ordered.append(table)
        }
        self.tables = tables
        self.ordered = ordered
    }

    public subscript(name: String) -> StickTable? { tables[name] }

    /// Two declarations of a table that differ only by where they are written.
    static func sameDeclaration(_ a: StickTableDefinition, _ b: StickTableDefinition) -> Bool {
        var moved = a
        moved.location = b.location
        return moved == b
    }
}

/// What compiling a proxy's fetches and actions needs to find tables: the configuration's tables
/// and the proxy's own (the default of `src_*` fetches and of `track-sc` without `table`). Bound
/// while `RoutingTable.compile` compiles a proxy.
public struct StickTableScope: Sendable {
    public var tables: StickTableSet
    public var proxyName: String
    public var proxyTable: StickTable?

    @TaskLocal public static var current: StickTableScope?

    /// The table `name` names, else the proxy's own; explains what is missing.
    static func resolve(_ name: String?, for what: String) throws(RoutingError) -> StickTable {
        guard let scope = current else {
            throw RoutingError("'\(what)' needs a stick table, and there is none here")
        }
        if let name {
            guard let table = scope.tables[name] else {
                let hint = NearestMatch.find(name, in: scope.tables.tables.keys).map { "; did you mean '\($0)'?" } ?? ""
                throw RoutingError("'\(what)' names stick table '\(name)', which no proxy or peers section declares\(hint)")
            }
            return table
        }
        guard let table = scope.proxyTable else {
            throw RoutingError("'\(what)' uses the stick table of '\(scope.proxyName)', which has none: add a 'stick-table' line there or name a table")
        }
        return table
    }
}
