extension ProxyKeywords {
    /// `bind ADDR[,ADDR…] [OPTIONS]`
    static func addBind(_ words: [String], at location: SourceLocation, into builder: inout ProxyBuilder) throws {
        guard words.count >= 2 else { throw ConfigurationError("'bind' expects an address such as ':443' or '*:80'") }
        var addresses: [Address] = []
        for piece in words[1].split(separator: ",") {
            switch Address.parseListener(String(piece)) {
            case .success(let address):
                if address.unixSocket != nil || address.inheritedDescriptor != nil || address.socketPairDescriptor != nil {
                    addresses.append(address)
                    continue
                }
                guard let ports = address.ports, ports.lowerBound > 0 || ports.count == 1 else {
                    throw ConfigurationError("invalid port range in '\(piece)'")
                }
                addresses.append(address)
            case .failure(let error):
                throw ConfigurationError(error.message)
            }
        }
        var bind = Bind(addresses: addresses, location: location)
        var rest = words.dropFirst(2)
        while let option = rest.first {
            rest = rest.dropFirst()
            func value() throws -> String {
                guard let v = rest.first else { throw ConfigurationError("bind option '\(option)' expects a value") }
                rest = rest.dropFirst()
                return v
            }
            switch option {
            case "accept-proxy": bind.acceptProxy = true
            case "v4v6": bind.v6Only = false
            case "v6only": bind.v6Only = true
            case "name": bind.name = try value()
            case "backlog":
                let text = try value()
                guard let n = ConfigurationValues.integer(text) else { throw ConfigurationError("bind 'backlog' expects an integer, not '\(text)'") }
                bind.backlog = n
            case "mode", "uid", "gid", "user", "group":
                try parseUnixPermission(option, try value(), into: &bind.unixPermissions)
            case "ssl": bind.ssl = true
            case "proto":
                // HAProxy 2.6 knows `h2` (and `quic`, for QUIC listeners usher does not have).
                let text = try value()
                guard text == "h2" else {
                    throw ConfigurationError("bind 'proto' expects 'h2' (the only multiplexer protocol usher speaks to clients), not '\(text)'")
                }
                bind.proto = text
            case "crt": bind.tls.certificates.append(.file(try value()))
            case "crt-list": bind.tls.certificates.append(.list(try value()))
            case "alpn":
                let text = try value()
                bind.tls.alpn = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard bind.tls.alpn.allSatisfy({ !$0.isEmpty && $0.utf8.count < 256 }) else {
                    throw ConfigurationError("bind 'alpn' expects a comma-separated list of protocol names such as 'h2,http/1.1', not '\(text)'")
                }
            case "strict-sni": bind.tls.strictSNI = true
            case "ca-file": bind.tls.caFile = try value()
            case "crl-file":
                // Accepting it without applying it would let revoked certificates in.
                throw ConfigurationError.notSupported("bind option 'crl-file' (usher's TLS library applies no revocation list yet)")
            case "verify":
                let text = try value()
                guard let verify = TLSVerify(rawValue: text) else {
                    throw ConfigurationError("bind 'verify' expects 'none', 'optional' or 'required', not '\(text)'")
                }
                bind.tls.verify = verify
            case "no-ca-names": bind.tls.noCANames = true
            case "ca-ignore-err": bind.tls.caIgnoreErrors = try value()
            case "crt-ignore-err": bind.tls.certificateIgnoreErrors = try value()
            case "allow-0rtt": bind.tls.allowEarlyData = true
            case "prefer-server-ciphers": bind.tls.options.preferClientCiphers = false
            default:
                if try bind.tls.options.apply(option, value: value) { continue }
                if HAProxyKeywords.bindOptions.contains(option) {
                    throw ConfigurationError.notSupported("bind option '\(option)'")
                }
                let hint = NearestMatch.find(option, in: HAProxyKeywords.bindOptions).map { "; did you mean '\($0)'?" } ?? ""
                throw ConfigurationError("unknown bind option '\(option)'\(hint)")
            }
        }
        if bind.ssl {
            if bind.tls.certificates.isEmpty {
                throw ConfigurationError("'bind \(words[1]) ssl' needs a certificate: add 'crt FILE' (or 'crt-list FILE')")
            }
            if bind.tls.verify.map({ $0 != .none }) == true, bind.tls.caFile == nil {
                throw ConfigurationError("'verify \(bind.tls.verify!.rawValue)' on 'bind \(words[1])' needs a 'ca-file' to check client certificates against")
            }
        }
        if let warning = bind.tls.options.warning { builder.warn(location, warning + " (bind '\(words[1])')") }
        if !bind.unixPermissions.isEmpty, !bind.addresses.contains(where: { if case .path = $0.unixSocket { return true } else { return false } }) {
            // HAProxy accepts these on any bind and uses them only for socket files: say so.
            builder.warn(location, "bind options 'mode', 'uid', 'gid', 'user' and 'group' apply only to UNIX socket paths; '\(words[1])' has none, so they change nothing")
        }
        builder.proxy.binds.append(bind)
    }

    /// Which proxies each timeout applies to: a frontend's client side, a backend's server side.
    static let timeoutSides: [String: Capabilities] = [
        "client": .frontend, "client-fin": .frontend, "http-request": .frontend, "http-keep-alive": .proxies,
        "server": .backend, "server-fin": .backend, "connect": .backend, "queue": .backend, "check": .backend,
        "tunnel": .backend, "tarpit": .proxies,
    ]

    /// `timeout NAME DURATION`
    static func parseTimeout(_ line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        guard line.words.count >= 2 else { throw ConfigurationError("'timeout' expects a name and a duration") }
        let name = line.words[1]
        guard let keyPath = Timeouts.keyPaths[name] else {
            if HAProxyKeywords.timeout.contains(name) {
                throw ConfigurationError.notSupported("'timeout \(name)'")
            }
            let hint = NearestMatch.find(name, in: Timeouts.keyPaths.keys).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError("unknown timeout '\(name)'\(hint)")
        }
        guard line.words.count == 3 else { throw ConfigurationError("'timeout \(name)' expects exactly one duration") }
        guard let duration = ConfigurationValues.duration(line.words[2]) else {
            throw ConfigurationError("'timeout \(name)' expects a duration such as 10s, 500ms or 1m (a bare number is milliseconds), not '\(line.words[2])'")
        }
        try checkTimerRange(duration, written: line.words[2], keyword: "timeout \(name)")
        builder.settings.timeouts[keyPath: keyPath] = duration
        if !builder.isDefaults, let side = timeoutSides[name] {
            if side == .frontend && !builder.proxy.kind.hasFrontendCapability {
                builder.warn(line.location, "'timeout \(name)' will be ignored because \(builder.sectionDescription) has no frontend capability")
            } else if side == .backend && !builder.proxy.kind.hasBackendCapability {
                builder.warn(line.location, "'timeout \(name)' will be ignored because \(builder.sectionDescription) has no backend capability")
            }
        }
    }

    /// HAProxy's timers count milliseconds in a signed 32-bit integer, and it refuses larger values.
    static func checkTimerRange(_ duration: Duration, written: String, keyword: String) throws {
        guard duration.milliseconds <= Int64(Int32.max) else {
            throw ConfigurationError("timer overflow in argument '\(written)' to '\(keyword)' (maximum value is 2147483647 ms or ~24.8 days)")
        }
    }

    /// `cookie NAME [rewrite|insert|prefix] [indirect] [nocache] …`
    static func parseCookie(_ line: ConfigurationLine) throws -> CookiePersistence {
        guard line.words.count >= 2 else { throw ConfigurationError("'cookie' expects a cookie name") }
        var cookie = CookiePersistence(name: line.words[1], mode: .passive, location: line.location)
        var rest = line.words.dropFirst(2)
        func duration(_ option: String) throws -> Duration {
            guard let text = rest.first, let value = ConfigurationValues.duration(text) else {
                throw ConfigurationError("cookie option '\(option)' expects a duration")
            }
            rest = rest.dropFirst()
            return value
        }
        while let option = rest.first {
            rest = rest.dropFirst()
            switch option {
            case "rewrite", "insert", "prefix":
                guard cookie.mode == .passive else {
                    throw ConfigurationError("cookie modes 'rewrite', 'insert' and 'prefix' are mutually exclusive")
                }
                cookie.mode = CookiePersistence.Mode(rawValue: option)!
            case "indirect": cookie.indirect = true
            case "nocache": cookie.noCache = true
            case "postonly": cookie.postOnly = true
            case "preserve": cookie.preserve = true
            case "httponly": cookie.httpOnly = true
            case "secure": cookie.secure = true
            case "domain":
                guard let domain = rest.first else { throw ConfigurationError("cookie option 'domain' expects a domain") }
                rest = rest.dropFirst()
                cookie.domains.append(domain)
            case "maxidle": cookie.maxIdle = try duration(option)
            case "maxlife": cookie.maxLife = try duration(option)
            case "attr":
                guard let attribute = rest.first else { throw ConfigurationError("cookie option 'attr' expects a value") }
                rest = rest.dropFirst()
                cookie.attributes.append(attribute)
            case "dynamic": throw ConfigurationError.notSupported("cookie option 'dynamic'")
            default:
                let known = ["rewrite", "insert", "prefix", "indirect", "nocache", "postonly", "preserve", "httponly", "secure", "domain", "maxidle", "maxlife", "attr", "dynamic"]
                let hint = NearestMatch.find(option, in: known).map { "; did you mean '\($0)'?" } ?? ""
                throw ConfigurationError("unknown cookie option '\(option)'\(hint)")
            }
        }
        return cookie
    }

    /// `tcp-request inspect-delay T`, `tcp-request connection|session|content ACTION [COND]` with
    /// the actions `accept`, `reject`, `silent-drop`, `set-var(…)`, `set-var-fmt(…)`, `unset-var(…)`.
    static func parseTCPRequest(_ line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        guard line.words.count >= 2 else { throw ConfigurationError("'tcp-request' expects 'inspect-delay', 'content', 'session' or 'connection'") }
        let what = line.words[1]
        switch what {
        case "inspect-delay":
            guard line.words.count == 3, let delay = ConfigurationValues.duration(line.words[2]) else {
                throw ConfigurationError("'tcp-request inspect-delay' expects a duration such as 5s")
            }
            try checkTimerRange(delay, written: line.words[2], keyword: "tcp-request inspect-delay")
            builder.settings.inspectDelay = delay
        case "content", "connection", "session":
            guard !builder.isDefaults else {
                throw ConfigurationError.notSupported("'tcp-request \(what)' rules in a defaults section")
            }
            let phase = TCPRequestRule.Phase(rawValue: what)!
            if phase != .content && !builder.proxy.kind.hasFrontendCapability {
                throw ConfigurationError("'tcp-request \(what)' is not allowed in \(builder.sectionDescription): it needs a frontend")
            }
            guard line.words.count >= 3 else { throw ConfigurationError("'tcp-request \(what)' expects an action such as 'accept' or 'reject'") }
            let actionWord = line.words[2]
            var words = RuleWords(line.words.dropFirst(3), rule: "tcp-request \(what) \(actionWord)")
            let action: TCPRequestRule.Action
            switch actionWord {
            case "accept": action = .accept
            case "reject": action = .reject
            case "silent-drop": action = .silentDrop
            default:
                if let counter = try StickTableParser.parseAction(actionWord, &words) {
                    action = .stickCounter(counter)
                    break
                }
                guard let variable = try parseVariableAction(actionWord, &words) else {
                    throw unknownTCPRequestAction(actionWord, phase: phase)
                }
                // Before a stream exists (`connection`, `session`) only `proc` and `sess` variables do.
                let available: Set<VariableName.Scope> = phase == .content ? [.proc, .sess, .txn, .req] : [.proc, .sess]
                if let warning = variableScopeWarning(variable, available: available, stage: "'tcp-request \(what)' rules") {
                    builder.warn(line.location, warning)
                }
                action = .variable(variable)
            }
            let condition = try optionalCondition(words.rest, line: line, rule: words.rule)
            builder.proxy.tcpRequestRules.append(TCPRequestRule(phase: phase, action: action, condition: condition, location: line.location))
        default:
            let hint = NearestMatch.find(what, in: ["inspect-delay", "content", "connection", "session"]).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError("unknown 'tcp-request \(what)'\(hint)")
        }
    }

    /// An action of `tcp-request` HAProxy has and usher does not is "not supported yet"; anything
    /// else is unknown.
    static func unknownTCPRequestAction(_ word: String, phase: TCPRequestRule.Phase) -> ConfigurationError {
        let known = [
            "accept", "reject", "capture", "do-resolve", "expect-proxy", "expect-netscaler-cip", "lua", "sc-inc-gpc0", "sc-inc-gpc1",
            "sc-set-gpt0", "send-spoe-group", "set-dst", "set-dst-port", "set-log-level", "set-mark", "set-nice", "set-priority-class",
            "set-priority-offset", "set-src", "set-src-port", "set-tos", "silent-drop", "switch-mode", "track-sc0", "track-sc1",
            "track-sc2", "use-service", "set-bandwidth-limit", "attach-srv", "close",
        ]
        if known.contains(word) || word.hasPrefix("lua.") || word.hasPrefix("sc-") || word.hasPrefix("do-resolve(") {
            return ConfigurationError.notSupported("'tcp-request \(phase.rawValue) \(word)'")
        }
        let hint = NearestMatch.find(word, in: ["accept", "reject", "silent-drop", "track-sc0", "track-sc1", "track-sc2"] + variableActionNames).map { "; did you mean '\($0)'?" } ?? ""
        return ConfigurationError("unknown action '\(word)' in 'tcp-request \(phase.rawValue)'\(hint)")
    }
}
