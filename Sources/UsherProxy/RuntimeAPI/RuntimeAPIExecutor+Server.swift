import NIOCore
import UsherConfig
import UsherRouting

/// The commands that change servers, frontends, limits and sessions.
extension RuntimeAPIExecutor {
    /// `disable server`, `enable server`, `set server … state`. Drain and maint never cut a
    /// connection under way: they only change what new ones may choose.
    func setAdminState(_ name: String, _ state: ServerAdminState) -> RuntimeAPIReply {
        switch server(name) {
        case .failed(let reply):
            return reply
        case .found(let (backend, server)):
            apply(state, to: server, in: backend)
            return .output("")
        }
    }

    func apply(_ state: ServerAdminState, to server: ServerRuntime, in backend: BackendRuntime) {
        server.setAdminState(state, backend: backend, runtime: runtime, startHealthChecks: startHealthChecks)
    }

    /// `set server B/S state|weight|addr …`.
    func setServer(_ request: RuntimeAPIRequest) -> RuntimeAPIReply {
        let usage = "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n"
        let target: (backend: BackendRuntime, server: ServerRuntime)
        switch server(request[2]) {
        case .failed(let reply): return reply
        case .found(let found): target = found
        }
        switch request[3] {
        case "state":
            switch request[4] {
            case "ready": apply(.ready, to: target.server, in: target.backend)
            case "drain": apply(.drain, to: target.server, in: target.backend)
            case "maint": apply(.maintenance, to: target.server, in: target.backend)
            default: return .output("'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n")
            }
            return .output("")
        case "weight":
            return changeWeight(target.server, in: target.backend, request[4])
        case "addr":
            return changeAddress(target.server, request)
        case "agent", "agent-addr", "agent-port", "agent-send", "check-addr", "check-port", "fqdn", "health", "ssl":
            return .output("'set server <srv> \(request[3])' is not supported by usher yet.\n")
        default:
            return .output(usage)
        }
    }

    func getWeight(_ name: String) -> RuntimeAPIReply {
        switch server(name) {
        case .failed(let reply): return reply
        case .found(let (_, server)): return .output("\(server.userWeight) (initial \(server.server.weight))\n")
        }
    }

    func setWeight(_ name: String, _ value: String) -> RuntimeAPIReply {
        switch server(name) {
        case .failed(let reply): return reply
        case .found(let (backend, server)): return changeWeight(server, in: backend, value)
        }
    }

    /// `N` (0 to 256) or `N%` of the configured weight.
    func changeWeight(_ server: ServerRuntime, in backend: BackendRuntime, _ text: String) -> RuntimeAPIReply {
        guard !text.isEmpty else { return .output("Require <weight> or <weight%>.\n") }
        let digits = text.prefix { $0.isNumber || $0 == "-" || $0 == "+" }
        guard let number = Int(digits) else { return .raw("Empty weight string empty or preceded by garbage\n") }
        let weight: Int
        if text.dropFirst(digits.count).first == "%" {
            guard number >= 0 else { return .output("Relative weight must be positive.\n") }
            weight = min(256, server.server.weight * number / 100)
        } else {
            guard (0...256).contains(number) else { return .output("Absolute weight can only be between 0 and 256 inclusive.\n") }
            weight = number
        }
        server.effectiveWeight.store(weight, ordering: .relaxed)
        backend.serveQueue()
        return .output("")
    }

    /// `set server B/S addr IP [port P]`: new connections (and checks) go to the new address.
    func changeAddress(_ server: ServerRuntime, _ request: RuntimeAPIRequest) -> RuntimeAPIReply {
        let by = " by 'stats socket command'\n"
        let text = request[4]
        guard !text.isEmpty else { return .output("set server <b>/<s> addr requires an address and optionally a port.\n") }
        let current = server.address
        let currentHost = current.ipAddress ?? current.pathname ?? ""
        let currentPort = current.port ?? 0
        guard let candidate = try? SocketAddress(ipAddress: text, port: currentPort) else { return .output("Invalid addr '\(text)'\(by)") }
        var messages: [String] = []
        var newAddress = current.pathname == nil ? current : candidate
        if candidate.ipAddress == currentHost {
            messages.append("no need to change the addr")
        } else {
            newAddress = candidate
            messages.append("IP changed from '\(currentHost)' to '\(candidate.ipAddress ?? text)'")
        }
        var hasPort = server.hasPort
        if request[5] == "port" {
            let portText = request[6]
            if let port = Int(portText), (0...65535).contains(port) {
                if port == currentPort, hasPort {
                    messages.append("no need to change the port")
                } else {
                    messages.append("port changed from '\(currentPort)' to '\(port)'")
                    newAddress.port = port
                    hasPort = true
                }
            } else {
                messages.append("problem converting port '\(portText)' to an int")
            }
        }
        server.changeAddress(to: newAddress, hasPort: hasPort)
        return .output(messages.joined(separator: ", ") + by)
    }

    /// `set maxconn frontend|server|global …`.
    func setMaxConnections(_ request: RuntimeAPIRequest) -> RuntimeAPIReply {
        switch request[2] {
        case "frontend":
            guard !request[3].isEmpty else { return .output("A frontend name is expected.\n") }
            guard let frontend = frontend(named: request[3]) else { return .output("No such frontend.\n") }
            guard !request[4].isEmpty else { return .output("Integer value expected.\n") }
            let value = Self.atoi(request[4])
            guard value >= 0 else { return .output("Value out of range.\n") }
            frontend.maxConnectionsSetting.store(value, ordering: .relaxed)
            // Listeners paused at the old limit may accept again.
            runtime.connectionClosed()
            return .output("")
        case "server":
            let target: (backend: BackendRuntime, server: ServerRuntime)
            switch server(request[3]) {
            case .failed(let reply): return reply
            case .found(let found): target = found
            }
            guard !request[4].isEmpty else { return .output("Require <maxconn>.\n") }
            guard let value = Int(request[4].prefix { $0.isNumber || $0 == "-" }), value >= 0 else {
                return .raw("maxconn string empty or preceded by garbage\n")
            }
            target.server.maxConnectionsOverride.store(value, ordering: .relaxed)
            target.backend.serveQueue()
            return .output("")
        case "global":
            guard !request[3].isEmpty else { return .output("Expects an integer value.\n") }
            let value = Self.atoi(request[3])
            guard value >= 0, value <= Self.hardMaxConnections(configured: (runtime.table.configuration.global.maxconn ?? 0)) else {
                return .output("Value out of range.\n")
            }
            runtime.maxConnectionsSetting.store(value == 0 ? (runtime.table.configuration.global.maxconn ?? 0) : value, ordering: .relaxed)
            runtime.connectionClosed()
            return .output("")
        default:
            return .output(RuntimeAPICommandCatalogue.unknownCommand(request.words))
        }
    }

    /// `disable frontend F` / `enable frontend F`: its listeners stop (or resume) accepting.
    func pauseFrontend(_ name: String, paused: Bool) -> RuntimeAPIReply {
        guard !name.isEmpty else { return .output("A frontend name is expected.\n") }
        guard let frontend = frontend(named: name) else { return .output("No such frontend.\n") }
        guard frontend.isPaused.exchange(paused, ordering: .relaxed) != paused else {
            return .output("All sockets are already \(paused ? "disabled" : "enabled").\n")
        }
        runtime.event("\(paused ? "Paused" : "Resumed") frontend \(frontend.name).", level: .warning, backend: nil)
        return .output("")
    }

    func shutDownSession(_ text: String) -> RuntimeAPIReply {
        guard text.hasPrefix("0x") || text.hasPrefix("0X"), let id = UInt(text.dropFirst(2), radix: 16) else {
            return .output("Session pointer expected (use 'show sess').\n")
        }
        guard let session = runtime.sessions.session(id: id) else { return .output("No such session (use 'show sess').\n") }
        session.shutDown()
        return .output("")
    }

    func shutDownSessions(onServer name: String) -> RuntimeAPIReply {
        switch server(name) {
        case .failed(let reply): return reply
        case .found(let (_, server)):
            for session in runtime.sessions.all where session.isOn(server) { session.shutDown() }
            return .output("")
        }
    }

    /// `clear counters`: the maxima; `all`: every counter.
    func clearCounters(all: Bool) {
        runtime.processCounters.clear(all: all)
        for frontend in runtime.frontends { frontend.counters.clear(all: all) }
        for backend in runtime.backends {
            backend.counters.clear(all: all)
            for server in backend.servers { server.counters.clear(all: all) }
        }
    }

    /// C's `atoi`: leading digits, 0 when there are none.
    static func atoi(_ text: String) -> Int {
        let trimmed = text.drop { $0 == " " }
        let sign = trimmed.first == "-" ? -1 : 1
        let digits = trimmed.dropFirst(trimmed.first == "-" || trimmed.first == "+" ? 1 : 0).prefix { $0.isNumber }
        return sign * (Int(digits) ?? 0)
    }

    /// The highest `set maxconn global` accepts: the configured limit, or what the file
    /// descriptor limit allows (two descriptors per proxied connection).
    static func hardMaxConnections(configured: Int) -> Int {
        if configured > 0 { return configured }
        return max(1, RuntimeAPIInfo.fileDescriptorLimit / 2)
    }
}
