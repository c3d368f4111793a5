extension ProxyKeywords {
    /// An `option` usher understands: which side of a proxy it acts on, and which other options it
    /// replaces (setting `tcplog` turns `httplog` off, as in HAProxy).
    struct OptionRule: Sendable {
        var side: Capabilities
        var replaces: [String] = []
        /// HAProxy ignores the option, with a warning, in a proxy that is not in `mode http`.
        var needsHTTPMode = false
    }

    static let options: [String: OptionRule] = [
        "tcplog": OptionRule(side: .frontend, replaces: ["httplog"]),
        "httplog": OptionRule(side: .frontend, replaces: ["tcplog"]),
        "dontlognull": OptionRule(side: .frontend),
        "dontlog-normal": OptionRule(side: .frontend),
        // Log a request once the server's response head is there (a TCP session once connected).
        "logasap": OptionRule(side: .frontend),
        "log-separate-errors": OptionRule(side: .frontend),
        "log-health-checks": OptionRule(side: .backend),
        // Per-socket statistics: a row per listening socket in the stats (`FrontendRuntime.listeners`).
        "socket-stats": OptionRule(side: .frontend),
        "clitcpka": OptionRule(side: .frontend),
        "srvtcpka": OptionRule(side: .backend),
        "tcpka": OptionRule(side: .proxies),
        "redispatch": OptionRule(side: .backend),
        "allbackups": OptionRule(side: .backend),
        // The check methods: each replaces the others. `tcp-check` runs the `tcp-check` rules (or
        // the plain connect check without any); the protocol checks' arguments are in
        // `ProxySettings.protocolCheck`, `httpchk`'s and the `http-check` lines in `httpCheck`.
        "ssl-hello-chk": checkMethod("ssl-hello-chk"),
        "tcp-check": checkMethod("tcp-check"),
        "httpchk": checkMethod("httpchk"),
        "mysql-check": checkMethod("mysql-check"),
        "pgsql-check": checkMethod("pgsql-check"),
        "redis-check": checkMethod("redis-check"),
        "smtpchk": checkMethod("smtpchk"),
        "ldap-check": checkMethod("ldap-check"),
        "http-keep-alive": OptionRule(side: .proxies, replaces: ["http-server-close", "httpclose"]),
        "http-server-close": OptionRule(side: .proxies, replaces: ["http-keep-alive", "httpclose"]),
        "httpclose": OptionRule(side: .proxies, replaces: ["http-keep-alive", "http-server-close"]),
        "http-buffer-request": OptionRule(side: .proxies, needsHTTPMode: true),
        "http-ignore-probes": OptionRule(side: .frontend, needsHTTPMode: true),
        "http-pretend-keepalive": OptionRule(side: .backend, needsHTTPMode: true),
        "accept-invalid-http-request": OptionRule(side: .frontend, needsHTTPMode: true),
        "accept-invalid-http-response": OptionRule(side: .backend, needsHTTPMode: true),
        "abortonclose": OptionRule(side: .backend),
        "nolinger": OptionRule(side: .proxies),
    ]

    /// The options that choose how servers are checked; setting one turns the others off.
    static let checkMethods = ["ssl-hello-chk", "tcp-check", "httpchk", "mysql-check", "pgsql-check", "redis-check", "smtpchk", "ldap-check"]

    static func checkMethod(_ name: String) -> OptionRule {
        OptionRule(side: .backend, replaces: checkMethods.filter { $0 != name })
    }

    /// Options HAProxy dropped that usher accepts and ignores, with why they do not matter.
    static let obsoleteOptions: [String: String] = [
        "http-use-htx": "HAProxy 2.0 syntax (HAProxy 2.1 and later refuse it); usher ignores it, as HTTP is always processed natively",
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
        default:
            break
        }
        if let reason = obsoleteOptions[name] {
            builder.warn(line.location, "'\(written)' is \(reason)")
            return
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
        switch name {
        case "httplog":
            guard arguments.isEmpty || arguments == ["clf"] else {
                throw ConfigurationError("'option httplog' accepts only 'clf' as an argument")
            }
            builder.settings.httpLogIsCLF = enabled && arguments == ["clf"]
        case "httpchk":
            // HAProxy refuses `no option httpchk`: `option tcp-check` or `ssl-hello-chk` turn it off.
            guard enabled else { throw ConfigurationError("'no option httpchk' is not allowed: 'option httpchk' cannot be negated") }
            try parseHTTPChk(arguments, line: line, into: &builder)
        case "mysql-check", "pgsql-check", "redis-check", "smtpchk", "ldap-check":
            guard enabled else { throw ConfigurationError("'no option \(name)' is not allowed: choose another check method with 'option'") }
            builder.settings.protocolCheck = try parseProtocolCheck(name, arguments)
        default:
            guard arguments.isEmpty else { throw ConfigurationError("'\(written)' takes no arguments") }
        }
        try checkSide(rule.side, written: written, line: line, builder: &builder)
        builder.settings.options[name] = OptionSetting(enabled: enabled, location: line.location)
        guard enabled else { return }
        for other in rule.replaces { builder.settings.options[other] = nil }
        if name == "tcplog" || name == "httplog" {
            // Each of `option tcplog`, `option httplog` and `log-format` replaces the others.
            builder.settings.logFormat = nil
            if name == "tcplog" { builder.settings.httpLogIsCLF = false }
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
