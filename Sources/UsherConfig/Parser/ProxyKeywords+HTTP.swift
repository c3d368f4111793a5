extension ProxyKeywords {
    /// `capture request header NAME len N`, `capture response header NAME len N`
    static func parseCapture(_ line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        let direction = line.words.count >= 2 ? line.words[1] : ""
        switch direction {
        case "request", "response":
            let words = line.words
            guard words.count >= 6, words[2] == "header", words[4] == "len" else {
                throw ConfigurationError("'capture \(direction)' expects 'header NAME len LENGTH'")
            }
            guard words.count == 6 else {
                throw ConfigurationError("unexpected '\(words[6])' after 'capture \(direction) header \(words[3]) len \(words[5])'")
            }
            guard let length = ConfigurationValues.integer(words[5]) else {
                throw ConfigurationError("'capture \(direction) header \(words[3]) len' expects a number of characters, not '\(words[5])'")
            }
            let capture = HeaderCapture(name: words[3], length: length, location: line.location)
            if direction == "request" {
                builder.proxy.requestHeaderCaptures.append(capture)
            } else {
                builder.proxy.responseHeaderCaptures.append(capture)
            }
        case "cookie":
            throw ConfigurationError.notSupported("'capture cookie'")
        default:
            throw ConfigurationError("'capture' expects 'request header', 'response header' or 'cookie'")
        }
    }

    /// `compression algo ALGO…`, `compression type TYPE…`, `compression offload`. Lines add up;
    /// `offload` in a defaults section is ignored with a warning, as in HAProxy.
    static func parseCompression(_ line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        let words = line.words
        guard words.count >= 2 else { throw ConfigurationError("'compression' expects 'algo', 'type' or 'offload'") }
        var compression = builder.settings.compression ?? HTTPCompression()
        switch words[1] {
        case "algo":
            guard words.count >= 3 else { throw ConfigurationError("'compression algo' expects at least one algorithm (identity, gzip, deflate or raw-deflate)") }
            for name in words.dropFirst(2) {
                guard let algorithm = HTTPCompression.Algorithm(rawValue: name) else {
                    throw ConfigurationError("'compression algo': unknown algorithm '\(name)' (expected identity, gzip, deflate or raw-deflate)")
                }
                compression.algorithms.append(algorithm)
            }
        case "type":
            guard words.count >= 3 else { throw ConfigurationError("'compression type' expects at least one content type, e.g. text/html") }
            compression.types += words.dropFirst(2)
        case "offload":
            guard words.count == 2 else { throw ConfigurationError("unexpected '\(words[2])' after 'compression offload'") }
            if builder.isDefaults {
                builder.warn(line.location, "'compression offload' is ignored in a defaults section")
            } else {
                compression.offload = true
            }
        default:
            throw ConfigurationError("'compression' expects 'algo', 'type' or 'offload', not '\(words[1])'")
        }
        builder.settings.compression = compression
    }

    /// `declare capture request|response len N`: a capture slot that rules fill (`http-request
    /// capture … id`, `http-response capture … id`, in this frontend or its backends).
    static func parseDeclareCapture(_ line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        let words = line.words
        guard words.count == 5, words[1] == "capture", ["request", "response"].contains(words[2]), words[3] == "len" else {
            throw ConfigurationError("'declare' expects 'capture request len N' or 'capture response len N'")
        }
        guard let length = ConfigurationValues.integer(words[4]), length > 0 else {
            throw ConfigurationError("'declare capture \(words[2]) len' expects a positive number of characters, not '\(words[4])'")
        }
        let slot = HeaderCapture(name: nil, length: length, location: line.location)
        if words[2] == "request" {
            builder.proxy.requestHeaderCaptures.append(slot)
        } else {
            builder.proxy.responseHeaderCaptures.append(slot)
        }
    }

    /// `errorfile CODE FILE`: the file is read now, as HAProxy does (before any chroot).
    static func parseErrorFile(_ line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        let (status, path) = try errorFileArguments(line, value: "a file")
        let contents = try readHTTPResponseFile(path, for: "errorfile \(status)", builder: builder)
        builder.settings.errorFiles[status] = ErrorFile(status: status, response: .file(path: path, contents: contents), location: line.location)
    }

    /// `http-error status CODE [content-type TYPE] [default-errorfiles | errorfile FILE | file FILE |
    /// string TEXT] [hdr NAME VALUE]…`: the proxy's answer for a status it generates, in the words
    /// of `http-request return`. Log-format payloads and header values are not taken yet.
    static func parseHTTPError(_ line: ConfigurationLine, into builder: inout ProxyBuilder) throws {
        guard line.words.count >= 3, line.words[1] == "status" else {
            throw ConfigurationError("'http-error' expects 'status CODE' then what to answer, e.g. http-error status 503 content-type text/plain string \"busy\"")
        }
        guard let status = ConfigurationValues.integer(line.words[2]), ErrorFile.statusCodes.contains(status) else {
            throw ConfigurationError("'http-error': status '\(line.words[2])' is not one HAProxy answers with by itself (expected \(errorPageCodes))")
        }
        var words = RuleWords(line.words.dropFirst(1), rule: "http-error")
        var reply = try parseReply(&words, defaultStatus: status, acceptsDenyStatus: false, line: line, builder: &builder)
        reply.status = status
        if case .logFormat = reply.payload {
            throw ConfigurationError.notSupported("'lf-string' in 'http-error'")
        }
        if let field = reply.headers.first(where: { $0.value.contains("%") }) {
            throw ConfigurationError.notSupported("a log-format value ('hdr \(field.name) \(field.value)') in 'http-error'")
        }
        builder.settings.errorFiles[status] = ErrorFile(status: status, response: .reply(reply), location: line.location)
    }

    /// `errorloc CODE URL`, `errorloc302 CODE URL`, `errorloc303 CODE URL`
    static func errorLocation(code: Int) -> Keyword {
        Keyword(capabilities: .all) { line, builder in
            let (status, url) = try errorFileArguments(line, value: "a URL")
            builder.settings.errorFiles[status] = ErrorFile(status: status, response: .redirect(code: code, url: url), location: line.location)
        }
    }

    /// `CODE VALUE`. HAProxy ignores further words; usher refuses them, as they most likely are the
    /// rest of a path or URL with an unescaped space.
    static func errorFileArguments(_ line: ConfigurationLine, value: String) throws -> (status: Int, value: String) {
        guard line.words.count >= 3 else {
            throw ConfigurationError("'\(line.keyword)' expects a status code and \(value)")
        }
        guard let status = ConfigurationValues.integer(line.words[1]), ErrorFile.statusCodes.contains(status) else {
            throw ConfigurationError("'\(line.keyword)': status '\(line.words[1])' is not one HAProxy answers with by itself, so there is no error response to replace (expected \(errorPageCodes))")
        }
        guard line.words.count == 3 else {
            throw ConfigurationError("unexpected '\(line.words[3])' after '\(line.keyword) \(status) \(line.words[2])'")
        }
        return (status, line.words[2])
    }

    /// `log-format FORMAT`, `unique-id-format FORMAT`: one word (quoted, or with its spaces escaped).
    static func logFormat(_ line: ConfigurationLine) throws -> LogFormat {
        guard line.words.count >= 2, !line.words[1].isEmpty else {
            throw ConfigurationError("'\(line.keyword)' expects a format string")
        }
        guard line.words.count == 2 else {
            throw ConfigurationError("'\(line.keyword)' expects one argument: quote the format or escape its spaces with '\\'")
        }
        return LogFormat(format: line.words[1], location: line.location)
    }
}
