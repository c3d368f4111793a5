extension ProxyKeywords {
    /// `stats enable|uri|realm|auth|refresh|hide-version|show-legends|show-node|show-desc|admin|
    /// scope|http-request` in a proxy or defaults section. Every form turns the page on.
    static func parseStats(_ line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        guard line.words.count >= 2 else {
            throw ConfigurationError("'stats' expects one of \(statsParameters)")
        }
        let parameter = line.words[1]
        let arguments = Array(line.words.dropFirst(2))
        var stats = builder.settings.stats ?? StatsPageSettings(location: line.location)
        switch parameter {
        case "enable":
            try noMore(arguments, line)
        case "uri":
            guard arguments.count == 1 else { throw ConfigurationError("'stats uri' expects a URI prefix") }
            stats.uri = arguments[0]
        case "realm":
            guard arguments.count == 1 else { throw ConfigurationError("'stats realm' expects a realm name (escape spaces with '\\')") }
            stats.realm = arguments[0]
        case "auth":
            guard arguments.count == 1 else { throw ConfigurationError("'stats auth' expects a user:password account") }
            let account = arguments[0]
            if let colon = account.firstIndex(of: ":") {
                stats.credentials.append(.init(user: String(account[..<colon]), password: String(account[account.index(after: colon)...])))
            } else {
                stats.credentials.append(.init(user: account, password: ""))
            }
        case "refresh":
            guard arguments.count == 1, let duration = ConfigurationValues.duration(arguments[0]) else {
                throw ConfigurationError("'stats refresh' expects a delay such as '10s'")
            }
            stats.refresh = duration
        case "hide-version":
            try noMore(arguments, line)
            stats.hideVersion = true
        case "show-legends":
            try noMore(arguments, line)
            stats.showLegends = true
        case "show-node":
            guard arguments.count <= 1 else { throw ConfigurationError("'stats show-node' expects at most one node name") }
            stats.node = arguments.first ?? ""
        case "show-desc":
            stats.description = arguments.joined(separator: " ")
        case "scope":
            guard arguments.count == 1 else { throw ConfigurationError("'stats scope' expects a proxy name ('.' for this one)") }
            stats.scopes.append(arguments[0] == "." ? builder.proxy.name : arguments[0])
        case "admin":
            guard let condition = try optionalCondition(line.words.dropFirst(2), line: line, rule: "stats admin") else {
                throw ConfigurationError("'stats admin' expects 'if' or 'unless' followed by a condition")
            }
            stats.adminConditions.append(condition)
        case "http-request":
            guard let word = arguments.first, let action = StatsPageSettings.AccessRule.Action(rawValue: word) else {
                throw ConfigurationError("'stats http-request' expects 'allow', 'deny' or 'auth [realm REALM]', optionally followed by a condition")
            }
            var words = RuleWords(line.words.dropFirst(3), rule: "stats http-request \(word)")
            let realm = action == .auth ? try parseRealm(&words) : nil
            let condition = try optionalCondition(words.rest, line: line, rule: "stats http-request")
            if let last = stats.accessRules.last, last.condition == nil {
                builder.warn(line.location, "the previous 'stats http-request' rule (\(last.location)) has no condition: this one is never reached")
            }
            stats.accessRules.append(.init(action: action, realm: realm, condition: condition, location: line.location))
        case "socket", "timeout", "maxconn":
            throw ConfigurationError("'stats \(parameter)' belongs in the global section")
        default:
            let hint = NearestMatch.find(parameter, in: Set(statsParameterNames)).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError("unknown 'stats' parameter '\(parameter)' (expected \(statsParameters))\(hint)")
        }
        if !stats.credentials.isEmpty, !stats.accessRules.isEmpty {
            throw ConfigurationError("'stats auth' and 'stats http-request' cannot be used in the same proxy")
        }
        builder.settings.stats = stats
    }

    private static let statsParameterNames = [
        "enable", "uri", "realm", "auth", "refresh", "hide-version", "show-legends", "show-node", "show-desc", "admin", "scope", "http-request",
    ]

    private static var statsParameters: String { RuleWords.list(statsParameterNames.map { "'\($0)'" }, conjunction: "or") }

    private static func noMore(_ arguments: [String], _ line: ConfigurationLine) throws {
        guard arguments.isEmpty else { throw ConfigurationError("'\(line.words[0]) \(line.words[1])' takes no arguments") }
    }
}
