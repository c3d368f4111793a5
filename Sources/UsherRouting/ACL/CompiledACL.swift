import UsherConfig

/// An ACL ready to evaluate: its sample, match method and compiled patterns.
public struct CompiledACL: Sendable {
    let sample: CompiledSample
    let method: MatchMethod
    let ignoreCase: Bool
    let patterns: [Pattern]
    /// The `-f` files, shared with every other user of the same file (runtime changes included).
    let files: [PatternFile]
    let fileMatcher: PatternMatcher
    /// The ACL's name; `nil` for an anonymous `{ … }` one.
    let name: String?
    /// `http_auth_group(LIST) G1 G2…`: the patterns are groups of the list, and the ACL passes
    /// when the authenticated user belongs to one of them.
    let authenticationGroups: (userlist: CompiledUserlist, groups: Set<String>)?

    /// Compiles `definition`; `loadPatternFile` reads the lines of a `-f FILE` argument.
    public init(_ definition: ACLDefinition, loadPatternFile: (String) throws -> [String]) throws(RoutingError) {
        name = definition.name
        var expression = definition.criterion
        let keyword = ACLKeyword.resolve(expression.fetch.name)
        expression.fetch.name = keyword.fetch
        let suffixMethod = keyword.method
        sample = try CompiledSample(expression)
        if let name = definition.matchMethod {
            guard let explicit = MatchMethod(rawValue: name), explicit != .method else {
                let known = ["found", "bool", "int", "ip", "bin", "len", "str", "sub", "reg", "beg", "end", "dir", "dom"]
                let hint = NearestMatch.find(name, in: known).map { "; did you mean '\($0)'?" } ?? ""
                throw RoutingError("unknown match method '\(name)'\(hint)")
            }
            method = explicit
        } else if let suffixMethod {
            method = suffixMethod
        } else {
            guard !sample.fetch.hasDynamicType else {
                // The value's type is known only when it is read: HAProxy asks for `-m` too.
                throw RoutingError("an ACL on '\(sample.expression.fetch.name)' must give its match method with '-m' (the value's type is the variable's), e.g. -m str or -m int")
            }
            method = sample.defaultMatch
        }
        ignoreCase = definition.ignoreCase
        let texts = definition.values
        fileMatcher = PatternMatcher(method: method, ignoreCase: ignoreCase, output: nil)
        var files: [PatternFile] = []
        if !definition.patternFiles.isEmpty {
            // Outside `RoutingTable.compile` (tests), the ACL's files are its own.
            let set: PatternFileSet
            if let current = PatternFileScope.current {
                set = current
            } else {
                var texts: [String: [String]] = [:]
                for path in definition.patternFiles {
                    do {
                        texts[path] = try loadPatternFile(path)
                    } catch {
                        throw RoutingError("failed to open pattern file '\(path)': \(error)")
                    }
                }
                let loaded = texts
                set = PatternFileSet(load: { path in loaded[path] ?? [] })
            }
            for path in definition.patternFiles {
                let file = try set.file(path, layout: definition.readsFilesAsMaps ? PatternFile.Layout.map : .patterns, user: .acl)
                if method == .found || method == .boolean, file.count > 0 {
                    throw RoutingError("match method '\(method.rawValue)' takes no values, but pattern file '\(path)' has some")
                }
                if method != .found, method != .boolean, method != .method {
                    try file.register(fileMatcher)
                }
                files.append(file)
            }
        }
        self.files = files
        if method == .found || method == .boolean {
            guard texts.isEmpty else {
                throw RoutingError("match method '\(method.rawValue)' takes no values, but got '\(texts.joined(separator: " "))'")
            }
        }
        let dotted = sample.expression.fetch.name.hasSuffix("ssl_ver")
        var patterns: [Pattern] = []
        var index = texts.startIndex
        while index < texts.endIndex {
            var text = texts[index]
            // Integer operators: `ge 3`, `lt 10`…
            if method == .integer || method == .length, ["eq", "ge", "gt", "le", "lt"].contains(text), index + 1 < texts.endIndex {
                let operand = try Pattern.integerRange(texts[index + 1], dottedVersions: dotted)
                let value = operand.lowerBound
                switch text {
                case "eq": text = "\(value)"
                case "ge": text = "\(value):"
                case "gt": text = "\(value + 1):"
                case "le": text = ":\(value)"
                default: text = ":\(value - 1)"
                }
                patterns.append(.integerRange(try Pattern.integerRange(text, dottedVersions: false)))
                index += 2
                continue
            }
            patterns.append(try Pattern.compile(text, method: method, ignoreCase: ignoreCase, dottedVersions: dotted))
            index += 1
        }
        self.patterns = patterns
        if definition.matchMethod == nil, suffixMethod == nil, let userlist = try SampleFetch.authenticationGroupUserlist(expression) {
            for group in texts where !userlist.groupNames.contains(group) {
                let hint = NearestMatch.find(group, in: userlist.groupNames).map { "; did you mean '\($0)'?" } ?? ""
                throw RoutingError("'http_auth_group(\(userlist.name))' names group '\(group)', which userlist '\(userlist.name)' does not declare\(hint)")
            }
            authenticationGroups = (userlist, Set(texts))
        } else {
            authenticationGroups = nil
        }
    }

    /// Whether evaluating may wait for request bytes.
    public var readsPayload: Bool { sample.readsPayload }
    /// Whether this reads the HTTP request or response.
    public var readsHTTP: Bool { sample.readsHTTP }
    /// The fetch the criterion names, as HAProxy knows it (`req.hdr` for `hdr_beg`).
    var fetchName: String { sample.expression.fetch.name }

    /// Passes when a value of the sample matches: for fetches that find several (the values of a
    /// header, the cookies of a name…), any of them, as HAProxy tries them in turn.
    public func evaluate(_ context: inout SampleContext) -> ACLResult {
        if sample.hasSeveralValues {
            switch sample.evaluateAll(&context) {
            case .needMoreData: return .miss
            case .noValue: return .fail
            case .value(let values): return values.contains(where: matches) ? .pass : .fail
            }
        }
        switch sample.evaluate(&context) {
        case .needMoreData: return .miss
        case .noValue: return .fail
        case .value(let value): return matches(value) ? .pass : .fail
        }
    }

    private func matches(_ value: SampleValue) -> Bool {
        if let authenticationGroups {
            guard case .string(let user) = value else { return false }
            return !authenticationGroups.userlist.groups(of: user).isDisjoint(with: authenticationGroups.groups)
        }
        switch method {
        case .found:
            return true
        case .boolean:
            switch value {
            case .boolean(let flag): return flag
            case .integer(let number): return number != 0
            default: return !value.text.isEmpty
            }
        default:
            if patterns.contains(where: { $0.matches(value, method: method, ignoreCase: ignoreCase) }) { return true }
            guard !files.isEmpty, let input = fileMatcher.cast(value) else { return false }
            return files.contains { $0.contains(input, fileMatcher) }
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" || first == "\r" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice.removeLast() }
        return String(slice)
    }
}
