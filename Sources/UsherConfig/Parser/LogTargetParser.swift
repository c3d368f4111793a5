/// Parses `log ADDRESS [len N] [format F] [sample R:S] FACILITY [LEVEL [MINLEVEL]]`.
///
/// The three options come in that order, as HAProxy 2.6 reads them (it takes a misplaced one for
/// the facility and refuses the line); usher refuses the line too, saying which order to use.
enum LogTargetParser {
    /// The longest path a UNIX socket address holds (`sun_path` less its terminating NUL).
    static let maximumUnixPathLength = 107

    static func parse(_ line: ConfigurationLine) throws -> LogTarget {
        var words = line.words.dropFirst()
        guard let addressWord = words.first else {
            throw ConfigurationError("'log' expects an address ('stdout', 'stderr', a UNIX socket path or HOST[:PORT]) and a facility")
        }
        words = words.dropFirst()
        let destination = try parseDestination(addressWord)
        var format: LogTarget.Format = .rfc3164
        var hasExplicitFormat = false
        var maximumLength = 1024
        var sample: LogSample? = nil
        let options = ["len", "format", "sample"]
        var nextOption = 0
        while let word = words.first, options.contains(word) || word == "profile" {
            if word == "profile" { throw ConfigurationError.notSupported("'log … profile' (HAProxy 3.1)") }
            let position = options.firstIndex(of: word)!
            guard position >= nextOption else {
                throw ConfigurationError("'\(word)' must come before '\(options[nextOption - 1])' in 'log' (the order is 'len', 'format', 'sample', as HAProxy reads them)")
            }
            nextOption = position + 1
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
                hasExplicitFormat = true
            default:
                sample = try parseSample(value)
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
            maximumLength: maximumLength, sample: sample, hasExplicitFormat: hasExplicitFormat, location: line.location
        )
    }

    static func parseDestination(_ word: String) throws -> LogTarget.Destination {
        switch word {
        case "stdout": return .stdout
        case "stderr": return .stderr
        default: break
        }
        if word.hasPrefix("/") || word.hasPrefix("unix@") {
            let path = word.hasPrefix("unix@") ? String(word.dropFirst(5)) : word
            guard !path.isEmpty else { throw ConfigurationError("'log unix@' expects a socket path, such as unix@/dev/log") }
            guard path.utf8.count <= maximumUnixPathLength else {
                throw ConfigurationError("log socket path '\(path)' is \(path.utf8.count) bytes long; a UNIX socket path holds at most \(maximumUnixPathLength)")
            }
            return .unix(path: path)
        }
        for prefix in ["ring@", "fd@", "abns@"] where word.hasPrefix(prefix) {
            throw ConfigurationError.notSupported("'log \(word)' (a log target other than UDP, a UNIX socket, stdout or stderr)")
        }
        var text = word
        if text.hasPrefix("udp@") { text.removeFirst(4) }
        if text.hasPrefix("udp4@") || text.hasPrefix("udp6@") { text.removeFirst(5) }
        if text.hasPrefix("ipv4@") || text.hasPrefix("ipv6@") { text.removeFirst(5) }
        switch Address.parse(text, portRequired: false) {
        case .failure(let error): throw ConfigurationError("invalid log address: \(error.message)")
        case .success(let address):
            guard let host = address.host else {
                throw ConfigurationError("invalid log address '\(word)': a host is required")
            }
            return .udp(host: host, port: address.ports?.lowerBound ?? 514)
        }
    }

    /// `RANGES:SIZE`, the ranges `N` or `N-M` separated by commas, numbered from 1.
    static func parseSample(_ value: String) throws -> LogSample {
        guard let colon = value.lastIndex(of: ":") else {
            throw ConfigurationError("'sample' expects RANGES:SIZE, such as 1-3,5:10, not '\(value)'")
        }
        let rangesText = value[..<colon]
        let sizeText = String(value[value.index(after: colon)...])
        var ranges: [ClosedRange<Int>] = []
        for part in rangesText.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let low = bounds.first.flatMap({ ConfigurationValues.integer($0, in: 1...Int(Int32.max)) }),
                let high = bounds.count == 2 ? ConfigurationValues.integer(bounds[1], in: 1...Int(Int32.max)) : low,
                low <= high
            else {
                throw ConfigurationError("invalid sample range '\(part)' in 'log … sample \(value)' (expected N or N-M, counted from 1, with N <= M)")
            }
            ranges.append(low...high)
        }
        guard let size = ConfigurationValues.integer(sizeText, in: 1...Int(Int32.max)) else {
            throw ConfigurationError("invalid sample size '\(sizeText)' in 'log … sample \(value)' (expected a number of messages)")
        }
        let highest = ranges.map(\.upperBound).max() ?? 0
        guard size >= highest else {
            throw ConfigurationError("sample size \(size) is smaller than \(highest), the highest position of its ranges, in 'log … sample \(value)'")
        }
        return LogSample(ranges: ranges, size: size)
    }
}
