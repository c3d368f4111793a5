extension ProxyKeywords {
    /// The `http-request` actions usher understands, for "did you mean" hints.
    static let httpRequestActionNames = [
        "set-header", "add-header", "del-header", "replace-header", "replace-value", "set-path", "set-pathq", "set-query", "set-uri",
        "set-method", "replace-path", "replace-pathq", "replace-uri", "redirect", "allow", "auth", "deny", "tarpit", "return", "use-service", "set-var", "set-var-fmt", "unset-var",
        "silent-drop", "track-sc0", "track-sc1", "track-sc2", "sc-inc-gpc0", "sc-inc-gpc1", "sc-inc-gpc", "sc-set-gpt0", "sc-set-gpt", "set-map", "del-map", "add-acl", "del-acl",
        "capture",
    ]

    /// The `http-response` actions usher understands.
    static let httpResponseActionNames = [
        "set-header", "add-header", "del-header", "replace-header", "replace-value", "set-status", "allow", "deny",
        "redirect", "return", "set-var", "set-var-fmt", "unset-var", "silent-drop", "track-sc0", "track-sc1", "track-sc2",
        "sc-inc-gpc0", "sc-inc-gpc1", "sc-inc-gpc", "sc-set-gpt0", "sc-set-gpt", "set-map", "del-map", "add-acl", "del-acl", "capture",
    ]

    /// `http-request ACTION … [if|unless COND]`
    static func parseHTTPRequest(_ line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        let rule = try parseHTTPRule(line, builder: &builder, examples: "set-header, redirect, deny or return", header: HTTPRequestAction.header) {
            name, words, builder -> HTTPRequestAction in
            switch name {
            case "set-path": return .setPath(try words.arguments("a path format")[0])
            case "set-pathq": return .setPathAndQuery(try words.arguments("a path and query format")[0])
            case "set-query": return .setQuery(try words.arguments("a query string format")[0])
            case "set-uri": return .setURI(try words.arguments("a URI format")[0])
            case "set-method": return .setMethod(try words.arguments("a method format")[0])
            case "replace-path", "replace-pathq", "replace-uri":
                let arguments = try words.arguments("a regular expression", "a replacement format")
                return .replaceTarget(part: HTTPRequestAction.TargetPart(rawValue: name)!, regex: arguments[0], replacement: arguments[1])
            case "redirect": return .redirect(try parseRedirect(&words, valueIsLogFormat: true))
            case "allow": return .allow
            case "auth": return .auth(realm: try parseRealm(&words))
            case "deny": return .deny(try parseReply(&words, defaultStatus: 403, acceptsDenyStatus: true, line: line, builder: &builder))
            case "tarpit": return .tarpit(try parseReply(&words, defaultStatus: 500, acceptsDenyStatus: true, line: line, builder: &builder))
            case "return": return .return(try parseReply(&words, defaultStatus: 200, acceptsDenyStatus: false, line: line, builder: &builder))
            case "use-service": return .useService(try parseService(&words))
            case "silent-drop": return .silentDrop
            case "capture":
                let capture = try parseCaptureAction(&words, line: line, builder: &builder, response: false)
                return .capture(sample: capture.sample, slot: capture.slot)
            default:
                if let action = try StickTableParser.parseAction(name, &words) { return .stickCounter(action) }
                if let action = try parsePatternFileAction(name, &words) { return .patternFile(action) }
                if let variable = try parseVariableAction(name, &words) {
                    if let warning = variableScopeWarning(variable, available: [.proc, .sess, .txn, .req], stage: "'http-request' rules") {
                        builder.warn(line.location, warning)
                    }
                    return .variable(variable)
                }
                throw unknownHTTPAction(name, keyword: "http-request", supported: httpRequestActionNames, known: HAProxyKeywords.httpRequestActions)
            }
        }
        if !builder.proxy.redirectRules.isEmpty {
            builder.warn(line.location, "an 'http-request' rule placed after a 'redirect' rule is still evaluated before it")
        }
        builder.proxy.httpRequestRules.append(rule)
    }

    /// `http-response ACTION … [if|unless COND]`
    static func parseHTTPResponse(_ line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        let rule = try parseHTTPRule(line, builder: &builder, examples: "set-header, del-header or set-status", header: HTTPResponseAction.header) {
            name, words, builder -> HTTPResponseAction in
            switch name {
            case "set-status": return try parseSetStatus(&words)
            case "allow": return .allow
            case "deny": return .deny(try parseReply(&words, defaultStatus: 502, acceptsDenyStatus: true, line: line, builder: &builder))
            case "redirect":
                let redirect = try parseRedirect(&words, valueIsLogFormat: true)
                guard redirect.kind == .location else {
                    throw ConfigurationError("'http-response redirect' supports only 'location', not '\(redirect.kind.rawValue)'")
                }
                return .redirect(redirect)
            case "return": return .return(try parseReply(&words, defaultStatus: 200, acceptsDenyStatus: false, line: line, builder: &builder))
            case "silent-drop": return .silentDrop
            case "capture":
                let capture = try parseCaptureAction(&words, line: line, builder: &builder, response: true)
                return .capture(sample: capture.sample, slot: capture.slot)
            default:
                if let action = try StickTableParser.parseAction(name, &words) { return .stickCounter(action) }
                if let action = try parsePatternFileAction(name, &words) { return .patternFile(action) }
                if let variable = try parseVariableAction(name, &words) {
                    if let warning = variableScopeWarning(variable, available: [.proc, .sess, .txn, .res], stage: "'http-response' rules") {
                        builder.warn(line.location, warning)
                    }
                    return .variable(variable)
                }
                if HAProxyKeywords.httpRequestActions.contains(name), !HAProxyKeywords.httpResponseActions.contains(name) {
                    throw ConfigurationError("'\(name)' is an 'http-request' action; 'http-response' has no such action")
                }
                throw unknownHTTPAction(name, keyword: "http-response", supported: httpResponseActionNames, known: HAProxyKeywords.httpResponseActions)
            }
        }
        builder.proxy.httpResponseRules.append(rule)
    }

    /// The `http-after-response` actions usher understands.
    static let httpAfterResponseActionNames = [
        "set-header", "add-header", "del-header", "replace-header", "replace-value", "set-status", "allow", "set-var", "set-var-fmt", "unset-var",
    ]

    /// `http-after-response ACTION … [if|unless COND]`: rules on every response, the proxy's own
    /// (errors, `return`, redirects, the stats page) as well as the servers', after everything else.
    static func parseHTTPAfterResponse(_ line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        let rule = try parseHTTPRule(line, builder: &builder, examples: "set-header, del-header or set-status", header: HTTPResponseAction.header) {
            name, words, builder -> HTTPResponseAction in
            switch name {
            case "set-status": return try parseSetStatus(&words)
            case "allow": return .allow
            default:
                if let variable = try parseVariableAction(name, &words) {
                    if let warning = variableScopeWarning(variable, available: [.proc, .sess, .txn, .res], stage: "'http-after-response' rules") {
                        builder.warn(line.location, warning)
                    }
                    return .variable(variable)
                }
                if ["capture", "strict-mode"].contains(name) {
                    throw ConfigurationError.notSupported("'http-after-response \(name)'")
                }
                let hint = NearestMatch.find(name, in: httpAfterResponseActionNames).map { "; did you mean '\($0)'?" } ?? ""
                throw ConfigurationError("'\(name)' is not an 'http-after-response' action (expected one of \(httpAfterResponseActionNames.joined(separator: ", ")))\(hint)")
            }
        }
        builder.proxy.httpAfterResponseRules.append(rule)
    }

    /// `capture SAMPLE len N` (requests only: declares a slot in this frontend) or `capture SAMPLE
    /// id N` (an existing slot; checked against the frontend's slots once the file is read).
    static func parseCaptureAction(
        _ words: inout RuleWords, line: ConfigurationLine, builder: inout ProxyBuilder, response: Bool
    ) throws -> (sample: String, slot: Int) {
        let arguments = try words.arguments("a sample expression", response ? "'id'" : "'len' or 'id'", "a number")
        let sample = arguments[0]
        let number = ConfigurationValues.integer(arguments[2])
        switch arguments[1] {
        case "len" where !response:
            guard builder.proxy.kind.hasFrontendCapability else {
                throw ConfigurationError("'http-request capture … len' declares a capture slot, which only a frontend or listen section has; use 'id' in a backend")
            }
            guard let length = number, length > 0 else { throw ConfigurationError("'capture … len' expects a positive number of characters, not '\(arguments[2])'") }
            builder.proxy.requestHeaderCaptures.append(HeaderCapture(name: nil, length: length, location: line.location))
            return (sample, builder.proxy.requestHeaderCaptures.count - 1)
        case "id":
            guard let slot = number, slot >= 0 else { throw ConfigurationError("'capture … id' expects a capture slot number, not '\(arguments[2])'") }
            return (sample, slot)
        default:
            throw ConfigurationError("'capture \(sample)' expects \(response ? "'id N'" : "'len N' or 'id N'"), not '\(arguments[1])'")
        }
    }

    /// `set-map(FILE) KEY VALUE`, `del-map(FILE) KEY`, `add-acl(FILE) KEY`, `del-acl(FILE) KEY`;
    /// `nil` for any other action.
    static func parsePatternFileAction(_ name: String, _ words: inout RuleWords) throws -> PatternFileAction? {
        guard let open = name.firstIndex(of: "("), let kind = PatternFileAction.Kind(rawValue: String(name[..<open])) else { return nil }
        guard name.hasSuffix(")"), name.index(after: open) < name.index(before: name.endIndex) else {
            throw ConfigurationError("'\(kind.rawValue)' expects a file name in parentheses, e.g. \(kind.rawValue)(/etc/haproxy/hosts.map)")
        }
        let file = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
        if kind == .setMap {
            let arguments = try words.arguments("a key format", "a value format")
            return PatternFileAction(kind: kind, file: file, key: arguments[0], value: arguments[1])
        }
        return PatternFileAction(kind: kind, file: file, key: try words.arguments("a key format")[0])
    }

    /// What `http-request` and `http-response` lines share: where they may be, the action word, the
    /// header actions and the condition. `parseAction` reads the other actions.
    static func parseHTTPRule<Action>(
        _ line: ConfigurationLine, builder: inout ProxyBuilder, examples: String, header: (HTTPHeaderAction) -> Action,
        parseAction: (_ name: String, _ words: inout RuleWords, _ builder: inout ProxyBuilder) throws -> Action
    ) throws -> HTTPRule<Action> {
        try checkHTTPRuleSection(line.keyword, builder: builder)
        guard line.words.count >= 2 else {
            throw ConfigurationError("'\(line.keyword)' expects an action such as \(examples)")
        }
        let name = line.words[1]
        var words = RuleWords(line.words.dropFirst(2), rule: "\(line.keyword) \(name)")
        let action = try parseHeaderAction(name, &words).map(header) ?? parseAction(name, &words, &builder)
        let condition = try optionalCondition(words.rest, line: line, rule: words.rule)
        return HTTPRule(action: action, condition: condition, location: line.location)
    }

    /// `redirect location|prefix|scheme VALUE [OPTIONS] [if|unless COND]`: a rule of its own, which
    /// HAProxy evaluates after the `http-request` rules.
    static func parseStandaloneRedirect(_ line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        var words = RuleWords(line.words.dropFirst(), rule: "redirect")
        let redirect = try parseRedirect(&words, valueIsLogFormat: false)
        let condition = try optionalCondition(words.rest, line: line, rule: words.rule)
        if !builder.proxy.useBackendRules.isEmpty {
            builder.warn(line.location, "a 'redirect' rule placed after a 'use_backend' rule is still evaluated before it")
        }
        builder.proxy.redirectRules.append(HTTPRequestRule(action: .redirect(redirect), condition: condition, location: line.location))
    }

    /// HAProxy 2.6 takes these rules in named `defaults` sections only (for the proxies using that
    /// section, before their own); usher not yet.
    static func checkHTTPRuleSection(_ keyword: String, builder: ProxyBuilder) throws {
        guard builder.isDefaults else { return }
        guard !builder.proxy.name.isEmpty else {
            throw ConfigurationError("'\(keyword)' is not allowed in an anonymous defaults section (HAProxy takes it only in a named one)")
        }
        throw ConfigurationError.notSupported("'\(keyword)' in a defaults section")
    }

    /// The header actions `http-request` and `http-response` share; `nil` for any other action.
    static func parseHeaderAction(_ name: String, _ words: inout RuleWords) throws -> HTTPHeaderAction? {
        switch name {
        case "set-header", "add-header":
            let arguments = try words.arguments("a header name", "a value format")
            return name == "set-header" ? .set(name: arguments[0], value: arguments[1]) : .add(name: arguments[0], value: arguments[1])
        case "del-header":
            let header = try words.arguments("a header name")[0]
            var match = HTTPHeaderAction.NameMatch.exact
            if words.rest.first == "-m" {
                _ = words.next()
                let method = try words.value(of: "-m")
                guard let known = HTTPHeaderAction.NameMatch(rawValue: method) else {
                    let names = HTTPHeaderAction.NameMatch.allCases.map(\.rawValue)
                    throw ConfigurationError("unknown matching method '\(method)' after '-m' in '\(words.rule)' (expected \(RuleWords.list(names, conjunction: "or")))")
                }
                match = known
            }
            if match == .regex { try checkRegex(header, in: words.rule) }
            return .delete(name: header, match: match)
        case "replace-header", "replace-value":
            let arguments = try words.arguments("a header name", "a regular expression", "a replacement format")
            try checkRegex(arguments[1], in: words.rule)
            if name == "replace-header" {
                return .replace(name: arguments[0], regex: arguments[1], replacement: arguments[2])
            }
            return .replaceValue(name: arguments[0], regex: arguments[1], replacement: arguments[2])
        default:
            return nil
        }
    }

    /// `[realm REALM]` after `auth`.
    static func parseRealm(_ words: inout RuleWords) throws -> String? {
        guard words.rest.first == "realm" else { return nil }
        _ = words.next()
        return try words.value(of: "realm")
    }

    /// `set-status CODE [reason TEXT]`
    static func parseSetStatus(_ words: inout RuleWords) throws -> HTTPResponseAction {
        let text = try words.arguments("a status code")[0]
        guard let code = ConfigurationValues.integer(text, in: 100...999) else {
            throw ConfigurationError("'http-response set-status' expects a status code from 100 to 999, not '\(text)'")
        }
        var reason: String? = nil
        if words.rest.first == "reason" {
            _ = words.next()
            reason = try words.value(of: "reason")
        }
        return .setStatus(code: code, reason: reason)
    }

    /// `location|prefix|scheme VALUE [code C] [drop-query] [append-slash] [ignore-empty]
    /// [set-cookie NAME[=VALUE]] [clear-cookie NAME[=]]`, in any order as in HAProxy.
    static func parseRedirect(_ words: inout RuleWords, valueIsLogFormat: Bool) throws -> HTTPRedirect {
        var redirect = HTTPRedirect(kind: .location, value: "", valueIsLogFormat: valueIsLogFormat)
        var hasKind = false
        while let word = words.next() {
            switch word {
            case "location", "prefix", "scheme":
                redirect.kind = HTTPRedirect.Kind(rawValue: word)!
                redirect.value = try words.value(of: word)
                hasKind = true
            case "code":
                let text = try words.value(of: word)
                guard let code = Int(text), HTTPRedirect.allowedCodes.contains(code) else {
                    let codes = RuleWords.list(HTTPRedirect.allowedCodes.map(String.init), conjunction: "or")
                    throw ConfigurationError("unsupported redirect code '\(text)' in '\(words.rule)' (expected \(codes))")
                }
                redirect.code = code
            case "drop-query": redirect.dropQuery = true
            case "append-slash": redirect.appendSlash = true
            case "ignore-empty": redirect.ignoreEmpty = true
            case "set-cookie": redirect.cookie = .set(try words.value(of: word))
            case "clear-cookie": redirect.cookie = .clear(try words.value(of: word))
            default:
                throw ConfigurationError(
                    "unexpected '\(word)' in '\(words.rule)' (expected location, prefix, scheme, code, drop-query, append-slash, ignore-empty, set-cookie, clear-cookie or a condition)"
                )
            }
        }
        guard hasKind else {
            throw ConfigurationError("'\(words.rule)' expects 'location', 'prefix' or 'scheme' followed by its value")
        }
        return redirect
    }

    /// An action HAProxy has and usher does not is "not supported yet"; anything else is unknown.
    static func unknownHTTPAction(_ name: String, keyword: String, supported: [String], known: Set<String>) -> ConfigurationError {
        if known.contains(name) || HAProxyKeywords.httpActionPrefixes.contains(where: { name.hasPrefix($0) }) {
            return ConfigurationError.notSupported("'\(keyword) \(name)'")
        }
        let hint = NearestMatch.find(name, in: supported).map { "; did you mean '\($0)'?" } ?? ""
        return ConfigurationError("unknown action '\(name)' in '\(keyword)'\(hint)")
    }

    /// HAProxy compiles regular expressions while parsing; usher checks them with Swift's `Regex`,
    /// which UsherRouting matches with.
    static func checkRegex(_ pattern: String, in rule: String) throws {
        do {
            _ = try Regex(pattern)
        } catch {
            throw ConfigurationError("invalid regular expression '\(pattern)' in '\(rule)': \(error)")
        }
    }
}
