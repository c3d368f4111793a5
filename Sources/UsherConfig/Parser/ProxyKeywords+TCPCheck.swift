extension ProxyKeywords {
    /// The `tcp-check` actions of HAProxy 2.6, as its error message lists them.
    static let tcpCheckActions = ["comment", "connect", "send", "send-lf", "send-binary", "send-binary-lf", "expect", "set-var(…)", "set-var-fmt(…)", "unset-var(…)"]

    /// `tcp-check ACTION …`: one step of the proxy's check sequence.
    static func parseTCPCheck(_ line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        guard line.words.count >= 2 else {
            throw ConfigurationError("'tcp-check' expects \(RuleWords.list(tcpCheckActions, conjunction: "or"))")
        }
        let what = line.words[1]
        var words = RuleWords(line.words.dropFirst(2), rule: "tcp-check \(what)", takesCondition: false)
        var rules = ownedTCPCheckRules(&builder)
        let rule: TCPCheckRule
        switch what {
        case "comment":
            let text = try words.arguments("a text")[0]
            if let extra = words.next() { throw ConfigurationError("'tcp-check comment' takes one text (unexpected '\(extra)'; escape spaces with '\\ ')") }
            rule = TCPCheckRule(.comment(text), location: line.location)
        case "connect":
            var comment: String?
            let connect = try parseTCPCheckConnect(&words, comment: &comment)
            // HAProxy's rule: with a connect anywhere, the first step that is not a comment or a
            // variable must be a connect (the sequence otherwise starts with an implicit one).
            if let first = rules.first(where: { !$0.isPreamble }), case .connect = first.action {} else if rules.contains(where: { !$0.isPreamble }) {
                throw ConfigurationError("'tcp-check connect' must come first: the first step of a sequence with a 'connect' must be a 'connect' (only 'comment', 'set-var' and 'unset-var' may come before it)")
            }
            rule = TCPCheckRule(.connect(connect), comment: comment, location: line.location)
        case "send", "send-lf", "send-binary", "send-binary-lf":
            let data = try words.arguments(what.contains("binary") ? "hexadecimal digits" : "the data to send")[0]
            let comment = try trailingComment(&words)
            let payload: TCPCheckRule.Payload
            switch what {
            case "send": payload = .text(data)
            case "send-lf": payload = .textFormat(data)
            case "send-binary": payload = .binary(try hexadecimal(data, in: "tcp-check send-binary"))
            default: payload = .binaryFormat(data)
            }
            rule = TCPCheckRule(.send(payload), comment: comment, location: line.location)
        case "expect":
            var comment: String?
            let expect = try parseTCPCheckExpect(&words, comment: &comment)
            rule = TCPCheckRule(.expect(expect), comment: comment, location: line.location)
        default:
            if let action = try parseVariableAction(what, &words) {
                if let extra = words.next() { throw ConfigurationError("unexpected '\(extra)' after '\(words.rule)'") }
                rule = TCPCheckRule(.variable(action), location: line.location)
                break
            }
            let known = tcpCheckActions.map { String($0.prefix { $0 != "(" }) }
            let hint = NearestMatch.find(what, in: known).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError("unknown 'tcp-check \(what)' (expected \(RuleWords.list(tcpCheckActions, conjunction: "or")))\(hint)")
        }
        rules.append(rule)
        builder.settings.tcpCheckRules = rules
    }

    /// The section's own rules: its first `tcp-check` line drops those inherited from `defaults`.
    static func ownedTCPCheckRules(_ builder: inout ProxyBuilder) -> [TCPCheckRule] {
        guard builder.ownsTCPCheck else {
            builder.ownsTCPCheck = true
            return []
        }
        return builder.settings.tcpCheckRules
    }

    static func trailingComment(_ words: inout RuleWords) throws -> String? {
        guard let word = words.next() else { return nil }
        guard word == "comment" else { throw ConfigurationError("unexpected '\(word)' in '\(words.rule)' (only 'comment TEXT' may follow)") }
        let text = try words.value(of: word)
        if let extra = words.next() { throw ConfigurationError("unexpected '\(extra)' after the comment of '\(words.rule)'") }
        return text
    }

    /// `[default] [port N] [addr IP] [send-proxy] [ssl] [sni NAME] [alpn LIST] [linger] [comment TEXT]`
    static func parseTCPCheckConnect(_ words: inout RuleWords, comment: inout String?) throws -> TCPCheckRule.Connect {
        var connect = TCPCheckRule.Connect()
        while let word = words.next() {
            switch word {
            case "default": connect.usesServerDefaults = true
            case "port":
                let text = try words.value(of: word)
                guard let port = ConfigurationValues.integer(text, in: 1...65535) else {
                    if ConfigurationValues.integer(text) == nil, SampleExpression.parse(text).isSuccess {
                        throw ConfigurationError.notSupported("a sample expression as 'tcp-check connect port'")
                    }
                    throw ConfigurationError("'tcp-check connect port' expects a port from 1 to 65535, not '\(text)'")
                }
                connect.port = port
            case "addr":
                let text = try words.value(of: word)
                guard case .success(let address) = Address.parse(text, portRequired: false), address.unixSocket == nil, address.ports == nil else {
                    throw ConfigurationError("'tcp-check connect addr' expects an IP address, not '\(text)'")
                }
                connect.address = address.host
            case "send-proxy": connect.sendProxy = true
            case "ssl": connect.ssl = true
            case "sni":
                let name = try words.value(of: word)
                guard !name.isEmpty else { throw ConfigurationError("'tcp-check connect sni' expects a host name") }
                connect.sni = name
            case "alpn":
                // The TLS context offers the server's own `alpn`/`check-alpn`; a list per step comes later.
                throw ConfigurationError.notSupported("'tcp-check connect alpn'")
            case "linger": connect.linger = true
            case "comment": comment = try words.value(of: word)
            case "via-socks4", "proto":
                throw ConfigurationError.notSupported("'tcp-check connect \(word)'")
            default:
                throw ConfigurationError("unexpected '\(word)' in 'tcp-check connect' (expected default, port, addr, send-proxy, ssl, sni, alpn, linger or comment)")
            }
        }
        if connect.ssl && connect.sendProxy {
            throw ConfigurationError.notSupported("'tcp-check connect' with both 'ssl' and 'send-proxy'")
        }
        return connect
    }

    static let tcpCheckMatches = ["string", "rstring", "binary", "rbinary", "string-lf", "binary-lf"]

    /// `[min-recv N] [comment T] [ok-status S] [error-status S] [tout-status S] [on-success FMT]
    /// [on-error FMT] [status-code EXPR] [!] MATCH PATTERN`, options before or after the pattern.
    static func parseTCPCheckExpect(_ words: inout RuleWords, comment: inout String?) throws -> TCPCheckRule.Expect {
        var negated = false
        var match: TCPCheckRule.Expect.Match?
        var expect = TCPCheckRule.Expect(match: .string(""))
        func status(_ word: String, among allowed: [CheckStatus], _ words: inout RuleWords) throws -> CheckStatus {
            let text = try words.value(of: word)
            guard let status = CheckStatus(rawValue: text), allowed.contains(status) else {
                let names = RuleWords.list(allowed.map { "'\($0.rawValue)'" }, conjunction: "or")
                throw ConfigurationError("'\(word)' in 'tcp-check expect' expects \(names), not '\(text)'")
            }
            return status
        }
        guard !words.isAtCondition else {
            throw ConfigurationError("'tcp-check expect' expects a match such as 'string +OK' or 'binary 2b4f4b'")
        }
        while var word = words.next() {
            switch word {
            case "min-recv":
                let text = try words.value(of: word)
                guard let value = Int(text), value >= -1, value <= Int(Int32.max) else {
                    throw ConfigurationError("'min-recv' in 'tcp-check expect' expects a number of bytes (-1 for none), not '\(text)'")
                }
                expect.minimumReceived = value == -1 ? nil : value
                continue
            case "comment": comment = try words.value(of: word); continue
            case "ok-status": expect.okStatus = try status(word, among: CheckStatus.okStatuses, &words); continue
            case "error-status": expect.errorStatus = try status(word, among: CheckStatus.errorStatuses, &words); continue
            case "tout-status": expect.timeoutStatus = try status(word, among: CheckStatus.timeoutStatuses, &words); continue
            case "on-success": expect.onSuccess = try words.value(of: word); continue
            case "on-error": expect.onError = try words.value(of: word); continue
            case "status-code":
                let text = try words.value(of: word)
                switch SampleExpression.parse(text) {
                case .success(let expression): expect.statusCode = expression
                case .failure(let error): throw ConfigurationError("in 'tcp-check expect status-code': \(error.message)")
                }
                continue
            case "!":
                negated = true
                continue
            default:
                break
            }
            if word.hasPrefix("!") {
                negated = true
                word.removeFirst()
            }
            guard match == nil, tcpCheckMatches.contains(word) else {
                throw ConfigurationError("unexpected '\(word)' in 'tcp-check expect' (expected min-recv, comment, ok-status, error-status, tout-status, on-success, on-error, status-code, then [!] \(RuleWords.list(tcpCheckMatches, conjunction: "or")) and a pattern)")
            }
            guard let pattern = words.next() else {
                throw ConfigurationError("'tcp-check expect \(word)' expects a pattern")
            }
            switch word {
            case "string": match = .string(pattern)
            case "rstring", "rbinary":
                try checkRegex(pattern, in: "tcp-check expect \(word)")
                match = word == "rstring" ? .regex(pattern) : .binaryRegex(pattern)
            case "binary": match = .binary(try hexadecimal(pattern, in: "tcp-check expect binary"))
            case "string-lf": match = .stringFormat(pattern)
            default: match = .binaryFormat(pattern)
            }
        }
        guard let match else {
            throw ConfigurationError("'tcp-check expect' expects a match such as 'string +OK' or 'binary 2b4f4b'")
        }
        if case .string(let text) = match, text.isEmpty { throw ConfigurationError("'tcp-check expect string' expects a non-empty pattern") }
        if case .binary(let bytes) = match, bytes.isEmpty { throw ConfigurationError("'tcp-check expect binary' expects a non-empty pattern") }
        expect.match = match
        expect.negated = negated
        return expect
    }

    /// `2b504f4e47`: pairs of hexadecimal digits, upper or lower case.
    static func hexadecimal(_ text: String, in rule: String) throws -> [UInt8] {
        let digits = Array(text.utf8)
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        if let bad = text.first(where: { !$0.isHexDigit }) {
            throw ConfigurationError("'\(rule)': '\(text)' is not hexadecimal (unexpected '\(bad)')")
        }
        guard !digits.isEmpty, digits.count % 2 == 0 else {
            throw ConfigurationError("'\(rule)': '\(text)' needs an even number of hexadecimal digits (two per byte)")
        }
        return stride(from: 0, to: digits.count, by: 2).map { value(digits[$0])! << 4 | value(digits[$0 + 1])! }
    }

    /// `option mysql-check [user NAME [post-41|pre-41]]`, `pgsql-check user NAME`, `redis-check`,
    /// `smtpchk [HELO|EHLO DOMAIN]`, `ldap-check`.
    static func parseProtocolCheck(_ name: String, _ arguments: [String]) throws -> ProtocolCheck {
        switch name {
        case "mysql-check":
            guard let first = arguments.first else { return .mysql(user: nil, post41: true) }
            guard first == "user" else { throw ConfigurationError("'option mysql-check' takes only 'user NAME [post-41|pre-41]' (unexpected '\(first)')") }
            guard arguments.count >= 2, !arguments[1].isEmpty else { throw ConfigurationError("'option mysql-check user' expects a user name") }
            guard arguments.count <= 3 else { throw ConfigurationError("'option mysql-check' takes at most 'user NAME' and a version (unexpected '\(arguments[3])')") }
            if arguments.count == 3, arguments[2] != "post-41", arguments[2] != "pre-41" {
                throw ConfigurationError("'option mysql-check user NAME' takes 'post-41' or 'pre-41', not '\(arguments[2])'")
            }
            guard arguments[1].utf8.count < 256 else { throw ConfigurationError("'option mysql-check user' name is too long") }
            return .mysql(user: arguments[1], post41: arguments.count < 3 || arguments[2] == "post-41")
        case "pgsql-check":
            guard arguments.count >= 2, arguments[0] == "user", !arguments[1].isEmpty else {
                throw ConfigurationError("'option pgsql-check' expects 'user NAME'")
            }
            guard arguments.count == 2 else { throw ConfigurationError("'option pgsql-check' takes only 'user NAME' (unexpected '\(arguments[2])')") }
            return .pgsql(user: arguments[1])
        case "smtpchk":
            guard !arguments.isEmpty else { return .smtp(hello: "HELO", domain: "localhost") }
            guard arguments.count <= 2 else { throw ConfigurationError("'option smtpchk' takes at most HELO|EHLO and a domain (unexpected '\(arguments[2])')") }
            // As HAProxy: a command other than HELO/EHLO becomes HELO; without a domain, the defaults.
            guard arguments.count == 2 else { return .smtp(hello: "HELO", domain: "localhost") }
            return .smtp(hello: arguments[0] == "EHLO" ? "EHLO" : "HELO", domain: arguments[1])
        case "redis-check", "ldap-check":
            guard arguments.isEmpty else { throw ConfigurationError("'option \(name)' takes no arguments (unexpected '\(arguments[0])')") }
            return name == "redis-check" ? .redis : .ldap
        default:
            throw ConfigurationError.notSupported("'option \(name)'")
        }
    }
}

extension TCPCheckRule {
    /// A comment or a variable: what may come before the first `connect`.
    var isPreamble: Bool {
        switch action {
        case .comment, .variable: true
        default: false
        }
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
