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
            case "backup": options.backup = true
            case "no-backup": options.backup = false
            case "disabled": options.disabled = true
            case "enabled": options.disabled = false
            case "maxconn": options.maxconn = try integer(0...Int(Int32.max))
            case "maxqueue":
                // usher queues per backend; per-server queues (and so their limit) come later.
                throw ConfigurationError.notSupported("server option 'maxqueue'")
            case "check": options.check = true
            case "no-check": options.check = false
            case "inter": options.inter = try duration()
            case "fastinter": options.fastinter = try duration()
            case "downinter": options.downinter = try duration()
            case "rise": options.rise = try integer(1...Int(Int32.max))
            case "fall": options.fall = try integer(1...Int(Int32.max))
            case "port": options.checkPort = try integer(1...65535)
            case "addr": options.checkAddress = try value()
            case "cookie": options.cookie = try value()
            case "send-proxy": options.sendProxy = .v1
            case "send-proxy-v2": options.sendProxy = .v2
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
