import UsherConfig

/// An ACL ready to evaluate: its sample, match method and compiled patterns.
public struct CompiledACL: Sendable {
    let sample: CompiledSample
    let method: MatchMethod
    let ignoreCase: Bool
    let patterns: [Pattern]

    /// Compiles `definition`; `loadPatternFile` reads the lines of a `-f FILE` argument.
    public init(_ definition: ACLDefinition, loadPatternFile: (String) throws -> [String]) throws(RoutingError) {
        var expression = definition.criterion
        var suffixMethod: MatchMethod? = nil
        if SampleFetch.byName[expression.fetch.name] == nil {
            // `path_beg` is `path` matched with `beg`.
            for (suffix, method) in MatchMethod.suffixes where expression.fetch.name.hasSuffix(suffix) {
                let base = String(expression.fetch.name.dropLast(suffix.count))
                if SampleFetch.byName[base] != nil {
                    expression.fetch.name = base
                    suffixMethod = method
                    break
                }
            }
        }
        sample = try CompiledSample(expression)
        if let name = definition.matchMethod {
            guard let explicit = MatchMethod(rawValue: name) else {
                let known = ["found", "bool", "int", "ip", "bin", "len", "str", "sub", "reg", "beg", "end", "dir", "dom"]
                let hint = NearestMatch.find(name, in: known).map { "; did you mean '\($0)'?" } ?? ""
                throw RoutingError("unknown match method '\(name)'\(hint)")
            }
            method = explicit
        } else {
            method = suffixMethod ?? sample.defaultMatch
        }
        ignoreCase = definition.ignoreCase
        var texts = definition.values
        for file in definition.patternFiles {
            do {
                let lines = try loadPatternFile(file)
                texts += lines.map { $0.trimmingSpaces }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
            } catch {
                throw RoutingError("cannot read pattern file '\(file)': \(error)")
            }
        }
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
    }

    /// Whether evaluating may wait for request bytes.
    public var readsPayload: Bool { sample.readsPayload }

    public func evaluate(_ context: inout SampleContext) -> ACLResult {
        switch sample.evaluate(&context) {
        case .needMoreData:
            return .miss
        case .noValue:
            return .fail
        case .value(let value):
            switch method {
            case .found:
                return .pass
            case .boolean:
                switch value {
                case .boolean(let flag): return flag ? .pass : .fail
                case .integer(let number): return number != 0 ? .pass : .fail
                default: return value.text.isEmpty ? .fail : .pass
                }
            default:
                for pattern in patterns where pattern.matches(value, method: method, ignoreCase: ignoreCase) {
                    return .pass
                }
                return .fail
            }
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
