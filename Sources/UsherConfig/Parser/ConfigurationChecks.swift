/// Checks that need the whole configuration: names that rules refer to, modes that must agree, and
/// settings that have no effect where they ended up.
enum ConfigurationChecks {
    static func run(_ configuration: inout Configuration) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for index in configuration.proxies.indices {
            let proxy = configuration.proxies[index]
            checkReferences(proxy, in: configuration, into: &diagnostics)
            checkModeSpecificSettings(&configuration.proxies[index], into: &diagnostics)
            checkHTTPCheckRules(&configuration.proxies[index], into: &diagnostics)
            checkTCPCheckRules(&configuration.proxies[index], into: &diagnostics)
            checkObserveModes(&configuration.proxies[index], into: &diagnostics)
            checkNotYetApplied(configuration.proxies[index], into: &diagnostics)
            checkTimeouts(proxy, into: &diagnostics)
            checkServerTLS(proxy, global: configuration.global.tls, into: &diagnostics)
            checkResolvers(proxy, in: configuration, into: &diagnostics)
            if proxy.kind.hasFrontendCapability, proxy.binds.isEmpty, !proxy.isDisabled, !proxy.hasRefusedBind {
                diagnostics.append(.warning(proxy.location, "\(proxy.kind.rawValue) '\(proxy.name)' has no 'bind' line; it will accept no connection (declare it as a backend if that was intended)"))
            }
        }
        checkPeers(configuration, into: &diagnostics)
        enableServerIDs(&configuration)
        return diagnostics
    }

    /// A table that `stick` rules use keeps each entry's server id, as HAProxy enables
    /// `server_id` by itself. (A table no one declares is reported when the rules are compiled.)
    static func enableServerIDs(_ configuration: inout Configuration) {
        var names: Set<String> = []
        for proxy in configuration.proxies {
            for rule in proxy.stickRules { names.insert(rule.table ?? proxy.name) }
        }
        guard !names.isEmpty else { return }
        func enable(_ table: inout StickTableDefinition) {
            if names.contains(table.name), !table.stored.contains(where: { $0.kind == .serverID }) {
                table.stored.append(StickData(.serverID))
            }
        }
        for index in configuration.proxies.indices where configuration.proxies[index].stickTable != nil {
            enable(&configuration.proxies[index].stickTable!)
        }
        for section in configuration.peers.indices {
            for table in configuration.peers[section].tables.indices { enable(&configuration.peers[section].tables[table]) }
        }
    }

    static func checkReferences(_ proxy: Proxy, in configuration: Configuration, into diagnostics: inout [Diagnostic]) {
        if proxy.kind.hasFrontendCapability {
            // A frontend's capture rules must name one of its slots (a backend's cannot be checked:
            // its frontends are known only at run time).
            for rule in proxy.httpRequestRules {
                if case .capture(_, let slot) = rule.action, slot >= proxy.requestHeaderCaptures.count {
                    diagnostics.append(.alert(rule.location, "'http-request capture' uses request capture slot \(slot), but \(proxy.kind.rawValue) '\(proxy.name)' declares \(proxy.requestHeaderCaptures.count)"))
                }
            }
            for rule in proxy.httpResponseRules {
                if case .capture(_, let slot) = rule.action, slot >= proxy.responseHeaderCaptures.count {
                    diagnostics.append(.alert(rule.location, "'http-response capture' uses response capture slot \(slot), but \(proxy.kind.rawValue) '\(proxy.name)' declares \(proxy.responseHeaderCaptures.count)"))
                }
            }
        }
        var serversByID: [Int: Server] = [:]
        for server in proxy.servers {
            guard let identifier = server.options.identifier else { continue }
            if let first = serversByID[identifier] {
                diagnostics.append(.alert(server.location, "server '\(server.name)' has id \(identifier), which server '\(first.name)' at \(first.location) already has in \(proxy.kind.rawValue) '\(proxy.name)'"))
            } else {
                serversByID[identifier] = server
            }
        }
        let aclNames = Set(proxy.acls.compactMap(\.name))
        var conditions: [Condition] = []
        conditions += proxy.tcpRequestRules.compactMap(\.condition)
        conditions += proxy.stickRules.compactMap(\.condition)
        conditions += proxy.useBackendRules.compactMap(\.condition)
        conditions += proxy.useServerRules.compactMap(\.condition)
        conditions += (proxy.httpRequestRules + proxy.redirectRules).compactMap(\.condition)
        conditions += proxy.httpResponseRules.compactMap(\.condition)
        conditions += proxy.httpAfterResponseRules.compactMap(\.condition)
        for condition in conditions {
            for name in condition.referencedNames
            where !aclNames.contains(name) && !HAProxyKeywords.predefinedACLs.contains(name) && !proxy.refusedACLNames.contains(name) {
                let hint = NearestMatch.find(name, in: aclNames.union(HAProxyKeywords.predefinedACLs)).map { "; did you mean '\($0)'?" } ?? ""
                diagnostics.append(.alert(condition.location, "no such ACL: '\(name)' in \(proxy.kind.rawValue) '\(proxy.name)'\(hint)"))
            }
        }
        let backendNames = configuration.backends.map(\.name)
        func checkBackend(_ name: String, at location: SourceLocation) {
            guard let backend = configuration.backend(named: name) else {
                let hint = NearestMatch.find(name, in: backendNames).map { "; did you mean '\($0)'?" } ?? ""
                diagnostics.append(.alert(location, "\(proxy.kind.rawValue) '\(proxy.name)' refers to backend '\(name)', which does not exist\(hint)"))
                return
            }
            // A mode tcp frontend may hand a connection to a mode http backend: the connection is
            // upgraded to HTTP, as in HAProxy. The other way round is impossible.
            if backend.mode == .tcp, proxy.mode == .http {
                diagnostics.append(.alert(location, "\(proxy.kind.rawValue) '\(proxy.name)' is in mode http and cannot use backend '\(name)', which is in mode tcp"))
            }
        }
        if proxy.kind.hasFrontendCapability {
            for rule in proxy.useBackendRules where !rule.isDynamic {
                checkBackend(rule.backend, at: rule.location)
            }
            if let name = proxy.settings.defaultBackend {
                checkBackend(name, at: proxy.settings.defaultBackendLocation ?? proxy.location)
            }
        }
        let serverNames = proxy.servers.map(\.name)
        for rule in proxy.useServerRules where !rule.isDynamic && !serverNames.contains(rule.server) {
            let hint = NearestMatch.find(rule.server, in: serverNames).map { "; did you mean '\($0)'?" } ?? ""
            diagnostics.append(.alert(rule.location, "backend '\(proxy.name)' has no server named '\(rule.server)' for 'use-server'\(hint)"))
        }
    }

    /// HTTP-only settings in a tcp-mode proxy are ignored with a warning, as HAProxy does.
    static func checkModeSpecificSettings(_ proxy: inout Proxy, into diagnostics: inout [Diagnostic]) {
        let name = "\(proxy.kind.rawValue) '\(proxy.name)'"
        guard proxy.mode == .tcp else { return }
        if proxy.balance.needsHTTP, proxy.kind.hasBackendCapability {
            diagnostics.append(.warning(proxy.location, "'balance \(proxy.balance.name)' is not possible for \(name), which is not in mode http: falling back to roundrobin"))
            proxy.settings.balance = .roundRobin
        }
        if let forwardFor = proxy.settings.forwardFor {
            diagnostics.append(.warning(forwardFor.location, "'option forwardfor' ignored for \(name) as it requires HTTP mode"))
            proxy.settings.forwardFor = nil
        }
        if proxy.kind.hasFrontendCapability, let httplog = proxy.settings.options["httplog"], httplog.enabled {
            diagnostics.append(.warning(httplog.location, "'option httplog' not usable with \(name) (needs 'mode http'); falling back to 'option tcplog'"))
            proxy.settings.options["httplog"] = nil
            proxy.settings.httpLogIsCLF = false
            proxy.settings.options["tcplog"] = OptionSetting(enabled: true, location: httplog.location)
        }
        for (option, setting) in proxy.settings.options.sorted(by: { $0.key < $1.key })
        where setting.enabled && ProxyKeywords.options[option]?.needsHTTPMode == true {
            diagnostics.append(.warning(setting.location, "'option \(option)' ignored for \(name) as it requires HTTP mode"))
            proxy.settings.options[option] = nil
        }
        let rules: [(String, SourceLocation?)] = [
            ("http-request", proxy.httpRequestRules.first?.location), ("http-response", proxy.httpResponseRules.first?.location),
            ("redirect", proxy.redirectRules.first?.location), ("http-after-response", proxy.httpAfterResponseRules.first?.location),
        ]
        for case (let keyword, let location?) in rules {
            diagnostics.append(.warning(location, "'\(keyword)' rules ignored for \(name) as they require HTTP mode"))
        }
        proxy.httpRequestRules = []
        proxy.httpResponseRules = []
        proxy.httpAfterResponseRules = []
        proxy.redirectRules = []
        if let stats = proxy.settings.stats {
            // HAProxy only warns and drops the page; a page that silently never appears is worse.
            if stats.location.file == proxy.location.file, stats.location.line > proxy.location.line {
                diagnostics.append(.alert(stats.location, "'stats' needs 'mode http', but \(name) is in mode tcp"))
            } else {
                diagnostics.append(.warning(proxy.location, "'stats' inherited from defaults ignored for \(name) as it requires HTTP mode"))
            }
            proxy.settings.stats = nil
        }
        if proxy.kind.hasFrontendCapability, proxy.settings.monitorURI != nil {
            diagnostics.append(.warning(proxy.location, "'monitor-uri' ignored for \(name) as it requires HTTP mode"))
            proxy.settings.monitorURI = nil
        }
    }

    /// `http-check` rules do nothing without `option httpchk` (HAProxy warns the same way).
    static func checkHTTPCheckRules(_ proxy: inout Proxy, into diagnostics: inout [Diagnostic]) {
        guard proxy.kind.hasBackendCapability, let rule = proxy.settings.httpCheck?.rules.first, !proxy.settings.isEnabled("httpchk") else { return }
        let location: SourceLocation
        switch rule {
        case .send(let send): location = send.location
        case .expect(let expect): location = expect.location
        }
        diagnostics.append(.warning(location, "\(proxy.kind.rawValue) '\(proxy.name)' has 'http-check' rules without 'option httpchk': they are ignored"))
        proxy.settings.httpCheck?.rules = []
    }

    /// `tcp-check` rules do nothing without `option tcp-check` (HAProxy's warning).
    static func checkTCPCheckRules(_ proxy: inout Proxy, into diagnostics: inout [Diagnostic]) {
        guard proxy.kind.hasBackendCapability, let rule = proxy.settings.tcpCheckRules.first, !proxy.settings.isEnabled("tcp-check") else { return }
        diagnostics.append(.warning(rule.location, "\(proxy.kind.rawValue) '\(proxy.name)' uses tcp-check rules without 'option tcp-check', so the rules are ignored"))
        proxy.settings.tcpCheckRules = []
    }

    /// `observe layer7` reads HTTP responses: in a `mode tcp` proxy HAProxy complains and observes
    /// nothing; usher warns and observes nothing.
    static func checkObserveModes(_ proxy: inout Proxy, into diagnostics: inout [Diagnostic]) {
        guard proxy.mode != .http else { return }
        for index in proxy.servers.indices where proxy.servers[index].observe == .layer7 {
            let server = proxy.servers[index]
            diagnostics.append(.warning(server.location, "server '\(server.name)': 'observe layer7' can only be used in HTTP proxies; nothing is observed"))
            proxy.servers[index].options.observe = ObserveMode.none
        }
    }

    /// Settings usher reads but its data plane does not apply yet, in either mode. Remove each one
    /// from this list when the data plane learns it.
    static func checkNotYetApplied(_ proxy: Proxy, into diagnostics: inout [Diagnostic]) {
        guard !proxy.isDisabled else { return }
        let name = "\(proxy.kind.rawValue) '\(proxy.name)'"
        let settings = proxy.settings
        for option in ["abortonclose", "nolinger"] {
            guard let setting = settings.options[option], setting.enabled, let side = ProxyKeywords.options[option]?.side,
                (side.contains(.frontend) && proxy.kind.hasFrontendCapability) || (side.contains(.backend) && proxy.kind.hasBackendCapability)
            else { continue }
            diagnostics.append(.warning(setting.location, "'option \(option)' is not applied by usher yet: \(name) behaves as without it"))
        }
    }

    static func checkTimeouts(_ proxy: Proxy, into diagnostics: inout [Diagnostic]) {
        guard !proxy.isDisabled else { return }
        var missing: [String] = []
        let timeouts = proxy.settings.timeouts
        if proxy.kind.hasFrontendCapability && timeouts.client == nil { missing.append("client") }
        if proxy.kind.hasBackendCapability && timeouts.connect == nil { missing.append("connect") }
        if proxy.kind.hasBackendCapability && timeouts.server == nil { missing.append("server") }
        if !missing.isEmpty {
            diagnostics.append(.warning(proxy.location, "missing timeouts for \(proxy.kind.rawValue) '\(proxy.name)': set \(missing.map { "'timeout \($0)'" }.joined(separator: ", ")); without them a stalled peer holds its connection forever"))
        }
    }
}
