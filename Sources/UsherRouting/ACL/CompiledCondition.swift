import UsherConfig

/// An `if`/`unless` condition ready to evaluate against a connection.
public struct CompiledCondition: Sendable {
    struct Term: Sendable {
        var negated: Bool
        /// A named ACL may be declared on several lines: they are alternatives.
        var acls: [CompiledACL]
    }

    let polarity: Condition.Polarity
    let alternatives: [[Term]]

    /// Compiles `condition`, resolving names through `namedACLs` (a proxy's ACLs, predefined ones
    /// included).
    public init(_ condition: Condition, namedACLs: [String: [CompiledACL]], loadPatternFile: (String) throws -> [String]) throws(RoutingError) {
        polarity = condition.polarity
        var alternatives: [[Term]] = []
        for conjunction in condition.alternatives {
            var terms: [Term] = []
            for term in conjunction {
                switch term.reference {
                case .named(let name):
                    guard let acls = namedACLs[name] else {
                        throw RoutingError("no such ACL: '\(name)'")
                    }
                    terms.append(Term(negated: term.negated, acls: acls))
                case .anonymous(let definition):
                    terms.append(Term(negated: term.negated, acls: [try CompiledACL(definition, loadPatternFile: loadPatternFile)]))
                }
            }
            alternatives.append(terms)
        }
        self.alternatives = alternatives
    }

    /// Whether evaluating may wait for request bytes.
    public var readsPayload: Bool {
        alternatives.contains { $0.contains { $0.acls.contains { $0.readsPayload } } }
    }

    /// The ACLs of this condition that read HTTP, by name (the fetch's for an anonymous one), in
    /// order.
    var httpACLNames: [String] {
        var names: [String] = []
        for term in alternatives.joined() {
            for acl in term.acls where acl.readsHTTP {
                let name = acl.name ?? acl.fetchName
                if !names.contains(name) { names.append(name) }
            }
        }
        return names
    }

    public func evaluate(_ context: inout SampleContext) -> ACLResult {
        var result = ACLResult.fail
        for conjunction in alternatives {
            var all = ACLResult.pass
            for term in conjunction {
                var value = ACLResult.fail
                for acl in term.acls {
                    value = value || acl.evaluate(&context)
                    if value == .pass { break }
                }
                all = all && (term.negated ? !value : value)
                if all == .fail { break }
            }
            result = result || all
            if result == .pass { break }
        }
        return polarity == .if ? result : !result
    }
}

/// Evaluates an optional condition: no condition always passes.
extension Optional where Wrapped == CompiledCondition {
    public func evaluate(_ context: inout SampleContext) -> ACLResult {
        guard let condition = self else { return .pass }
        return condition.evaluate(&context)
    }
}
