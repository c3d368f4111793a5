/// The keywords usher understands in `defaults`, `frontend`, `backend` and `listen` sections: one
/// table, each entry with the sections it is allowed in.
enum ProxyKeywords {
    /// Where a keyword may appear.
    struct Capabilities: OptionSet, Sendable {
        let rawValue: UInt8
        static let defaults = Capabilities(rawValue: 1)
        static let frontend = Capabilities(rawValue: 2)
        static let backend = Capabilities(rawValue: 4)
        static let all: Capabilities = [.defaults, .frontend, .backend]
        static let proxies: Capabilities = [.frontend, .backend]
    }

    typealias Handler = @Sendable (ConfigurationLine, inout ProxyBuilder) throws -> Void

    struct Keyword: Sendable {
        var capabilities: Capabilities
        var handler: Handler
    }

    static let table: [String: Keyword] = [
        "mode": Keyword(capabilities: .all) { line, builder in
            let value = try single(line)
            guard let mode = ProxyMode(rawValue: value) else {
                if value == "health" || value == "log" || value == "spop" {
                    throw ConfigurationError.notSupported("'mode \(value)'")
                }
                throw ConfigurationError("unknown mode '\(value)' (expected 'tcp' or 'http')")
            }
            builder.settings.mode = mode
        },
        "bind": Keyword(capabilities: .frontend) { line, builder in
            try addBind(line.words, at: line.location, into: &builder)
        },
        "maxconn": Keyword(capabilities: .all) { line, builder in
            let value = try integer(line)
            // HAProxy ignores it in a backend with a warning (a backend's limit is `fullconn` and
            // each server's `maxconn`).
            guard builder.isDefaults || builder.proxy.kind != .backend else {
                builder.warn(line.location, "'maxconn' ignored because \(builder.sectionDescription) has no frontend capability; a backend's limits are 'fullconn' and each server's 'maxconn'")
                return
            }
            builder.settings.maxconn = value
        },
        "backlog": Keyword(capabilities: [.defaults, .frontend]) { line, builder in
            // Applied to the bind lines without their own when the section ends (ParserState).
            builder.settings.backlog = try integer(line)
        },
        "timeout": Keyword(capabilities: .all) { line, builder in try parseTimeout(line, into: &builder) },
        "contimeout": legacyTimeout("connect"),
        "clitimeout": legacyTimeout("client"),
        "srvtimeout": legacyTimeout("server"),
        "option": Keyword(capabilities: .all) { line, builder in try parseOption(line, enabled: true, into: &builder) },
        "no": Keyword(capabilities: .all) { line, builder in
            guard line.words.count >= 2 else { throw ConfigurationError("'no' expects 'option NAME' or 'log'") }
            var rest = line
            rest.words.removeFirst()
            switch rest.keyword {
            case "option": try parseOption(rest, enabled: false, into: &builder)
            case "log":
                guard rest.words.count == 1 else { throw ConfigurationError("'no log' takes no arguments") }
                builder.settings.logTargets = []
                builder.settings.usesGlobalLog = false
            default: throw ConfigurationError("'no' expects 'option NAME' or 'log', not '\(rest.keyword)'")
            }
        },
        "log": Keyword(capabilities: .all) { line, builder in
            if line.words.count == 2, line.words[1] == "global" {
                builder.settings.usesGlobalLog = true
                return
            }
            var targets = builder.settings.logTargets ?? []
            targets.append(try LogTargetParser.parse(line))
            builder.settings.logTargets = targets
        },
        "retries": Keyword(capabilities: [.defaults, .backend]) { line, builder in
            builder.settings.retries = try integer(line, in: 0...1000)
        },
        "balance": Keyword(capabilities: [.defaults, .backend]) { line, builder in
            builder.settings.balance = try parseBalance(line)
        },
        "hash-type": Keyword(capabilities: [.defaults, .backend]) { line, builder in
            builder.settings.hashType = try parseHashType(line)
        },
        "hash-balance-factor": Keyword(capabilities: [.defaults, .backend]) { line, builder in
            let factor = try integer(line, in: 0...Int(Int32.max))
            guard factor == 0 || factor > 100 else { throw ConfigurationError("'hash-balance-factor' must be 0 or greater than 100, not \(factor)") }
            builder.settings.hashBalanceFactor = factor
        },
        "default_backend": Keyword(capabilities: [.defaults, .frontend]) { line, builder in
            builder.settings.defaultBackend = try single(line)
            builder.settings.defaultBackendLocation = line.location
        },
        "use_backend": Keyword(capabilities: .frontend) { line, builder in
            guard line.words.count >= 2 else { throw ConfigurationError("'use_backend' expects a backend name") }
            let condition = try optionalCondition(line.words.dropFirst(2), line: line)
            builder.proxy.useBackendRules.append(UseBackendRule(backend: line.words[1], condition: condition, location: line.location))
        },
        "use-server": Keyword(capabilities: .backend) { line, builder in
            guard line.words.count >= 2 else { throw ConfigurationError("'use-server' expects a server name") }
            // HAProxy 2.6 requires a condition here (a rule that always applies would be a `server`
            // with all the weight).
            guard let condition = try optionalCondition(line.words.dropFirst(2), line: line) else {
                throw ConfigurationError("'use-server' requires 'if' or 'unless' followed by a condition")
            }
            builder.proxy.useServerRules.append(UseServerRule(server: line.words[1], condition: condition, location: line.location))
        },
        "server": Keyword(capabilities: .backend) { line, builder in
            let server = try ServerLineParser.parseServer(line, defaults: builder.settings.defaultServer)
            if let existing = builder.proxy.servers.first(where: { $0.name == server.name }) {
                throw ConfigurationError("server '\(server.name)' is already declared in \(builder.sectionDescription) at \(existing.location)")
            }
            builder.proxy.servers.append(server)
        },
        "server-template": Keyword(capabilities: .backend) { line, builder in
            for server in try ServerLineParser.parseTemplate(line, defaults: builder.settings.defaultServer) {
                if let existing = builder.proxy.servers.first(where: { $0.name == server.name }) {
                    throw ConfigurationError("server-template makes server '\(server.name)', which is already declared in \(builder.sectionDescription) at \(existing.location)")
                }
                builder.proxy.servers.append(server)
            }
        },
        "default-server": Keyword(capabilities: [.defaults, .backend]) { line, builder in
            let options = try ServerLineParser.parseOptions(line.words.dropFirst(), line: line, isDefaultServer: true)
            builder.settings.defaultServer = options.inheriting(builder.settings.defaultServer)
        },
        "bind-process": Keyword(capabilities: .all) { line, builder in
            builder.warn(line.location, "'bind-process' has no effect: HAProxy 2.6 ignores it too (one process, whose threads share every listener)")
        },
        "stick-table": Keyword(capabilities: .proxies) { line, builder in
            if let existing = builder.proxy.stickTable {
                throw ConfigurationError("\(builder.sectionDescription) already has a stick-table, at \(existing.location): HAProxy allows one per proxy (declare a backend for another)")
            }
            let table = try StickTableParser.parse(line.words.dropFirst(), name: builder.proxy.name, allowsPeers: true, location: line.location)
            if let warning = StickTableParser.unappliedWarning(table) { builder.warn(line.location, warning) }
            builder.proxy.stickTable = table
        },
        "stick": Keyword(capabilities: .proxies) { line, builder in
            let rules = try StickTableParser.parseStickRule(line)
            guard builder.proxy.kind.hasBackendCapability else {
                // As HAProxy: read, then ignored with a warning.
                builder.warn(line.location, "'stick' ignored because \(builder.sectionDescription) has no backend capability")
                return
            }
            builder.proxy.stickRules += rules
        },
        "cookie": Keyword(capabilities: [.defaults, .backend]) { line, builder in
            builder.settings.cookie = try parseCookie(line)
        },
        "acl": Keyword(capabilities: .proxies) { line, builder in
            guard line.words.count >= 3 else { throw ConfigurationError("'acl' expects a name, a fetch method and values") }
            let name = line.words[1]
            if let problem = ParserState.nameProblem(name) {
                throw ConfigurationError("ACL name '\(name)' \(problem)")
            }
            switch ACLDefinition.parse(name: name, words: line.words.dropFirst(2), location: line.location) {
            case .success(let acl): builder.proxy.acls.append(acl)
            case .failure(let error): throw ConfigurationError(error.message)
            }
        },
        "tcp-request": Keyword(capabilities: .all) { line, builder in try parseTCPRequest(line, into: &builder) },
        "disabled": Keyword(capabilities: .all) { line, builder in
            guard line.words.count == 1 else { throw ConfigurationError("'disabled' takes no arguments") }
            builder.proxy.isDisabled = true
        },
        "enabled": Keyword(capabilities: .all) { line, builder in
            guard line.words.count == 1 else { throw ConfigurationError("'enabled' takes no arguments") }
            builder.proxy.isDisabled = false
        },
        "http-request": Keyword(capabilities: .all) { line, builder in try parseHTTPRequest(line, into: &builder) },
        "http-response": Keyword(capabilities: .all) { line, builder in try parseHTTPResponse(line, into: &builder) },
        "http-after-response": Keyword(capabilities: .all) { line, builder in try parseHTTPAfterResponse(line, into: &builder) },
        "redirect": Keyword(capabilities: .proxies) { line, builder in try parseStandaloneRedirect(line, into: &builder) },
        "capture": Keyword(capabilities: .frontend) { line, builder in try parseCapture(line, into: &builder) },
        "declare": Keyword(capabilities: .frontend) { line, builder in try parseDeclareCapture(line, into: &builder) },
        "errorfile": Keyword(capabilities: .all) { line, builder in try parseErrorFile(line, into: &builder) },
        "http-error": Keyword(capabilities: .all) { line, builder in try parseHTTPError(line, into: &builder) },
        "errorfiles": Keyword(capabilities: .all) { line, builder in
            guard line.words.count >= 2 else { throw ConfigurationError("'errorfiles' expects the name of an http-errors section, then optional status codes") }
            var statuses: [Int] = []
            for word in line.words.dropFirst(2) {
                guard let status = ConfigurationValues.integer(word), ErrorFile.statusCodes.contains(status) else {
                    throw ConfigurationError("'errorfiles': status '\(word)' is not one HAProxy answers with by itself (expected \(errorPageCodes))")
                }
                statuses.append(status)
            }
            builder.settings.errorFileImports.append(ErrorFileImport(section: line.words[1], statuses: statuses, location: line.location))
        },
        "errorloc": errorLocation(code: 302),
        "errorloc302": errorLocation(code: 302),
        "errorloc303": errorLocation(code: 303),
        "http-check": Keyword(capabilities: [.defaults, .backend]) { line, builder in try parseHTTPCheck(line, into: &builder) },
        "tcp-check": Keyword(capabilities: [.defaults, .backend]) { line, builder in try parseTCPCheck(line, into: &builder) },
        "log-format": Keyword(capabilities: [.defaults, .frontend]) { line, builder in
            builder.settings.logFormat = try logFormat(line)
            // `log-format` replaces `option tcplog` and `option httplog`, and they replace it.
            builder.settings.options["tcplog"] = nil
            builder.settings.options["httplog"] = nil
            builder.settings.httpLogIsCLF = false
        },
        "unique-id-format": Keyword(capabilities: [.defaults, .frontend]) { line, builder in
            builder.settings.uniqueIDFormat = try logFormat(line)
        },
        "unique-id-header": Keyword(capabilities: [.defaults, .frontend]) { line, builder in
            builder.settings.uniqueIDHeader = try single(line)
        },
        "compression": Keyword(capabilities: .all) { line, builder in try parseCompression(line, into: &builder) },
        "monitor-uri": Keyword(capabilities: [.defaults, .frontend]) { line, builder in
            builder.settings.monitorURI = try single(line)
        },
        "http-reuse": Keyword(capabilities: [.defaults, .backend]) { line, builder in
            let value = line.words.count == 2 ? line.words[1] : ""
            guard let reuse = HTTPReuse(rawValue: value) else {
                let names = RuleWords.list(HTTPReuse.allCases.map(\.rawValue), conjunction: "or")
                throw ConfigurationError("'http-reuse' expects one of \(names)")
            }
            builder.settings.httpReuse = reuse
        },
        "stats": Keyword(capabilities: .all) { line, builder in try parseStats(line, into: &builder) },
        "description": Keyword(capabilities: .proxies) { line, _ in
            guard line.words.count >= 2 else { throw ConfigurationError("'description' expects a text") }
        },
    ]

    static func handle(_ line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        guard let keyword = table[line.keyword] else {
            if HAProxyKeywords.removedProxy.contains(line.keyword) {
                throw ConfigurationError.removedIn2x("'\(line.keyword)'")
            }
            if HAProxyKeywords.proxy.contains(line.keyword) {
                throw ConfigurationError.notSupported("'\(line.keyword)' in \(builder.sectionDescription)")
            }
            // A misspelt section name lands in the previous section: suggest section names too.
            let candidates = Set(table.keys).union(HAProxyKeywords.proxy).union(HAProxyKeywords.sections)
            let hint = NearestMatch.find(line.keyword, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError("unknown keyword '\(line.keyword)' in \(builder.sectionDescription)\(hint)")
        }
        let here: Capabilities
        if builder.isDefaults {
            here = .defaults
        } else {
            switch builder.proxy.kind {
            case .frontend: here = .frontend
            case .backend: here = .backend
            case .listen: here = [.frontend, .backend]
            }
        }
        guard !keyword.capabilities.isDisjoint(with: here) else {
            throw ConfigurationError("'\(line.keyword)' is not allowed in \(builder.sectionDescription)\(allowedSections(keyword.capabilities))")
        }
        try keyword.handler(line, &builder)
    }

    static func allowedSections(_ capabilities: Capabilities) -> String {
        var names: [String] = []
        if capabilities.contains(.defaults) { names.append("defaults") }
        if capabilities.contains(.frontend) { names.append("frontend") }
        if capabilities.contains(.backend) { names.append("backend") }
        if !capabilities.isDisjoint(with: .proxies) { names.append("listen") }
        return " (it belongs in: \(names.joined(separator: ", ")))"
    }

    static func legacyTimeout(_ name: String) -> Keyword {
        Keyword(capabilities: .all) { line, builder in
            var modern = line
            modern.words = ["timeout", name] + line.words.dropFirst()
            try parseTimeout(modern, into: &builder)
            builder.warn(line.location, "'\(line.keyword)' is HAProxy 1.x syntax, which HAProxy 2.x refuses; usher accepts it. Write 'timeout \(name) \(line.words.dropFirst().joined(separator: " "))' instead")
        }
    }

    // MARK: - Shared value readers

    static func single(_ line: ConfigurationLine) throws -> String {
        try GlobalKeywords.single(line)
    }

    static func integer(_ line: ConfigurationLine, in range: ClosedRange<Int> = 0...Int(Int32.max)) throws -> Int {
        try GlobalKeywords.integer(line, in: range)
    }

    /// The condition that ends a rule (`rule` names the rule in messages, the keyword by default).
    static func optionalCondition(_ words: ArraySlice<String>, line: ConfigurationLine, rule: String? = nil) throws -> Condition? {
        guard let first = words.first else { return nil }
        guard first == "if" || first == "unless" else {
            throw ConfigurationError("unexpected '\(first)' in '\(rule ?? line.keyword)': a condition starts with 'if' or 'unless'")
        }
        switch Condition.parse(words, location: line.location) {
        case .success(let condition): return condition
        case .failure(let error): throw ConfigurationError(error.message)
        }
    }
}
