/// `stats socket`, `stats timeout` and `stats maxconn` in the `global` section: the runtime API.
enum StatsGlobalKeywords {
    static func handle(_ line: ConfigurationLine, into global: inout GlobalSettings) throws {
        guard line.words.count >= 2 else {
            throw ConfigurationError("'stats' expects 'socket', 'timeout', 'maxconn' or 'bind-process'")
        }
        let arguments = Array(line.words.dropFirst(2))
        switch line.words[1] {
        case "socket":
            global.runtimeAPI.sockets.append(try socket(arguments, location: line.location))
        case "timeout":
            guard arguments.count == 1 else { throw ConfigurationError("'stats timeout' expects a duration such as 10s or 1m") }
            guard let value = ConfigurationValues.duration(arguments[0]), value > .zero else {
                throw ConfigurationError("'stats timeout' expects a duration such as 10s or 1m, not '\(arguments[0])'")
            }
            global.runtimeAPI.timeout = value
        case "maxconn":
            guard arguments.count == 1, let value = ConfigurationValues.integer(arguments[0], in: 1...Int(Int32.max)) else {
                throw ConfigurationError("'stats maxconn' expects a positive integer, not '\(arguments.first ?? "")'")
            }
            global.runtimeAPI.maxConnections = value
        case "bind-process":
            // HAProxy 2.6 still reads it in the global section (a process set, without effect since
            // one process serves everything): usher does the same.
            for argument in arguments where !isProcessSet(argument) {
                throw ConfigurationError("'stats bind-process' expects a process number or range ('all', 'odd', 'even', 1, 1-4), not '\(argument)'")
            }
        default:
            throw ConfigurationError("'stats' in the global section expects 'socket', 'timeout' or 'maxconn', not '\(line.words[1])'")
        }
    }

    /// `all`, `odd`, `even`, `N`, `N-M`, `N-`, `-M`, with an optional `/thread` part.
    static func isProcessSet(_ text: String) -> Bool {
        let set = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        if ["all", "odd", "even"].contains(set) { return true }
        let bounds = set.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard !set.isEmpty, bounds.count <= 2 else { return false }
        return bounds.allSatisfy { $0.isEmpty || $0.allSatisfy(\.isNumber) } && bounds.contains { !$0.isEmpty }
    }

    static func socket(_ arguments: [String], location: SourceLocation) throws -> StatsSocket {
        guard let address = arguments.first else {
            throw ConfigurationError("'stats socket' expects an address (ipv4@ADDR:PORT) or the path of a UNIX socket")
        }
        var socket = StatsSocket(endpoint: try endpoint(address), location: location)
        var index = 1
        func value(_ name: String) throws -> String {
            guard index + 1 < arguments.count else { throw ConfigurationError("'stats socket' : '\(name)' expects a value") }
            index += 1
            return arguments[index]
        }
        while index < arguments.count {
            let option = arguments[index]
            switch option {
            case "level":
                let text = try value(option)
                guard let level = RuntimeAPILevel.allCases.first(where: { $0.description == text }) else {
                    throw ConfigurationError("'stats socket' : 'level' only supports 'user', 'operator', and 'admin' (got '\(text)')")
                }
                socket.level = level
            case "mode":
                let text = try value(option)
                guard let mode = Int(text, radix: 8), (0...0o7777).contains(mode) else {
                    throw ConfigurationError("'stats socket' : 'mode' expects an octal permission such as 600 or 660, not '\(text)'")
                }
                socket.mode = mode
            case "uid", "gid":
                let text = try value(option)
                guard let number = ConfigurationValues.integer(text) else {
                    throw ConfigurationError("'stats socket' : '\(option)' expects a numeric id, not '\(text)'")
                }
                if option == "uid" { socket.uid = number } else { socket.gid = number }
            case "user":
                // Looked up now, as HAProxy does: an unknown name is an error on its line.
                let name = try value(option)
                guard let id = SystemAccounts.userID(named: name) else { throw ConfigurationError("'stats socket' : unknown user '\(name)'") }
                socket.user = name
                socket.uid = Int(id)
            case "group":
                let name = try value(option)
                guard let id = SystemAccounts.groupID(named: name) else { throw ConfigurationError("'stats socket' : unknown group '\(name)'") }
                socket.group = name
                socket.gid = Int(id)
            case "expose-fd":
                let text = try value(option)
                guard text == "listeners" else {
                    throw ConfigurationError("'stats socket' : 'expose-fd' only supports 'listeners' (got '\(text)')")
                }
                socket.exposesListeners = true
            case "process", "thread", "accept-proxy", "maxconn", "backlog", "name", "id", "nice", "severity-output", "interface",
                 "namespace", "defer-accept", "tfo", "transparent", "v4v6", "v6only", "ssl", "crt", "alpn", "tcp-ut", "mss":
                throw ConfigurationError.notSupported("'\(option)' on a 'stats socket'")
            default:
                throw ConfigurationError("'stats socket' : unknown keyword '\(option)'; expected 'level', 'mode', 'uid', 'gid', 'user', 'group' or 'expose-fd'")
            }
            index += 1
        }
        if case .unixPath = socket.endpoint {} else if socket.mode != nil || socket.uid != nil || socket.gid != nil || socket.user != nil || socket.group != nil {
            throw ConfigurationError("'stats socket' : 'mode', 'uid', 'gid', 'user' and 'group' only apply to a UNIX socket")
        }
        return socket
    }

    static func endpoint(_ text: String) throws -> StatsSocket.Endpoint {
        func tcp(_ rest: Substring, family: String) throws -> StatsSocket.Endpoint {
            var host: Substring
            var portText: Substring
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else {
                    throw ConfigurationError("'stats socket' : invalid address '\(text)'")
                }
                host = rest[rest.index(after: rest.startIndex)..<close]
                portText = rest[rest.index(close, offsetBy: 2)...]
            } else {
                guard let colon = rest.lastIndex(of: ":") else {
                    throw ConfigurationError("'stats socket' : missing port in '\(text)' (expected \(family)@ADDR:PORT)")
                }
                host = rest[..<colon]
                portText = rest[rest.index(after: colon)...]
            }
            if host.isEmpty || host == "*" { host = family == "ipv6" ? "::" : "0.0.0.0" }
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw ConfigurationError("'stats socket' : invalid port '\(portText)' in '\(text)'")
            }
            return .tcp(host: String(host), port: port)
        }
        if text.hasPrefix("ipv4@") { return try tcp(text.dropFirst(5), family: "ipv4") }
        if text.hasPrefix("ipv6@") { return try tcp(text.dropFirst(5), family: "ipv6") }
        if text.hasPrefix("unix@") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { throw ConfigurationError("'stats socket' : 'unix@' expects a path") }
            return .unixPath(path)
        }
        if text.hasPrefix("fd@") {
            switch Address.parseDescriptor(text.dropFirst(3), written: text) {
            case .success(let descriptor): return .inherited(descriptor)
            case .failure(let error): throw ConfigurationError("'stats socket' : \(error.message)")
            }
        }
        if text.hasPrefix("abns@") || text.hasPrefix("sockpair@") || text.hasPrefix("udp") {
            throw ConfigurationError.notSupported("'stats socket \(text)' (only a UNIX socket path, unix@, ipv4@, ipv6@ and fd@)")
        }
        if text.hasPrefix("/") || text.hasPrefix(".") || !text.contains(":") { return .unixPath(text) }
        return try tcp(Substring(text), family: "ipv4")
    }
}
