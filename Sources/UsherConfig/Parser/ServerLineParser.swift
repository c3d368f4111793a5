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

    static func parseOptions(_ words: ArraySlice<String>, line: ConfigurationLine) throws -> ServerOptions {
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
            default:
                if HAProxyKeywords.serverOptions.contains(option) {
                    throw ConfigurationError.notSupported("server option '\(option)'")
                }
                let hint = NearestMatch.find(option, in: HAProxyKeywords.serverOptions).map { "; did you mean '\($0)'?" } ?? ""
                throw ConfigurationError("unknown server option '\(option)'\(hint)")
            }
        }
        return options
    }
}
