/// Checks that need the whole configuration: names that rules refer to, modes that must agree, and
/// settings that have no effect where they ended up.
enum ConfigurationChecks {
    static func run(_ configuration: inout Configuration) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for index in configuration.proxies.indices {
            let proxy = configuration.proxies[index]
            checkReferences(proxy, in: configuration, into: &diagnostics)
            checkModeSpecificSettings(&configuration.proxies[index], into: &diagnostics)
            checkTimeouts(proxy, into: &diagnostics)
            if proxy.kind.hasFrontendCapability, proxy.binds.isEmpty, !proxy.isDisabled {
                diagnostics.append(.warning(proxy.location, "\(proxy.kind.rawValue) '\(proxy.name)' has no 'bind' line; it will accept no connection (declare it as a backend if that was intended)"))
            }
        }
        return diagnostics
    }

    static func checkReferences(_ proxy: Proxy, in configuration: Configuration, into diagnostics: inout [Diagnostic]) {
        let aclNames = Set(proxy.acls.compactMap(\.name))
        var conditions: [Condition] = []
        conditions += proxy.tcpRequestRules.compactMap(\.condition)
        conditions += proxy.useBackendRules.compactMap(\.condition)
        conditions += proxy.useServerRules.compactMap(\.condition)
        for condition in conditions {
            for name in condition.referencedNames where !aclNames.contains(name) && !HAProxyKeywords.predefinedACLs.contains(name) {
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
            if backend.mode != proxy.mode {
                diagnostics.append(.alert(location, "\(proxy.kind.rawValue) '\(proxy.name)' is in mode \(proxy.mode.rawValue) and cannot use backend '\(name)', which is in mode \(backend.mode.rawValue)"))
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
        for rule in proxy.useServerRules where !serverNames.contains(rule.server) {
            let hint = NearestMatch.find(rule.server, in: serverNames).map { "; did you mean '\($0)'?" } ?? ""
            diagnostics.append(.alert(rule.location, "backend '\(proxy.name)' has no server named '\(rule.server)' for 'use-server'\(hint)"))
        }
    }

    /// HTTP-only settings in a tcp-mode proxy are ignored with a warning, as HAProxy does.
    static func checkModeSpecificSettings(_ proxy: inout Proxy, into diagnostics: inout [Diagnostic]) {
        if case .http(let name, _) = proxy.balance, proxy.kind.hasBackendCapability {
            diagnostics.append(.warning(proxy.location, "'balance \(name)' needs HTTP processing, which usher does not have yet: \(proxy.kind.rawValue) '\(proxy.name)' is balanced with roundrobin"))
        }
        guard proxy.mode == .tcp else { return }
        if let forwardFor = proxy.settings.forwardFor {
            diagnostics.append(.warning(forwardFor.location, "'option forwardfor' ignored for \(proxy.kind.rawValue) '\(proxy.name)' as it requires HTTP mode"))
            proxy.settings.forwardFor = nil
        }
        if proxy.kind.hasFrontendCapability, let httplog = proxy.settings.options["httplog"], httplog.enabled {
            diagnostics.append(.warning(httplog.location, "'option httplog' not usable with \(proxy.kind.rawValue) '\(proxy.name)' (needs 'mode http'); falling back to 'option tcplog'"))
            proxy.settings.options["httplog"] = nil
            proxy.settings.options["tcplog"] = OptionSetting(enabled: true, location: httplog.location)
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
