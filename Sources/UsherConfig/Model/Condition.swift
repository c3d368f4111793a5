/// `if COND` / `unless COND` after a rule: a disjunction (`or`, `||`) of conjunctions of possibly
/// negated ACL references, named or anonymous (`{ … }`).
public struct Condition: Sendable, Equatable {
    public enum Polarity: String, Sendable, Equatable {
        case `if`
        case unless
    }

    public enum Reference: Sendable, Equatable {
        case named(String)
        case anonymous(ACLDefinition)
    }

    public struct Term: Sendable, Equatable {
        public var negated: Bool
        public var reference: Reference

        public init(negated: Bool, reference: Reference) {
            self.negated = negated
            self.reference = reference
        }
    }

    public var polarity: Polarity
    /// OR of ANDs.
    public var alternatives: [[Term]]
    public var location: SourceLocation

    public init(polarity: Polarity, alternatives: [[Term]], location: SourceLocation) {
        self.polarity = polarity
        self.alternatives = alternatives
        self.location = location
    }

    /// Parses `if|unless …` from `words` (which start with `if` or `unless`).
    static func parse(_ words: ArraySlice<String>, location: SourceLocation) -> Result<Condition, Address.ParseError> {
        guard let head = words.first, let polarity = Polarity(rawValue: head) else {
            return .failure(.init(message: "expected 'if' or 'unless'"))
        }
        var alternatives: [[Term]] = [[]]
        var rest = words.dropFirst()
        while var word = rest.first {
            rest = rest.dropFirst()
            // HAProxy compares `or` without regard to case (`OR`, `Or`); `||` is the same operator.
            if word.lowercased() == "or" || word == "||" {
                guard !(alternatives.last?.isEmpty ?? true) else {
                    return .failure(.init(message: "'\(word)' must follow an ACL"))
                }
                alternatives.append([])
                continue
            }
            var negated = false
            while word.hasPrefix("!") {
                negated.toggle()
                word.removeFirst()
            }
            if word.isEmpty {
                // a lone '!' before the next word
                guard let next = rest.first else { return .failure(.init(message: "'!' must be followed by an ACL")) }
                word = next
                rest = rest.dropFirst()
                while word.hasPrefix("!") {
                    negated.toggle()
                    word.removeFirst()
                }
            }
            if word == "{" {
                guard let close = rest.firstIndex(of: "}") else {
                    return .failure(.init(message: "missing '}' to close the anonymous ACL"))
                }
                let body = rest[rest.startIndex..<close]
                rest = rest[rest.index(after: close)...]
                guard !body.isEmpty else { return .failure(.init(message: "empty anonymous ACL '{ }'")) }
                switch ACLDefinition.parse(name: nil, words: body, location: location) {
                case .success(let acl): alternatives[alternatives.count - 1].append(Term(negated: negated, reference: .anonymous(acl)))
                case .failure(let error): return .failure(error)
                }
                continue
            }
            if word == "}" { return .failure(.init(message: "unexpected '}' without '{'")) }
            alternatives[alternatives.count - 1].append(Term(negated: negated, reference: .named(word)))
        }
        guard let last = alternatives.last, !last.isEmpty else {
            return .failure(.init(message: "missing condition after '\(alternatives.count > 1 ? "or" : head)'"))
        }
        return .success(Condition(polarity: polarity, alternatives: alternatives, location: location))
    }

    /// Every named ACL referenced.
    public var referencedNames: [String] {
        alternatives.flatMap { $0 }.compactMap {
            if case .named(let name) = $0.reference { return name }
            return nil
        }
    }

    /// Every anonymous ACL.
    public var anonymousACLs: [ACLDefinition] {
        alternatives.flatMap { $0 }.compactMap {
            if case .anonymous(let acl) = $0.reference { return acl }
            return nil
        }
    }
}
