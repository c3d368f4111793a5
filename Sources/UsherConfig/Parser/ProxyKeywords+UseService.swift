extension ProxyKeywords {
    /// `use-service NAME` of `http-request`: the one built-in service, `prometheus-exporter`.
    /// HAProxy's other services are Lua ones (`lua.NAME`), which usher cannot run.
    static func parseService(_ words: inout RuleWords) throws -> HTTPService {
        guard let name = words.next() else {
            throw ConfigurationError("'\(words.rule)' expects a service name such as 'prometheus-exporter'")
        }
        if let service = HTTPService(rawValue: name) { return service }
        if name.hasPrefix("lua.") {
            throw ConfigurationError("'\(name)' in '\(words.rule)' is a Lua service; usher runs no Lua (its one service is 'prometheus-exporter')")
        }
        let hint = NearestMatch.find(name, in: HTTPService.allCases.map(\.rawValue)).map { "; did you mean '\($0)'?" } ?? ""
        throw ConfigurationError("unknown service '\(name)' in '\(words.rule)'\(hint) (usher's one service is 'prometheus-exporter')")
    }
}
