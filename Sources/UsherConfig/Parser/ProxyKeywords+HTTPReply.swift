extension ProxyKeywords {
    /// The arguments of `return`, `deny` and `tarpit`: `[status CODE] [content-type TYPE]
    /// [default-errorfiles | errorfile FILE | file FILE | string TEXT | lf-string FMT]
    /// [hdr NAME FMT]…`. `deny` and `tarpit` also take `deny_status CODE`; alone (or with nothing)
    /// it means the proxy's error page, as in HAProxy.
    static func parseReply(
        _ words: inout RuleWords, defaultStatus: Int, acceptsDenyStatus: Bool, line: ConfigurationLine, builder: inout ProxyBuilder
    ) throws -> HTTPReply {
        var reply = HTTPReply(status: defaultStatus, payload: .none)
        var status: Int? = nil
        var payloadWord: String? = nil
        var onlyDenyStatus = true
        let statusWords = acceptsDenyStatus ? ["status", "deny_status"] : ["status"]
        while let word = words.next() {
            if word != "deny_status" { onlyDenyStatus = false }
            switch word {
            case _ where statusWords.contains(word):
                let text = try words.value(of: word)
                guard let code = ConfigurationValues.integer(text, in: 200...599) else {
                    throw ConfigurationError("'\(word)' in '\(words.rule)' expects a status code from 200 to 599, not '\(text)'")
                }
                status = code
            case "content-type":
                reply.contentType = try words.value(of: word)
            case "default-errorfiles", "errorfile", "file", "string", "lf-string":
                if let payloadWord {
                    throw ConfigurationError("unexpected '\(word)' in '\(words.rule)': '\(payloadWord)' already gives the response")
                }
                payloadWord = word
                reply.payload = try parsePayload(word, &words, builder: builder)
            case "errorfiles", "lf-file":
                throw ConfigurationError.notSupported("'\(word)' in '\(words.rule)'")
            case "hdr":
                let name = try words.value(of: word)
                reply.headers.append(HTTPHeaderField(name: name, value: try words.value(of: "hdr \(name)")))
            default:
                throw ConfigurationError(
                    "unexpected '\(word)' in '\(words.rule)' (expected \(statusWords.joined(separator: ", ")), content-type, default-errorfiles, errorfile, file, string, lf-string, hdr or a condition)"
                )
            }
        }
        if acceptsDenyStatus && onlyDenyStatus { reply.payload = .proxyErrorPage }
        reply.status = status ?? defaultStatus
        try checkReply(&reply, rule: words.rule, line: line, builder: &builder)
        return reply
    }

    static func parsePayload(_ word: String, _ words: inout RuleWords, builder: ProxyBuilder) throws -> HTTPReply.Payload {
        if word == "default-errorfiles" { return .proxyErrorPage }
        let value = try words.value(of: word)
        switch word {
        case "errorfile":
            return .errorFile(path: value, contents: try readHTTPResponseFile(value, for: "\(words.rule) errorfile", builder: builder))
        case "file":
            return .file(path: value, contents: try readResponseFile(value, for: "\(words.rule) file", builder: builder))
        default:
            guard !value.isEmpty else { throw ConfigurationError("'\(word)' in '\(words.rule)' expects a non-empty text") }
            return word == "string" ? .string(value) : .logFormat(value)
        }
    }

    /// What HAProxy checks once a reply is read: the status fits the payload, a body has its
    /// content type, and arguments without effect are reported.
    static func checkReply(_ reply: inout HTTPReply, rule: String, line: ConfigurationLine, builder: inout ProxyBuilder) throws {
        let hasBody: Bool
        switch reply.payload {
        case .proxyErrorPage:
            guard ErrorFile.statusCodes.contains(reply.status) else {
                throw ConfigurationError("'\(rule)' with status \(reply.status) answers with the proxy's error page, and there is none for that status (\(errorPageCodes)); give the reply a payload such as 'string', or another status")
            }
            hasBody = false
        case .errorFile, .none: hasBody = false
        case .file(_, let contents): hasBody = !contents.isEmpty
        case .string, .logFormat: hasBody = true
        }
        let completeResponse: Bool
        switch reply.payload {
        case .errorFile, .proxyErrorPage: completeResponse = true
        default: completeResponse = false
        }
        if hasBody, reply.contentType == nil {
            throw ConfigurationError("'\(rule)' needs 'content-type TYPE' to go with its payload")
        }
        if !hasBody, let contentType = reply.contentType {
            builder.warn(line.location, "'content-type \(contentType)' ignored in '\(rule)': the reply has no body of its own")
            reply.contentType = nil
        }
        if completeResponse, !reply.headers.isEmpty {
            builder.warn(line.location, "'hdr' ignored in '\(rule)': an error file is a complete response")
            reply.headers = []
        }
    }

    /// The statuses of error pages, for messages.
    static var errorPageCodes: String {
        RuleWords.list(ErrorFile.statusCodes.map(String.init), conjunction: "or")
    }

    /// Reads a file to send (`errorfile`, `return file`) while parsing, as HAProxy does; it must fit
    /// in a buffer (`tune.bufsize`).
    static func readResponseFile(_ path: String, for what: String, builder: ProxyBuilder) throws -> [UInt8] {
        let contents: [UInt8]
        do {
            contents = try builder.fileReader.read(path, builder.bufferSize)
        } catch {
            throw ConfigurationError("'\(what)': cannot read '\(path)': \(error.reason)")
        }
        guard contents.count <= builder.bufferSize else {
            throw ConfigurationError("'\(what)': '\(path)' is larger than a buffer (tune.bufsize, \(builder.bufferSize) bytes)")
        }
        return contents
    }

    /// Reads a file that must hold a complete HTTP/1 response (`errorfile`).
    static func readHTTPResponseFile(_ path: String, for what: String, builder: ProxyBuilder) throws -> [UInt8] {
        let contents = try readResponseFile(path, for: what, builder: builder)
        if let problem = ErrorFile.problem(inResponse: contents) {
            throw ConfigurationError("'\(what)': '\(path)' is not a complete HTTP response: \(problem)")
        }
        return contents
    }
}
