extension ProxyKeywords {
    /// `balance ALGORITHM [OPTIONS]`
    static func parseBalance(_ line: ConfigurationLine) throws -> BalanceAlgorithm {
        guard line.words.count >= 2 else { throw ConfigurationError("'balance' expects an algorithm such as roundrobin or leastconn") }
        let name = line.words[1]
        let arguments = line.words.dropFirst(2)
        let simple: [String: BalanceAlgorithm] = [
            "roundrobin": .roundRobin, "static-rr": .staticRoundRobin, "leastconn": .leastConnections, "first": .first, "source": .source,
        ]
        if let algorithm = simple[name] {
            guard arguments.isEmpty else { throw ConfigurationError("'balance \(name)' takes no arguments") }
            return algorithm
        }
        switch name {
        case "uri": return .uri(try parseURIHash(arguments))
        case "url_param": return try parseURLParameter(arguments)
        default:
            if name.hasPrefix("hdr(") { return try parseHeaderHash(name, arguments) }
            if name.hasPrefix("random") { return try parseRandom(name, arguments) }
            if name == "hash" || name.hasPrefix("rdp-cookie") {
                throw ConfigurationError.notSupported("'balance \(name)'")
            }
            let names = Array(simple.keys) + ["uri", "url_param", "hdr(NAME)", "random", "rdp-cookie", "hash"]
            let hint = NearestMatch.find(name, in: names).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError("unknown balance algorithm '\(name)'\(hint)")
        }
    }

    /// `balance random[(DRAWS)]`: the least loaded of DRAWS random picks (2 by default).
    static func parseRandom(_ name: String, _ arguments: ArraySlice<String>) throws -> BalanceAlgorithm {
        guard arguments.isEmpty else { throw ConfigurationError("'balance random' takes no arguments") }
        if name == "random" || name == "random()" { return .random(draws: 2) }
        guard name.hasPrefix("random("), name.hasSuffix(")") else {
            throw ConfigurationError("'balance \(name)': expected random or random(DRAWS)")
        }
        let text = String(name.dropFirst("random(".count).dropLast())
        guard let draws = ConfigurationValues.integer(text), draws >= 1 else {
            throw ConfigurationError("'balance \(name)': the number of draws must be an integer of at least 1")
        }
        return .random(draws: draws)
    }

    /// `hash-type map-based|consistent [sdbm|djb2|wt6|crc32 [avalanche]]`. Without a function,
    /// consistent hashing uses sdbm with avalanche and map-based plain sdbm, as in HAProxy.
    static func parseHashType(_ line: ConfigurationLine) throws -> HashType {
        let words = line.words.dropFirst()
        guard let methodWord = words.first else { throw ConfigurationError("'hash-type' expects 'map-based' or 'consistent'") }
        guard let method = HashType.Method(rawValue: methodWord) else {
            if methodWord == "avalanche" {
                throw ConfigurationError("'hash-type avalanche' is no longer supported; write 'hash-type map-based sdbm avalanche'")
            }
            throw ConfigurationError("'hash-type' only supports 'consistent' and 'map-based', not '\(methodWord)'")
        }
        let rest = words.dropFirst()
        guard let functionWord = rest.first else {
            return HashType(method: method, function: .sdbm, avalanche: method == .consistent)
        }
        guard let function = HashType.Function(rawValue: functionWord) else {
            throw ConfigurationError("'hash-type' only supports the hash functions sdbm, djb2, wt6 and crc32, not '\(functionWord)'")
        }
        let modifiers = rest.dropFirst()
        guard modifiers.count <= 1, modifiers.allSatisfy({ $0 == "avalanche" }) else {
            throw ConfigurationError("'hash-type' only supports 'avalanche' after the hash function")
        }
        return HashType(method: method, function: function, avalanche: !modifiers.isEmpty)
    }

    /// `balance uri [whole] [len N] [depth N] [path-only]`
    static func parseURIHash(_ arguments: ArraySlice<String>) throws -> BalanceAlgorithm.URIHash {
        var hash = BalanceAlgorithm.URIHash()
        var rest = arguments
        while let word = rest.popFirst() {
            switch word {
            case "whole": hash.whole = true
            case "path-only": hash.pathOnly = true
            case "len", "depth":
                let text = rest.popFirst() ?? ""
                guard let value = ConfigurationValues.integer(text, in: 1...Int(Int32.max)) else {
                    throw ConfigurationError("'balance uri \(word)' expects a positive integer, not '\(text)'")
                }
                if word == "len" { hash.length = value } else { hash.depth = value }
            default:
                throw ConfigurationError("unexpected '\(word)' after 'balance uri' (expected whole, len, depth or path-only)")
            }
        }
        return hash
    }

    /// `balance url_param NAME [check_post [MAX_WAIT]]` (the old `MAX_WAIT` is ignored, as in HAProxy).
    static func parseURLParameter(_ arguments: ArraySlice<String>) throws -> BalanceAlgorithm {
        guard let name = arguments.first, !name.isEmpty else {
            throw ConfigurationError("'balance url_param' expects the name of a URL parameter")
        }
        let options = arguments.dropFirst()
        guard let option = options.first else { return .urlParameter(name: name, checkPost: false) }
        guard option == "check_post", options.count == 1 || (options.count == 2 && ConfigurationValues.integer(options.last!) != nil) else {
            throw ConfigurationError("unexpected '\(option == "check_post" ? options.last! : option)' after 'balance url_param \(name)' (expected only 'check_post')")
        }
        return .urlParameter(name: name, checkPost: true)
    }

    /// `balance hdr(NAME) [use_domain_only]`
    static func parseHeaderHash(_ name: String, _ arguments: ArraySlice<String>) throws -> BalanceAlgorithm {
        guard name.hasSuffix(")"), name.count > "hdr()".count else {
            throw ConfigurationError("'balance \(name)' expects a header name between the parentheses, as in 'hdr(host)'")
        }
        let header = String(name.dropFirst("hdr(".count).dropLast())
        switch Array(arguments) {
        case []: return .header(name: header, useDomainOnly: false)
        case ["use_domain_only"]: return .header(name: header, useDomainOnly: true)
        default:
            throw ConfigurationError("unexpected '\(arguments.first { $0 != "use_domain_only" } ?? arguments.last!)' after 'balance \(name)' (expected only 'use_domain_only')")
        }
    }
}
