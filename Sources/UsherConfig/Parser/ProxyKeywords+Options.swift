extension ProxyKeywords {
    /// An `option` usher understands: which side of a proxy it acts on, and which other options it
    /// replaces (setting `tcplog` turns `httplog` off, as in HAProxy).
    struct OptionRule: Sendable {
        var side: Capabilities
        var replaces: [String] = []
    }

    static let options: [String: OptionRule] = [
        "tcplog": OptionRule(side: .frontend, replaces: ["httplog"]),
        "httplog": OptionRule(side: .frontend, replaces: ["tcplog"]),
        "dontlognull": OptionRule(side: .frontend),
        "dontlog-normal": OptionRule(side: .frontend),
        // Per-socket statistics: usher has no statistics page yet, so there is nothing to split.
        "socket-stats": OptionRule(side: .frontend),
        "clitcpka": OptionRule(side: .frontend),
        "srvtcpka": OptionRule(side: .backend),
        "tcpka": OptionRule(side: .proxies),
        "redispatch": OptionRule(side: .backend),
        "allbackups": OptionRule(side: .backend),
        "ssl-hello-chk": OptionRule(side: .backend, replaces: ["tcp-check"]),
        // Without `tcp-check` rules (not supported yet) this is the plain connect check.
        "tcp-check": OptionRule(side: .backend, replaces: ["ssl-hello-chk"]),
        "http-keep-alive": OptionRule(side: .proxies, replaces: ["http-server-close", "httpclose"]),
        "http-server-close": OptionRule(side: .proxies, replaces: ["http-keep-alive", "httpclose"]),
        "httpclose": OptionRule(side: .proxies, replaces: ["http-keep-alive", "http-server-close"]),

    ]

    /// 1.x option names HAProxy 2.x refuses, with the option usher reads them as.
    static let legacyOptions: [String: String] = ["forceclose": "httpclose"]

    /// `option NAME [ARGUMENTS]` or, with `enabled == false`, `no option NAME`.
    static func parseOption(_ line: ConfigurationLine, enabled: Bool, into builder: inout ProxyBuilder) throws {
        guard line.words.count >= 2 else { throw ConfigurationError("'option' expects an option name") }
        var name = line.words[1]
        let arguments = Array(line.words.dropFirst(2))
        let written = enabled ? "option \(name)" : "no option \(name)"
        if let modern = legacyOptions[name] {
            builder.warn(line.location, "'option \(name)' is HAProxy 1.x syntax, which HAProxy 2.x refuses; usher reads it as 'option \(modern)'")
            name = modern
        }
        switch name {
        case "forwardfor":
            try checkSide(.proxies, written: written, line: line, builder: &builder)
            guard enabled else {
                builder.settings.forwardFor = nil
                return
            }
            builder.settings.forwardFor = try parseForwardFor(arguments, line: line)
            return
        case "httpchk":
            // HTTP checks come with HTTP mode.
            throw ConfigurationError.notSupported("'option httpchk'")
        default:
            break
        }
        guard let rule = options[name] else {
            if HAProxyKeywords.removedOptions.contains(name) {
                throw ConfigurationError.removedIn2x("'option \(name)'")
            }
            if HAProxyKeywords.option.contains(name) {
                throw ConfigurationError.notSupported("'option \(name)'")
            }
            let hint = NearestMatch.find(name, in: Set(options.keys).union(HAProxyKeywords.option)).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError("unknown option '\(name)'\(hint)")
        }
        if name == "httplog", let argument = arguments.first {
            guard argument == "clf", arguments.count == 1 else {
                throw ConfigurationError("'option httplog' accepts only 'clf' as an argument")
            }
            throw ConfigurationError.notSupported("'option httplog clf'")
        }
        guard arguments.isEmpty else { throw ConfigurationError("'\(written)' takes no arguments") }
        try checkSide(rule.side, written: written, line: line, builder: &builder)
        builder.settings.options[name] = OptionSetting(enabled: enabled, location: line.location)
        if enabled {
            for other in rule.replaces { builder.settings.options[other] = nil }
        }
    }

    /// HAProxy warns, and ignores the option, when it acts on a side the proxy does not have.
    static func checkSide(_ side: Capabilities, written: String, line: ConfigurationLine, builder: inout ProxyBuilder) throws {
        guard !builder.isDefaults else { return }
        let kind = builder.proxy.kind
        if side == .backend && !kind.hasBackendCapability {
            builder.warn(line.location, "'\(written)' ignored because \(builder.sectionDescription) has no backend capability")
        } else if side == .frontend && !kind.hasFrontendCapability {
            builder.warn(line.location, "'\(written)' ignored because \(builder.sectionDescription) has no frontend capability")
        }
    }

    /// `option forwardfor [except NETWORK] [header NAME] [if-none]`
    static func parseForwardFor(_ arguments: [String], line: ConfigurationLine) throws -> ForwardFor {
        var result = ForwardFor(location: line.location)
        var rest = arguments[...]
        while let word = rest.first {
            rest = rest.dropFirst()
            switch word {
            case "except":
                guard let network = rest.first else { throw ConfigurationError("'option forwardfor except' expects a network such as 127.0.0.0/8") }
                rest = rest.dropFirst()
                result.except = network
            case "header":
                guard let name = rest.first, !name.isEmpty else { throw ConfigurationError("'option forwardfor header' expects a header name") }
                rest = rest.dropFirst()
                result.header = name
            case "if-none":
                result.ifNone = true
            default:
                throw ConfigurationError("unexpected '\(word)' in 'option forwardfor' (expected 'except', 'header' or 'if-none')")
            }
        }
        return result
    }
}
