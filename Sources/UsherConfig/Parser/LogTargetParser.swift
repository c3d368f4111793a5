/// Parses `log ADDRESS [len N] [format F] [sample R:S] FACILITY [LEVEL [MINLEVEL]]`.
enum LogTargetParser {
    static func parse(_ line: ConfigurationLine) throws -> LogTarget {
        var words = line.words.dropFirst()
        guard let addressWord = words.first else {
            throw ConfigurationError("'log' expects an address ('stdout', 'stderr' or HOST[:PORT]) and a facility")
        }
        words = words.dropFirst()
        let destination: LogTarget.Destination
        switch addressWord {
        case "stdout": destination = .stdout
        case "stderr": destination = .stderr
        default:
            if addressWord.hasPrefix("/") || addressWord.hasPrefix("unix@") || addressWord.hasPrefix("ring@") || addressWord.hasPrefix("fd@") {
                throw ConfigurationError.notSupported("'log \(addressWord)' (a log target other than UDP, stdout or stderr)")
            }
            var text = addressWord
            if text.hasPrefix("udp@") { text.removeFirst(4) }
            if text.hasPrefix("udp4@") || text.hasPrefix("udp6@") { text.removeFirst(5) }
            if text.hasPrefix("ipv4@") || text.hasPrefix("ipv6@") { text.removeFirst(5) }
            switch Address.parse(text, portRequired: false) {
            case .failure(let error): throw ConfigurationError("invalid log address: \(error.message)")
            case .success(let address):
                guard let host = address.host else {
                    throw ConfigurationError("invalid log address '\(addressWord)': a host is required")
                }
                destination = .udp(host: host, port: address.ports?.lowerBound ?? 514)
            }
        }
        var format: LogTarget.Format = .rfc3164
        var maximumLength = 1024
        while let word = words.first, ["len", "format", "sample", "profile"].contains(word) {
            words = words.dropFirst()
            guard let value = words.first else { throw ConfigurationError("'\(word)' expects a value in 'log'") }
            words = words.dropFirst()
            switch word {
            case "len":
                guard let length = ConfigurationValues.integer(value, in: 80...65535) else {
                    throw ConfigurationError("'len' expects a line length from 80 to 65535, not '\(value)'")
                }
                maximumLength = length
            case "format":
                guard let parsed = LogTarget.Format(rawValue: value) else {
                    throw ConfigurationError("unknown log format '\(value)' (expected rfc3164, rfc5424, raw, short, timed, iso, local or priority)")
                }
                format = parsed
            default:
                throw ConfigurationError.notSupported("'log … \(word)'")
            }
        }
        guard let facilityWord = words.first else {
            throw ConfigurationError("'log \(addressWord)' expects a facility such as local0 or daemon")
        }
        guard let facility = SyslogFacility(name: facilityWord) else {
            let hint = NearestMatch.find(facilityWord, in: SyslogFacility.allCases.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError("unknown log facility '\(facilityWord)'\(hint)")
        }
        words = words.dropFirst()
        var level = SyslogLevel.debug
        var minimumLevel: SyslogLevel? = nil
        if let levelWord = words.first {
            guard let parsed = SyslogLevel(name: levelWord) else {
                throw ConfigurationError("unknown log level '\(levelWord)' (expected emerg, alert, crit, err, warning, notice, info or debug)")
            }
            level = parsed
            words = words.dropFirst()
        }
        if let minimumWord = words.first {
            guard let parsed = SyslogLevel(name: minimumWord) else {
                throw ConfigurationError("unknown minimum log level '\(minimumWord)'")
            }
            minimumLevel = parsed
            words = words.dropFirst()
        }
        if !words.isEmpty {
            throw ConfigurationError("unexpected '\(words.joined(separator: " "))' at the end of 'log'")
        }
        return LogTarget(
            destination: destination, format: format, facility: facility, level: level, minimumLevel: minimumLevel,
            maximumLength: maximumLength, location: line.location
        )
    }
}
