/// Parses `server NAME ADDRESS [OPTIONS]` and `default-server [OPTIONS]`.
enum ServerLineParser {
    static func parseServer(_ line: ConfigurationLine, defaults: ServerOptions) throws -> Server {
        guard line.words.count >= 3 else { throw ConfigurationError("'server' expects a name and an address") }
        let name = line.words[1]
        if let problem = ParserState.nameProblem(name) {
            throw ConfigurationError("server name '\(name)' \(problem)")
        }
        let address: Address
        switch Address.parse(line.words[2], portRequired: false) {
        case .success(let parsed): address = parsed
        case .failure(let error): throw ConfigurationError(error.message)
        }
        // 0.0.0.0 (or `*`) is allowed, as in HAProxy: the server is the address the client connected to.
        if let ports = address.ports, ports.count != 1 {
            throw ConfigurationError("server '\(name)' takes one port, not a range")
        }
        let options = try parseOptions(line.words.dropFirst(3), line: line).inheriting(defaults)
        if address.unixSocket != nil, options.checkAddress != nil, options.checkPort == nil {
            // `addr` moves the checks to an IP address, which needs a port a socket path does not give.
            throw ConfigurationError("server '\(name)' has a UNIX socket address and a check 'addr' but no check 'port'")
        }
        return Server(name: name, address: address, options: options, location: line.location)
    }

    /// - Parameter isDefaultServer: a `default-server` line, which does not take every option.
    static func parseOptions(_ words: ArraySlice<String>, line: ConfigurationLine, isDefaultServer: Bool = false) throws -> ServerOptions {
        var options = ServerOptions()
        var rest = words
        while let option = rest.first {
            rest = rest.dropFirst()
            func value() throws -> String {
                guard let v = rest.first else { throw ConfigurationError("server option '\(option)' expects a value") }
                rest = rest.dropFirst()
                return v
            }
            func integer(_ range: ClosedRange<Int>) throws -> Int {
                let text = try value()
                guard let n = ConfigurationValues.integer(text, in: range) else {
                    throw ConfigurationError("server option '\(option)' expects an integer from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
                }
                return n
            }
            func duration() throws -> Duration {
                let text = try value()
                guard let d = ConfigurationValues.duration(text), d > .zero else {
                    throw ConfigurationError("server option '\(option)' expects a positive duration such as 2s, not '\(text)'")
                }
                return d
            }
            func choice<Choice: RawRepresentable & CaseIterable>(_: Choice.Type) throws -> Choice where Choice.RawValue == String {
                let text = try value()
                guard let chosen = Choice(rawValue: text) else {
                    let names = RuleWords.list(Choice.allCases.map { "'\($0.rawValue)'" }, conjunction: "or")
                    throw ConfigurationError("server option '\(option)' expects \(names), not '\(text)'")
                }
                return chosen
            }
            switch option {
            case "weight": options.weight = try integer(0...256)
            case "id":
                guard !isDefaultServer else { throw ConfigurationError("'id' cannot be set on a 'default-server' line: each server has its own") }
                options.identifier = try integer(1...Int(Int32.max))
            case "backup": options.backup = true
            case "no-backup": options.backup = false
            case "disabled": options.disabled = true
            case "enabled": options.disabled = false
            case "maxconn": options.maxconn = try integer(0...Int(Int32.max))
            case "maxqueue": options.maxqueue = try integer(0...Int(Int32.max))
            case "check": options.check = true
            case "no-check": options.check = false
            case "inter": options.inter = try duration()
            case "fastinter": options.fastinter = try duration()
            case "slowstart": options.slowStart = try duration()
            case "downinter": options.downinter = try duration()
            case "rise": options.rise = try integer(1...Int(Int32.max))
            case "fall": options.fall = try integer(1...Int(Int32.max))
            case "port": options.checkPort = try integer(1...65535)
            case "addr":
                // `addr HOST[:PORT]`: a port written there is the checks' unless `port` says.
                let text = try value()
                if text.filter({ $0 == ":" }).count > 1, !text.hasPrefix("["), !text.contains("@") {
                    // A bare IPv6 address: no port can be told apart from it.
                    options.checkAddress = text
                    continue
                }
                guard case .success(let parsed) = Address.parse(text, portRequired: false), parsed.unixSocket == nil,
                      let host = parsed.host, parsed.ports.map({ $0.count == 1 }) ?? true
                else {
                    throw ConfigurationError("server option 'addr' expects an IP address or a host name, optionally with a port, not '\(text)'")
                }
                options.checkAddress = host
                if options.checkPort == nil, let port = parsed.ports?.lowerBound, port > 0 { options.checkPort = port }
            case "cookie": options.cookie = try value()
            case "send-proxy": options.sendProxy = .v1
            case "send-proxy-v2": options.sendProxy = .v2
            case "proxy-v2-options":
                var chosen: Set<ProxyV2Option> = []
                for name in try value().split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                    if let option = ProxyV2Option(rawValue: name) {
                        chosen.insert(option)
                    } else if ["ssl", "cert-cn", "ssl-cipher", "cert-sig", "cert-key"].contains(name) {
                        throw ConfigurationError.notSupported("'proxy-v2-options \(name)'")
                    } else {
                        let known = (ProxyV2Option.allCases.map(\.rawValue) + ["ssl", "cert-cn", "ssl-cipher", "cert-sig", "cert-key"]).joined(separator: ", ")
                        throw ConfigurationError("server option 'proxy-v2-options': unknown option '\(name)' (expected \(known))")
                    }
                }
                options.proxyV2Options = chosen
            case "no-send-proxy", "no-send-proxy-v2": options.sendProxy = ProxyProtocolVersion.none
            case "on-marked-down": options.onMarkedDown = try choice(MarkedDownAction.self)
            case "on-marked-up": options.onMarkedUp = try choice(MarkedUpAction.self)
            case "on-error": options.onError = try choice(ObservedErrorAction.self)
            case "observe": options.observe = try choice(ObserveMode.self)
            case "error-limit":
                let text = try value()
                guard let limit = ConfigurationValues.integer(text, in: 1...Int(Int32.max)) else {
                    throw ConfigurationError("server option 'error-limit' expects a number of errors above 0, not '\(text)'")
                }
                options.errorLimit = limit
            case "ssl": options.tls.ssl = true
            case "no-ssl": options.tls.ssl = false
            case "verify":
                let text = try value()
                guard let verify = TLSVerify(rawValue: text), verify != .optional else {
                    throw ConfigurationError("server option 'verify' expects 'none' or 'required', not '\(text)'")
                }
                options.tls.verify = verify
            case "verifyhost":
                let name = try value()
                guard !name.isEmpty else { throw ConfigurationError("server option 'verifyhost' expects a host name") }
                options.tls.verifyHost = name
            case "no-verifyhost": options.tls.verifyHost = ""
            case "ca-file": options.tls.caFile = try value()
            case "crl-file":
                // BoringSSL, as swift-nio-ssl wraps it, takes no revocation list: refused rather than
                // accepted and not applied, since a revoked certificate would then pass.
                throw ConfigurationError("server option 'crl-file' is a valid HAProxy keyword but is not supported by usher yet: its TLS library cannot check certificates against a revocation list")
            case "crt": options.tls.certificate = try value()
            case "sni":
                let text = try value()
                switch SampleExpression.parse(text) {
                case .success(let expression): options.tls.sni = expression
                case .failure(let error): throw ConfigurationError("in the 'sni' expression: \(error.message)")
                }
            case "alpn": options.tls.alpn = try protocolList(option, try value())
            case "check-ssl": options.tls.checkSSL = true
            case "no-check-ssl": options.tls.checkSSL = false
            case "check-sni":
                let name = try value()
                guard !name.isEmpty else { throw ConfigurationError("server option 'check-sni' expects a host name") }
                options.tls.checkSNI = name
            case "check-alpn": options.tls.checkALPN = try protocolList(option, try value())
            case "resolvers":
                let name = try value()
                guard !name.isEmpty else { throw ConfigurationError("server option 'resolvers' expects the name of a resolvers section") }
                options.resolvers = name
            case "resolve-prefer":
                let text = try value()
                guard let preference = ResolvePreference(rawValue: text) else {
                    throw ConfigurationError("server option 'resolve-prefer' expects 'ipv4' or 'ipv6', not '\(text)'")
                }
                options.resolvePrefer = preference
            case "resolve-opts": options.resolveOptions = try resolveOptions(try value())
            case "resolve-net": options.resolveNetworks = try resolveNetworks(try value())
            case "init-addr": options.initAddr = try initAddrMethods(try value())
            case "ssl-reuse": options.tls.sessionReuse = true
            case "no-ssl-reuse": options.tls.sessionReuse = false
            default:
                // The version, cipher and ticket options a server line shares with `bind` and
                // `ssl-default-server-options` (not the bind-only ones: `curves`, `sigalgs`…).
                if HAProxyKeywords.serverOptions.contains(option), try options.tls.options.apply(option, value: value) {
                    if isDefaultServer, option.hasPrefix("no-"), TLSProtocolVersion.allCases.contains(where: { "no-" + $0.optionSuffix == option }) {
                        // HAProxy 2.6 takes these on `server` lines only.
                        throw ConfigurationError("'\(option)' is not accepted on a 'default-server' line; use 'ssl-min-ver' and 'ssl-max-ver' there")
                    }
                    continue
                }
                if HAProxyKeywords.serverOptions.contains(option) {
                    throw ConfigurationError.notSupported("server option '\(option)'")
                }
                let hint = NearestMatch.find(option, in: HAProxyKeywords.serverOptions).map { "; did you mean '\($0)'?" } ?? ""
                throw ConfigurationError("unknown server option '\(option)'\(hint)")
            }
        }
        return options
    }

    /// `server-template PREFIX NUM|LOW-HIGH FQDN[:PORT] [OPTIONS]`: one server per number, named
    /// PREFIX followed by the number, all resolving FQDN.
    static func parseTemplate(_ line: ConfigurationLine, defaults: ServerOptions) throws -> [Server] {
        guard line.words.count >= 4 else {
            throw ConfigurationError("'server-template' expects a prefix, a number or range of servers (such as 3 or 1-3) and an FQDN")
        }
        let prefix = line.words[1]
        if let problem = ParserState.nameProblem(prefix) {
            throw ConfigurationError("server-template prefix '\(prefix)' \(problem)")
        }
        let rangeText = line.words[2]
        let pieces = rangeText.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let numbers: ClosedRange<Int>
        if pieces.count == 1, let count = ConfigurationValues.integer(pieces[0], in: 1...4096) {
            numbers = 1...count
        } else if pieces.count == 2, let low = ConfigurationValues.integer(pieces[0], in: 1...Int(Int32.max)),
            let high = ConfigurationValues.integer(pieces[1], in: 1...Int(Int32.max)), low <= high, high - low < 4096
        {
            numbers = low...high
        } else {
            throw ConfigurationError("server-template expects a number of servers from 1 to 4096 or a range such as 1-3, not '\(rangeText)'")
        }
        let address: Address
        switch Address.parse(line.words[3], portRequired: false) {
        case .success(let parsed): address = parsed
        case .failure(let error): throw ConfigurationError(error.message)
        }
        guard address.unixSocket == nil, let host = address.host else {
            throw ConfigurationError("server-template expects a name to resolve (an FQDN or an SRV name), not '\(line.words[3])'")
        }
        if let ports = address.ports, ports.count != 1 {
            throw ConfigurationError("server-template takes one port, not a range")
        }
        let options = try parseOptions(line.words.dropFirst(4), line: line).inheriting(defaults)
        return numbers.map { number in
            Server(
                name: "\(prefix)\(number)", address: address, options: options, location: line.location,
                template: ServerTemplateOrigin(prefix: prefix, fqdn: host, number: number)
            )
        }
    }

    /// `resolve-opts allow-dup-ip,ignore-weight,prevent-dup-ip`
    static func resolveOptions(_ text: String) throws -> ResolveOptions {
        var options = ResolveOptions()
        for word in text.split(separator: ",", omittingEmptySubsequences: false) {
            switch word {
            case "allow-dup-ip": options.allowDuplicateAddresses = true
            case "prevent-dup-ip": options.allowDuplicateAddresses = false
            case "ignore-weight": options.ignoreWeight = true
            default:
                throw ConfigurationError("server option 'resolve-opts': unknown option '\(word)' (expected 'allow-dup-ip', 'ignore-weight' or 'prevent-dup-ip')")
            }
        }
        return options
    }

    /// `resolve-net 10.0.0.0/8,fd00::/8`
    static func resolveNetworks(_ text: String) throws -> [String] {
        let networks = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for network in networks {
            let parts = network.split(separator: "/", omittingEmptySubsequences: false)
            let host = String(parts[0])
            let isV6 = host.contains(":")
            let maximum = isV6 ? 128 : 32
            let valid = parts.count <= 2 && Address.looksLikeIP(host) && !host.isEmpty
                && (parts.count == 1 || ConfigurationValues.integer(String(parts[1]), in: 0...maximum) != nil)
                && (isV6 || Address.isNumericIPv4(Substring(host)))
            guard valid else {
                throw ConfigurationError("server option 'resolve-net': invalid network '\(network)' (expected such as 10.0.0.0/8 or fd00::/8)")
            }
        }
        return networks
    }

    /// `init-addr last,libc,none,IP`
    static func initAddrMethods(_ text: String) throws -> [InitAddrMethod] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { word -> InitAddrMethod in
            switch word {
            case "last": return .last
            case "libc": return .libc
            case "none": return .none
            default:
                // As inet_pton reads them: four dotted numbers, or IPv6.
                let isIPv4 = word.split(separator: ".", omittingEmptySubsequences: false).count == 4 && Address.isNumericIPv4(word)
                guard isIPv4 || (word.contains(":") && word.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." })) else {
                    throw ConfigurationError("server option 'init-addr': unknown method '\(word)' (expected 'last', 'libc', 'none' or an IP address)")
                }
                return .ip(String(word))
            }
        }
    }

    /// `alpn` and `check-alpn`: a comma-separated list of protocol names such as `h2,http/1.1`.
    static func protocolList(_ option: String, _ text: String) throws -> [String] {
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        // ASCII only: the TLS library stops the process on any other protocol name.
        guard names.allSatisfy({ !$0.isEmpty && $0.utf8.count < 256 && $0.unicodeScalars.allSatisfy(\.isASCII) }) else {
            throw ConfigurationError("server option '\(option)' expects a comma-separated list of protocol names such as 'h2,http/1.1', not '\(text)'")
        }
        return names
    }
}
