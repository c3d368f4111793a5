import NIOCore
import UsherConfig

/// Everything the data plane consults, compiled from one configuration and never changed afterwards:
/// a reload builds a new table and swaps it in.
public struct RoutingTable: Sendable {
    public let configuration: Configuration
    public let frontends: [FrontendRoutes]
    public let backends: [BackendRoutes]
    public let backendsByName: [String: Int]
    /// Statistics pages (`stats …`), by proxy name.
    public private(set) var statsPages: [String: CompiledStatsPage] = [:]
    /// The `proc` variables `set-var`/`set-var-fmt` in `global` set, in order, by name.
    public private(set) var initialProcessVariables: [(String, SampleValue)] = []
    /// The stick tables, with their entries: a new table set per compile (a reload starts them empty).
    public private(set) var stickTables = StickTableSet([])
    /// The maps and ACL pattern files, one per path, with their entries: read again per compile
    /// (a reload starts from the files).
    public private(set) var patternFiles = PatternFileSet()
    /// The `userlist` sections, and those that `http_auth*` fetches read.
    public private(set) var authentication = AuthenticationSet.empty

    /// Compiles `configuration`. Problems come back as alerts with their file and line; the table is
    /// `nil` when there is any.
    /// `keepingStickTables`: the tables of the configuration this one replaces in a running
    /// process (a reload in place); a table declared the same way keeps its entries.
    public static func compile(
        _ configuration: Configuration, keepingStickTables previous: StickTableSet? = nil, loadPatternFile: @escaping (String) throws -> [String]
    ) -> (table: RoutingTable?, diagnostics: [Diagnostic]) {
        let patternFiles = PatternFileSet(load: loadPatternFile)
        var result = PatternFileScope.$current.withValue(patternFiles) {
            compileInScope(configuration, previousStickTables: previous, loadPatternFile: loadPatternFile)
        }
        result.table?.patternFiles = patternFiles
        return result
    }

    private static func compileInScope(
        _ configuration: Configuration, previousStickTables: StickTableSet?, loadPatternFile: (String) throws -> [String]
    ) -> (table: RoutingTable?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        let userlists = compileUserlists(configuration.userlists, &diagnostics)
        let scope = AuthenticationScope(userlists: userlists)
        let (compiled, routeDiagnostics) = AuthenticationScope.$current.withValue(scope) {
            compileRoutes(configuration, previousStickTables: previousStickTables, loadPatternFile: loadPatternFile)
        }
        diagnostics += routeDiagnostics
        guard var table = compiled, !diagnostics.contains(where: { $0.severity == .alert }) else { return (nil, diagnostics) }
        table.authentication = AuthenticationSet(userlists: userlists, referenced: scope.referenced)
        return (table, diagnostics)
    }

    /// The `userlist` sections, with one verifier (and its cache) for the configuration. A hash
    /// the system's crypt(3) cannot check is an alert at its user's line: no password could ever
    /// match it. (HAProxy 2.6 with libxcrypt accepts it, and then refuses every password.)
    static func compileUserlists(_ sections: [Userlist], _ diagnostics: inout [Diagnostic]) -> [String: CompiledUserlist] {
        let verifier = CredentialVerifier()
        var userlists: [String: CompiledUserlist] = [:]
        for section in sections where userlists[section.name] == nil {
            for user in section.users {
                guard case .hashed(let hash)? = user.password, !SystemCrypt.canCheck(hash) else { continue }
                let reason = SystemCrypt.isAvailable
                    ? "the system's crypt(3) cannot check it (an unknown scheme or a malformed salt)"
                    : "this system has no crypt(3) library (libcrypt.so.1) to check it"
                diagnostics.append(.alert(user.location, "userlist '\(section.name)': the password hash of user '\(user.name)' cannot be used: \(reason)"))
            }
            userlists[section.name] = CompiledUserlist(section, verifier: verifier)
        }
        return userlists
    }

    /// Everything but the userlists, with `AuthenticationScope.current` bound.
    private static func compileRoutes(
        _ configuration: Configuration, previousStickTables: StickTableSet?, loadPatternFile: (String) throws -> [String]
    ) -> (table: RoutingTable?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        let backendProxies = configuration.proxies.filter { $0.kind.hasBackendCapability }
        var backendsByName: [String: Int] = [:]
        for (index, proxy) in backendProxies.enumerated() where backendsByName[proxy.name] == nil {
            backendsByName[proxy.name] = index
        }
        let predefined = PredefinedACLs.compiled()
        let stickTables = StickTableSet(configuration.stickTables, keeping: previousStickTables)
        /// What a proxy's fetches and actions find as stick tables.
        func stickScope(_ proxy: Proxy) -> StickTableScope {
            StickTableScope(tables: stickTables, proxyName: proxy.name, proxyTable: proxy.stickTable.flatMap { stickTables[$0.name] })
        }
        var tableNames: [String: SourceLocation] = [:]
        for definition in configuration.stickTables {
            if let first = tableNames[definition.name] {
                diagnostics.append(.alert(definition.location, "stick table '\(definition.name)' is declared twice (first at \(first)): a frontend and a backend of the same name cannot both have one"))
            }
            tableNames[definition.name] = definition.location
        }

        // A `listen` section is both a frontend and a backend: its ACLs are compiled (and their
        // problems reported) once.
        var compiledByProxy: [String: [String: [CompiledACL]]] = [:]
        func compileACLs(_ proxy: Proxy) -> [String: [CompiledACL]] {
            let key = "\(proxy.kind.rawValue) \(proxy.name)"
            if let known = compiledByProxy[key] { return known }
            var named = predefined
            for acl in proxy.acls {
                guard let name = acl.name else { continue }
                do {
                    named[name, default: []].append(try CompiledACL(acl, loadPatternFile: loadPatternFile))
                } catch {
                    diagnostics.append(.alert(acl.location, "in ACL '\(name)' of \(proxy.kind.rawValue) '\(proxy.name)': \(error.message)"))
                }
            }
            compiledByProxy[key] = named
            return named
        }

        /// In a `mode tcp` proxy HTTP fetches read the request bytes as an HTTP/1 head (as HAProxy
        /// does); they are refused only where no byte has arrived yet: `tcp-request connection`
        /// and `session` rules (HAProxy refuses those too).
        func reportHTTPBeforeContent(_ names: [String], _ location: SourceLocation, _ proxy: Proxy, phase: TCPRequestRule.Phase) -> Bool {
            guard phase != .content, let first = names.first else { return false }
            diagnostics.append(.alert(location, "'\(first)' in a 'tcp-request \(phase.rawValue)' rule of \(proxy.kind.rawValue) '\(proxy.name)' reads HTTP, which has not arrived at this stage (use 'tcp-request content' or 'http-request')"))
            return true
        }

        func compileCondition(_ condition: Condition?, _ named: [String: [CompiledACL]], _ proxy: Proxy) -> CompiledCondition?? {
            guard let condition else { return .some(nil) }
            for name in condition.referencedNames where named[name] == nil && !proxy.acls.contains(where: { $0.name == name }) {
                if HAProxyKeywords.predefinedACLs.contains(name) {
                    diagnostics.append(.alert(condition.location, "predefined ACL '\(name)' is not supported by usher yet"))
                }
                // Otherwise a refused `acl` line or an unknown name, both reported by the parser.
                return nil
            }
            // An ACL whose compilation failed was reported at its own line: the rule adds nothing.
            if condition.referencedNames.contains(where: { name in proxy.acls.contains { $0.name == name } && named[name] == nil }) {
                return nil
            }
            do {
                let compiled = try CompiledCondition(condition, namedACLs: named, loadPatternFile: loadPatternFile)
                return .some(compiled)
            } catch {
                // An ACL that failed to compile was already reported; say which rule it breaks.
                diagnostics.append(.alert(condition.location, "in condition of \(proxy.kind.rawValue) '\(proxy.name)': \(error.message)"))
                return nil
            }
        }

        func compileHTTPRules(_ proxy: Proxy, _ named: [String: [CompiledACL]]) -> (request: CompiledHTTPRules, response: CompiledHTTPRules, afterResponse: CompiledHTTPRules) {
            let report = { (location: SourceLocation, message: String) in
                diagnostics.append(.alert(location, "in \(proxy.kind.rawValue) '\(proxy.name)': \(message)"))
            }
            let request = CompiledHTTPRules.compile(
                request: proxy.httpRequestRules + proxy.redirectRules, proxyName: proxy.name, compileCondition: { compileCondition($0, named, proxy) }, report: report
            )
            let response = CompiledHTTPRules.compile(
                response: proxy.httpResponseRules, compileCondition: { compileCondition($0, named, proxy) }, report: report
            )
            let afterResponse = CompiledHTTPRules.compile(
                response: proxy.httpAfterResponseRules, compileCondition: { compileCondition($0, named, proxy) }, report: report
            )
            return (request, response, afterResponse)
        }

        /// A `tcp-request` rule's action; `nil` (reported) when its value cannot be compiled or
        /// reads what is not there at that stage.
        /// `countsRequest`: a tracking counts the request under way (a backend's rules in mode http,
        /// which run after the request was counted, as HAProxy counts it for them).
        func compileTCPAction(_ rule: TCPRequestRule, _ proxy: Proxy, countsRequest: Bool = false) -> FrontendRoutes.Rule.Action? {
            switch rule.action {
            case .accept: return .accept
            case .reject: return .reject
            case .silentDrop: return .silentDrop
            case .variable(let variable):
                let compiled: CompiledVariableAction
                do {
                    compiled = try CompiledVariableAction(variable)
                } catch {
                    diagnostics.append(.alert(rule.location, "in \(proxy.kind.rawValue) '\(proxy.name)': \(error.message)"))
                    return nil
                }
                if rule.phase != .content, let name = compiled.contentFetchNames.first {
                    // HAProxy refuses these too: nothing has been read when these rules run.
                    diagnostics.append(.alert(rule.location, "'\(name)' in a 'tcp-request \(rule.phase.rawValue)' rule of \(proxy.kind.rawValue) '\(proxy.name)' reads the request's contents, which are not there yet at this stage (use 'tcp-request content' or 'http-request')"))
                    return nil
                }
                if reportHTTPBeforeContent(compiled.httpFetchNames, rule.location, proxy, phase: rule.phase) { return nil }
                return .variable(compiled)
            case .stickCounter(let action):
                let compiled: CompiledStickAction
                do {
                    compiled = try CompiledStickAction(action, level: rule.phase == .content ? .stream : .session, countsRequest: countsRequest)
                } catch {
                    diagnostics.append(.alert(rule.location, "in \(proxy.kind.rawValue) '\(proxy.name)': \(error.message)"))
                    return nil
                }
                if rule.phase != .content, compiled.readsPayload, let name = compiled.fetchNames.first {
                    diagnostics.append(.alert(rule.location, "'\(name)' in a 'tcp-request \(rule.phase.rawValue)' rule of \(proxy.kind.rawValue) '\(proxy.name)' reads the request's contents, which are not there yet at this stage (use 'tcp-request content' or 'http-request')"))
                    return nil
                }
                if compiled.readsHTTP, reportHTTPBeforeContent(compiled.fetchNames, rule.location, proxy, phase: rule.phase) { return nil }
                return .stickCounter(compiled)
            }
        }

        var frontends: [FrontendRoutes] = []
        var backends: [BackendRoutes] = []
        for proxy in configuration.proxies where !proxy.isDisabled {
            StickTableScope.$current.withValue(stickScope(proxy)) {
                let named = compileACLs(proxy)
                if proxy.kind.hasFrontendCapability {
                    var connectionRules: [FrontendRoutes.Rule] = []
                    var sessionRules: [FrontendRoutes.Rule] = []
                    var contentRules: [FrontendRoutes.Rule] = []
                    for rule in proxy.tcpRequestRules {
                        guard let condition = compileCondition(rule.condition, named, proxy),
                            let action = compileTCPAction(rule, proxy)
                        else { continue }
                        if let condition, rule.phase != .content, let name = condition.httpACLNames.first {
                            // As HAProxy: a warning, and the ACL never matches there.
                            diagnostics.append(.warning(rule.location, "'\(name)' will never match in a 'tcp-request \(rule.phase.rawValue)' rule of \(proxy.kind.rawValue) '\(proxy.name)': it reads HTTP, which has not arrived at this stage"))
                        }
                        let compiled = FrontendRoutes.Rule(action: action, condition: condition)
                        switch rule.phase {
                        case .connection: connectionRules.append(compiled)
                        case .session: sessionRules.append(compiled)
                        case .content: contentRules.append(compiled)
                        }
                    }
                    var backendRules: [(target: BackendTarget, condition: CompiledCondition?)] = []
                    for rule in proxy.useBackendRules {
                        guard let condition = compileCondition(rule.condition, named, proxy) else { continue }
                        if rule.isDynamic {
                            do throws(RoutingError) {
                                let template = try LogFormatTemplate(rule.backend)
                                backendRules.append((.dynamic(template), condition))
                            } catch {
                                diagnostics.append(.alert(rule.location, "in 'use_backend \(rule.backend)': \(error.message)"))
                            }
                        } else if let index = backendsByName[rule.backend] {
                            backendRules.append((.fixed(index), condition))
                        }
                    }
                    let httpRules = compileHTTPRules(proxy, named)
                    var defaultBackend: Int? = nil
                    if let name = proxy.settings.defaultBackend {
                        defaultBackend = backendsByName[name]
                    } else if proxy.kind == .listen {
                        defaultBackend = backendsByName[proxy.name]
                    }
                    var logFormat: LogFormatLine? = nil
                    if let format = proxy.settings.logFormat {
                        do throws(RoutingError) {
                            let line = try LogFormatLine(format.format)
                            if proxy.mode == .tcp, let name = line.httpOnlyNames.first {
                                // HAProxy refuses these too: a TCP session has no request to read them from.
                                diagnostics.append(.alert(format.location, "in 'log-format' of \(proxy.kind.rawValue) '\(proxy.name)': '\(name)' reads HTTP, which a mode tcp proxy does not have"))
                            } else {
                                logFormat = line
                            }
                        } catch {
                            diagnostics.append(.alert(format.location, "in 'log-format' of \(proxy.kind.rawValue) '\(proxy.name)': \(error.message)"))
                        }
                    }
                    var uniqueIDFormat: LogFormatLine? = nil
                    if let format = proxy.settings.uniqueIDFormat {
                        do throws(RoutingError) { uniqueIDFormat = try LogFormatLine(format.format) } catch {
                            diagnostics.append(.alert(format.location, "in 'unique-id-format' of \(proxy.kind.rawValue) '\(proxy.name)': \(error.message)"))
                        }
                    }
                    frontends.append(FrontendRoutes(
                        proxy: proxy, connectionRules: connectionRules, sessionRules: sessionRules, contentRules: contentRules,
                        backendRules: backendRules, defaultBackend: defaultBackend,
                        httpRequestRules: httpRules.request, httpResponseRules: httpRules.response,
                        httpAfterResponseRules: httpRules.afterResponse, logFormat: logFormat,
                        uniqueIDFormat: uniqueIDFormat, otherModeBackends: proxy.mode == .tcp ? [] : Set(backendProxies.indices.filter { backendProxies[$0].mode == .tcp })
                    ))
                }
            }
        }
        for proxy in backendProxies {
            StickTableScope.$current.withValue(stickScope(proxy)) {
                let named = compileACLs(proxy)
                var useServerRules: [(server: BackendRoutes.ServerTarget, condition: CompiledCondition?)] = []
                for rule in proxy.useServerRules {
                    guard let condition = compileCondition(rule.condition, named, proxy) else { continue }
                    if rule.isDynamic {
                        do throws(RoutingError) {
                            let template = try LogFormatTemplate(rule.server)
                            useServerRules.append((.dynamic(template), condition))
                        } catch {
                            diagnostics.append(.alert(rule.location, "in 'use-server \(rule.server)': \(error.message)"))
                        }
                    } else if let index = proxy.servers.firstIndex(where: { $0.name == rule.server }) {
                        useServerRules.append((.fixed(index), condition))
                    }
                }
                var serverNameSamples: [CompiledSample?] = []
                for server in proxy.servers {
                    guard let expression = server.options.tls.sni else {
                        serverNameSamples.append(nil)
                        continue
                    }
                    do throws(RoutingError) {
                        let sample = try CompiledSample(expression)
                        serverNameSamples.append(sample)
                    } catch {
                        diagnostics.append(.alert(server.location, "in the 'sni' expression of server '\(proxy.name)/\(server.name)': \(error.message)"))
                        serverNameSamples.append(nil)
                    }
                }
                var stickRules: [StickPersistence.Rule] = []
                for rule in proxy.stickRules {
                    guard let condition = compileCondition(rule.condition, named, proxy) else { continue }
                    do throws(RoutingError) {
                        let table = try StickTableScope.resolve(rule.table, for: "stick \(rule.kind.rawValue)")
                        let key = try CompiledSample(rule.key)
                        stickRules.append(StickPersistence.Rule(kind: rule.kind, key: key, table: table, condition: condition))
                    } catch {
                        // `stick on` is two rules: one alert for its line.
                        if !diagnostics.contains(where: { $0.location == rule.location }) {
                            diagnostics.append(.alert(rule.location, "in \(proxy.kind.rawValue) '\(proxy.name)': \(error.message)"))
                        }
                    }
                }
                var backendContentRules: [FrontendRoutes.Rule] = []
                if proxy.kind == .backend {
                    for rule in proxy.tcpRequestRules where rule.phase == .content {
                        guard let condition = compileCondition(rule.condition, named, proxy),
                            let action = compileTCPAction(rule, proxy, countsRequest: proxy.mode == .http)
                        else { continue }
                        if proxy.mode == .tcp, condition?.readsPayload == true {
                            diagnostics.append(.alert(rule.location, "a 'tcp-request content' rule of backend '\(proxy.name)' that waits for the request's contents is not supported by usher yet (write it in the frontend, which waits for 'tcp-request inspect-delay')"))
                            continue
                        }
                        backendContentRules.append(FrontendRoutes.Rule(action: action, condition: condition))
                    }
                }
                // A listen section's rules run once, on its frontend side.
                let httpRules = proxy.kind == .listen
                    ? (request: CompiledHTTPRules.empty, response: CompiledHTTPRules.empty, afterResponse: CompiledHTTPRules.empty) : compileHTTPRules(proxy, named)
                backends.append(BackendRoutes(
                    proxy: proxy, useServerRules: useServerRules,
                    httpRequestRules: httpRules.request, httpResponseRules: httpRules.response, httpAfterResponseRules: httpRules.afterResponse,
                    serverNameSamples: serverNameSamples,
                    stickPersistence: StickPersistence(rules: stickRules), contentRules: backendContentRules,
                    checkProgram: compileCheckProgram(proxy, &diagnostics)
                ))
            }
        }
        var statsPages: [String: CompiledStatsPage] = [:]
        for proxy in configuration.proxies where !proxy.isDisabled && statsPages[proxy.name] == nil {
            StickTableScope.$current.withValue(stickScope(proxy)) {
                guard let settings = proxy.settings.stats else { return }
                let named = compileACLs(proxy)
                let admin = settings.adminConditions.compactMap { compileCondition($0, named, proxy) ?? nil }
                var access: [CompiledStatsPage.AccessRule] = []
                for rule in settings.accessRules {
                    guard let condition = compileCondition(rule.condition, named, proxy) else { continue }
                    access.append(CompiledStatsPage.AccessRule(action: rule.action, realm: rule.realm ?? settings.realm, condition: condition))
                }
                statsPages[proxy.name] = CompiledStatsPage(settings: settings, adminConditions: admin, accessRules: access)
            }
        }
        let processVariables = initialProcessVariables(configuration.global, &diagnostics)
        if diagnostics.contains(where: { $0.severity == .alert }) {
            return (nil, diagnostics)
        }
        var table = RoutingTable(configuration: configuration, frontends: frontends, backends: backends, backendsByName: backendsByName)
        table.stickTables = stickTables
        table.statsPages = statsPages
        table.initialProcessVariables = processVariables
        return (table, diagnostics)
    }

    init(configuration: Configuration, frontends: [FrontendRoutes], backends: [BackendRoutes], backendsByName: [String: Int]) {
        self.configuration = configuration
        self.frontends = frontends
        self.backends = backends
        self.backendsByName = backendsByName
    }
}

extension RoutingTable {
    /// Evaluates `set-var`/`set-var-fmt` of the `global` section, in order, as HAProxy does while
    /// it reads the file: each may read constants and the `proc` variables set before it, nothing
    /// of a connection.
    static func initialProcessVariables(_ global: GlobalSettings, _ diagnostics: inout [Diagnostic]) -> [(String, SampleValue)] {
        guard !global.processVariables.isEmpty else { return [] }
        let process = ProcessVariables(limits: global.variableLimits, maxValueBytes: global.bufferSize ?? 16_384)
        let storage = ConfigurationVariables(process: process)
        var context = SampleContext(
            connection: ConnectionInfo(source: nil, sourcePort: 0, destination: nil, destinationPort: 0), payload: ByteBuffer(), isFinal: true,
            variables: storage
        )
        var order: [String] = []
        for setting in global.processVariables {
            let assignment = setting.assignment
            let keyword = if case .format = assignment.value { "set-var-fmt" } else { "set-var" }
            do {
                let action = try CompiledVariableAction(.set(assignment))
                let names: [String]
                switch action.operation {
                case .set(_, _, .sample(let sample)): names = sample.isInternal ? [] : [sample.expression.fetch.name]
                case .set(_, _, .format(let template)): names = template.connectionNames
                case .unset: names = []
                }
                if let name = names.first {
                    diagnostics.append(.alert(setting.location, "'\(name)' in '\(keyword) \(assignment.variable)' reads a connection, which the global section does not have: only constants such as str() or int() and 'proc' variables may be used"))
                    continue
                }
                action.apply(&context)
                if !order.contains(assignment.variable.name) { order.append(assignment.variable.name) }
            } catch {
                diagnostics.append(.alert(setting.location, "in '\(keyword) \(assignment.variable)': \(error.message)"))
            }
        }
        return order.compactMap { name in process.value(of: name).map { (name, $0) } }
    }
}

/// The variables `global` `set-var` lines see: the `proc` ones only.
private final class ConfigurationVariables: VariableStorage {
    var sessionVariables: SessionVariables

    init(process: ProcessVariables) {
        sessionVariables = SessionVariables(process: process)
    }
}
