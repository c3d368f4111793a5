extension ProxyKeywords {
    /// The arguments of `option httpchk [[METHOD] URI [VERSION]]` (the option itself is recorded
    /// like any other, turning `ssl-hello-chk` and `tcp-check` off).
    static func parseHTTPChk(_ arguments: [String], line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        guard arguments.count <= 3 else {
            throw ConfigurationError("'option httpchk' takes at most a method, a URI and a version (unexpected '\(arguments[3])')")
        }
        var check = ownedHTTPCheck(&builder)
        // One argument is the URI; two are the method and the URI.
        check.method = arguments.count >= 2 ? arguments[0] : nil
        check.uri = arguments.count == 1 ? arguments[0] : arguments.count >= 2 ? arguments[1] : nil
        check.version = nil
        check.legacyHeaders = []
        check.legacyBody = nil
        check.location = line.location
        if arguments.count == 3 {
            try splitLegacyVersion(arguments[2], into: &check)
            if check.version != arguments[2] {
                builder.warn(line.location, "'option httpchk': headers or a body hidden after the version with '\\r\\n' are deprecated; write 'http-check send hdr NAME VALUE' instead")
            }
        }
        builder.settings.httpCheck = check
    }

    /// Before HAProxy 2.2, headers (and a body) were smuggled after the version:
    /// `HTTP/1.1\r\nHost:\ www`. The lexer has already turned `\r\n` into a line break.
    static func splitLegacyVersion(_ text: String, into check: inout HTTPCheck) throws {
        // "\r\n" is one Character in Swift: split on it as well as on a lone "\n".
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\r\n" || $0 == "\n" }).map(String.init)
        check.version = lines.removeFirst()
        while let line = lines.first {
            lines.removeFirst()
            if line.isEmpty {
                check.legacyBody = lines.isEmpty ? nil : lines.joined(separator: "\r\n")
                return
            }
            guard let field = HTTPHeaderField(line: line) else {
                throw ConfigurationError("'option httpchk': the header line '\(line)' after the version has no 'NAME:'")
            }
            check.legacyHeaders.append(field)
        }
    }

    /// `http-check send|expect|disable-on-404 …`
    static func parseHTTPCheck(_ line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        let supported = ["send", "expect", "disable-on-404"]
        guard line.words.count >= 2 else {
            throw ConfigurationError("'http-check' expects \(RuleWords.list(supported, conjunction: "or"))")
        }
        let what = line.words[1]
        var words = RuleWords(line.words.dropFirst(2), rule: "http-check \(what)", takesCondition: false)
        let rule: HTTPCheckRule
        switch what {
        case "send":
            rule = .send(try parseHTTPCheckSend(&words, line: line))
        case "expect":
            rule = .expect(try parseHTTPCheckExpect(&words, line: line))
        case "disable-on-404":
            guard line.words.count == 2 else { throw ConfigurationError("'http-check disable-on-404' takes no arguments") }
            var check = builder.settings.httpCheck ?? HTTPCheck()
            check.disableOn404 = true
            builder.settings.httpCheck = check
            return
        default:
            let name = what.prefix { $0 != "(" }
            if HAProxyKeywords.httpCheck.contains(String(name)) {
                throw ConfigurationError.notSupported("'http-check \(what)'")
            }
            let hint = NearestMatch.find(what, in: supported).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError("unknown 'http-check \(what)'\(hint)")
        }
        var check = ownedHTTPCheck(&builder)
        check.rules.append(rule)
        builder.settings.httpCheck = check
    }

    /// The section's own HTTP check: the first `option httpchk` or `http-check send|expect` of a
    /// section drops the request and rules it inherited (HAProxy 2.6 does the same), keeping
    /// `disable-on-404`.
    static func ownedHTTPCheck(_ builder: inout ProxyBuilder) -> HTTPCheck {
        guard builder.ownsHTTPCheck else {
            builder.ownsHTTPCheck = true
            return HTTPCheck(disableOn404: builder.settings.httpCheck?.disableOn404 ?? false)
        }
        return builder.settings.httpCheck ?? HTTPCheck()
    }

    /// `http-check send [meth M] [uri U] [ver V] [hdr NAME FMT]… [body TEXT]`
    static func parseHTTPCheckSend(_ words: inout RuleWords, line: ConfigurationLine) throws -> HTTPCheckRule.Send {
        var send = HTTPCheckRule.Send(location: line.location)
        while let word = words.next() {
            switch word {
            case "meth": send.method = try words.value(of: word)
            case "uri": send.uri = try words.value(of: word)
            case "ver": send.version = try words.value(of: word)
            case "body": send.body = try words.value(of: word)
            case "hdr":
                let name = try words.value(of: word)
                send.headers.append(HTTPHeaderField(name: name, value: try words.value(of: "hdr \(name)")))
            case "uri-lf", "body-lf", "comment":
                throw ConfigurationError.notSupported("'http-check send \(word)'")
            default:
                throw ConfigurationError("unexpected '\(word)' in 'http-check send' (expected meth, uri, ver, hdr or body)")
            }
        }
        return send
    }

    /// `http-check expect [min-recv N] [!] status|rstatus|string|rstring PATTERN`
    static func parseHTTPCheckExpect(_ words: inout RuleWords, line: ConfigurationLine) throws -> HTTPCheckRule.Expect {
        var negated = false
        var minimumReceived: Int? = nil
        var match: HTTPCheckRule.Expect.Match? = nil
        while var word = words.next() {
            switch word {
            case "min-recv":
                let text = try words.value(of: word)
                guard let value = Int(text), value >= -1, value <= Int(Int32.max) else {
                    throw ConfigurationError("'min-recv' in 'http-check expect' expects a number of bytes (-1 for none), not '\(text)'")
                }
                minimumReceived = value == -1 ? nil : value
                continue
            case "!":
                negated = true
                continue
            case "comment", "ok-status", "error-status", "tout-status", "on-success", "on-error", "status-code":
                throw ConfigurationError.notSupported("'http-check expect \(word)'")
            default:
                break
            }
            if word.hasPrefix("!") {
                negated = true
                word.removeFirst()
            }
            guard match == nil else {
                throw ConfigurationError("'http-check expect' takes one pattern; unexpected '\(word)'")
            }
            switch word {
            case "status": match = .status(try parseStatusRanges(try words.value(of: word)))
            case "rstatus", "rstring":
                let pattern = try words.value(of: word)
                try checkRegex(pattern, in: "http-check expect \(word)")
                match = word == "rstatus" ? .statusRegex(pattern) : .bodyRegex(pattern)
            case "string": match = .string(try words.value(of: word))
            case "hdr", "fhdr", "string-lf":
                throw ConfigurationError.notSupported("'http-check expect \(word)'")
            default:
                throw ConfigurationError("unexpected '\(word)' in 'http-check expect' (expected min-recv, then [!] status, rstatus, string or rstring and a pattern)")
            }
        }
        guard let match else {
            throw ConfigurationError("'http-check expect' expects a match such as 'status 200-399' or 'string OK'")
        }
        return HTTPCheckRule.Expect(negated: negated, match: match, minimumReceived: minimumReceived, location: line.location)
    }

    /// `200`, `200,201,300-310`: codes and ranges of codes from 100 to 999.
    static func parseStatusRanges(_ text: String) throws -> [ClosedRange<Int>] {
        var ranges: [ClosedRange<Int>] = []
        for piece in text.split(separator: ",") {
            let bounds = piece.split(separator: "-", omittingEmptySubsequences: false).map { ConfigurationValues.integer(String($0), in: 100...999) }
            guard (1...2).contains(bounds.count), let low = bounds[0], let high = bounds[bounds.count - 1], low <= high else {
                throw ConfigurationError("invalid status '\(piece)' in 'http-check expect status \(text)' (expected codes from 100 to 999 and ranges such as 200,201,300-399)")
            }
            ranges.append(low...high)
        }
        guard !ranges.isEmpty else {
            throw ConfigurationError("'http-check expect status' expects codes or ranges such as 200-399")
        }
        return ranges
    }
}
