import NIOCore
import UsherConfig
import UsherRouting

/// Runs the runtime API's commands against a running configuration, answering in HAProxy 2.6's
/// words. The protocol around it (lines, `;`, prompt, levels) is `RuntimeAPISessionStateMachine`'s.
struct RuntimeAPIExecutor: Sendable {
    let runtime: ProxyRuntime
    /// The `stats socket` lines, for `show cli sockets`.
    let sockets: [StatsSocket]
    /// Starts the health checks of a server that was `disabled` in the configuration when an
    /// operator enables it (its checks never ran).
    let startHealthChecks: @Sendable (ServerRuntime, BackendRuntime) -> Void


    func execute(_ request: RuntimeAPIRequest, level: RuntimeAPILevel) -> RuntimeAPIReply {
        let words = request.words
        switch (request[0], request[1]) {
        case ("show", "info"): return showInfo(Array(words.dropFirst(2)))
        case ("show", "stat"): return showStat(Array(words.dropFirst(2)))
        case ("show", "servers") where request[2] == "state": return showServersState(backend: request[3])
        case ("show", "backend"): return showBackends()
        case ("show", "sess"): return showSessions(request[2])
        case ("show", "env"): return showEnvironment(request[2])
        case ("show", "version"): return .output("\(ProductInfo.version)\n")
        case ("show", "cli") where request[2] == "sockets": return showSockets()
        case ("show", "table"): return showTable(Array(words.dropFirst(2)))
        case ("show", "peers"):
            // `show peers [dict|-] [SECTION]`: usher keeps no dictionary; the section filters.
            let section = request[2] == "dict" || request[2] == "-" ? request[3] : request[2]
            let texts = runtime.peersStatus.withLockedValue { $0 }.filter { section.isEmpty || $0.section == section }
            return .output(texts.map { $0.text.withLockedValue { $0 } }.joined() + "\n")
        case ("clear", "table"): return clearTable(Array(words.dropFirst(2)))
        case ("set", "table"): return setTable(Array(words.dropFirst(2)))
        case ("show", "map"): return showPatternFiles(.map, request[2])
        case ("show", "acl"): return showPatternFiles(.acl, request[2])
        case ("get", "map"): return getPatternFile(.map, request[2], request[3])
        case ("get", "acl"): return getPatternFile(.acl, request[2], request[3])
        case ("add", "map"): return addToPatternFile(.map, Array(words.dropFirst(2)))
        case ("add", "acl"): return addToPatternFile(.acl, Array(words.dropFirst(2)))
        case ("set", "map"): return setInPatternFile(Array(words.dropFirst(2)))
        case ("del", "map"): return deleteFromPatternFile(.map, Array(words.dropFirst(2)))
        case ("del", "acl"): return deleteFromPatternFile(.acl, Array(words.dropFirst(2)))
        case ("clear", "map"): return clearPatternFile(.map, request[2])
        case ("clear", "acl"): return clearPatternFile(.acl, request[2])
        case ("get", "weight"): return getWeight(request[2])
        case ("get", "var"):
            if level < .operator { return .permissionDenied }
            return getVariable(request[2])
        case ("set", "weight"): return setWeight(request[2], request[3])
        case ("set", "server"): return setServer(request)
        case ("set", "maxconn"): return setMaxConnections(request)
        case ("disable", "server"): return setAdminState(request[2], .maintenance)
        case ("enable", "server"): return setAdminState(request[2], .ready)
        case ("disable", "frontend"): return pauseFrontend(request[2], paused: true)
        case ("enable", "frontend"): return pauseFrontend(request[2], paused: false)
        case ("shutdown", "session"): return shutDownSession(request[2])
        case ("shutdown", "sessions") where request[2] == "server": return shutDownSessions(onServer: request[3])
        case ("clear", "counters"):
            let all = request[2] == "all"
            if all, level < .admin { return .permissionDenied }
            clearCounters(all: all)
            return .output("")
        default:
            return .output(RuntimeAPICommandCatalogue.unknownCommand(words))
        }
    }

    /// `get var proc.NAME`: a process-wide variable's type and value, as HAProxy shows them
    /// (`proc.n: type=sint value=<5>`).
    func getVariable(_ name: String) -> RuntimeAPIReply {
        guard name.hasPrefix("proc."), name.count > 5 else {
            return .output("Only process-wide variables can be read: their names begin with 'proc.'.\n")
        }
        guard let value = runtime.processVariables.value(of: String(name.dropFirst(5))) else {
            return .output("Variable not found.\n")
        }
        let type: String
        switch value {
        case .integer: type = "sint"
        case .boolean: type = "bool"
        case .string: type = "str"
        case .binary: type = "bin"
        case .address(let address): type = address.isV4 ? "ipv4" : "ipv6"
        }
        // One line and no closing empty line, as HAProxy 2.6 answers it.
        return .raw("\(name): type=\(type) value=<\(value.text)>\n")
    }

    // MARK: - Looking things up as HAProxy's CLI does

    enum Lookup<Value> {
        case found(Value)
        case failed(RuntimeAPIReply)
    }

    /// `backend/server`: "Require 'backend/server'.", "No such backend.", "No such server.".
    func server(_ text: String) -> Lookup<(backend: BackendRuntime, server: ServerRuntime)> {
        guard let slash = text.firstIndex(of: "/") else { return .failed(.output("Require 'backend/server'.\n")) }
        let backendName = String(text[..<slash])
        let serverName = String(text[text.index(after: slash)...])
        guard let backend = backend(named: backendName) else { return .failed(.output("No such backend.\n")) }
        guard let server = backend.servers.first(where: { $0.name == serverName || "#\($0.identifier)" == serverName }) else {
            return .failed(.output("No such server.\n"))
        }
        return .found((backend, server))
    }

    /// A backend by name or `#id`.
    func backend(named name: String) -> BackendRuntime? {
        if name.hasPrefix("#"), let id = Int(name.dropFirst()) {
            let ids = StatsCollector(runtime: runtime).proxyIDs
            return runtime.backends.first { ids[$0.name] == id }
        }
        return runtime.backends.first { $0.name == name }
    }

    func frontend(named name: String) -> FrontendRuntime? {
        runtime.frontends.first { $0.name == name }
    }
}
