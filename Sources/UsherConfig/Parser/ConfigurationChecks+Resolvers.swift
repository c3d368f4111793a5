extension ConfigurationChecks {
    /// Every server's `resolvers` names a section that exists.
    static func checkResolvers(_ proxy: Proxy, in configuration: Configuration, into diagnostics: inout [Diagnostic]) {
        let names = configuration.resolvers.map(\.name)
        var reported: Set<String> = []
        for server in proxy.servers {
            guard let name = server.options.resolvers, !names.contains(name) else { continue }
            // A template makes many servers from one line: one alert for the line.
            let key = "\(server.location)|\(name)"
            guard reported.insert(key).inserted else { continue }
            let hint = NearestMatch.find(name, in: names).map { "; did you mean '\($0)'?" } ?? ""
            diagnostics.append(.alert(server.location, "server '\(proxy.name)/\(server.name)' uses resolvers '\(name)', which is not declared\(hint)"))
        }
    }
}
