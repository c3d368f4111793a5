extension ProxyKeywords {
    /// The variable actions, written with their variable in parentheses.
    static let variableActionNames = ["set-var", "set-var-fmt", "unset-var"]

    /// `set-var(NAME[,COND…]) EXPR`, `set-var-fmt(NAME[,COND…]) FMT` or `unset-var(NAME)`, the same
    /// in `http-request`, `http-response` and `tcp-request` rules. `word` is the action word;
    /// `nil` when it is another action.
    static func parseVariableAction(_ word: String, _ words: inout RuleWords) throws -> VariableAction? {
        guard let (kind, variable, conditions) = try parseVariableCall(word, in: words.rule) else { return nil }
        switch kind {
        case "set-var":
            let text = try words.arguments("a sample expression")[0]
            switch SampleExpression.parse(text) {
            case .success(let expression):
                return .set(VariableAssignment(variable: variable, conditions: conditions, value: .expression(expression)))
            case .failure(let error):
                throw ConfigurationError("in '\(words.rule)': \(error.message)")
            }
        case "set-var-fmt":
            let format = try words.arguments("a log-format string")[0]
            return .set(VariableAssignment(variable: variable, conditions: conditions, value: .format(format)))
        default:
            guard conditions.isEmpty else {
                throw ConfigurationError("'\(words.rule)' takes no conditions after the variable name (only 'set-var' and 'set-var-fmt' do)")
            }
            return .unset(variable)
        }
    }

    /// Splits `set-var(txn.x,ifexists)` into the action's name, the variable and its conditions.
    /// `nil` for a word that is no variable action.
    static func parseVariableCall(_ word: String, in rule: String) throws -> (kind: String, variable: VariableName, conditions: [VariableCondition])? {
        guard let open = word.firstIndex(of: "(") else {
            if variableActionNames.contains(word) {
                throw ConfigurationError("'\(rule)' expects its variable in parentheses, as in '\(word)(txn.name)'")
            }
            return nil
        }
        let kind = String(word[..<open])
        guard variableActionNames.contains(kind) else { return nil }
        guard word.hasSuffix(")") else {
            throw ConfigurationError("missing ')' after the variable name in '\(word)'")
        }
        let inside = word[word.index(after: open)..<word.index(before: word.endIndex)]
        let parts = inside.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let variable: VariableName
        switch VariableName.parse(parts[0]) {
        case .success(let name): variable = name
        case .failure(let error): throw ConfigurationError("in '\(rule)': \(error.message)")
        }
        var conditions: [VariableCondition] = []
        for text in parts.dropFirst() {
            guard let condition = VariableCondition(rawValue: text) else {
                let known = VariableCondition.allCases.map(\.rawValue)
                let hint = NearestMatch.find(text, in: known).map { "; did you mean '\($0)'?" } ?? ""
                throw ConfigurationError("unknown condition '\(text)' in '\(rule)' (expected \(RuleWords.list(known, conjunction: "or")))\(hint)")
            }
            conditions.append(condition)
        }
        return (kind, variable, conditions)
    }

    /// What HAProxy accepts without a word but never does: a variable of a scope that does not
    /// exist where the rule runs. `stage` names where that is (`'tcp-request connection' rules`).
    static func variableScopeWarning(_ action: VariableAction, available: Set<VariableName.Scope>, stage: String) -> String? {
        let variable = action.variable
        guard !available.contains(variable.scope) else { return nil }
        let verb = if case .set = action { "set" } else { "unset" }
        let reason: String
        switch variable.scope {
        case .txn: reason = "there is no transaction yet"
        case .req: reason = "'req' variables exist only while a request is processed"
        case .res: reason = "'res' variables exist only while a response is processed"
        case .check: reason = "'check' variables exist only in health checks"
        case .proc, .sess: reason = "that scope is not available there"
        }
        return "variable '\(variable)' is never \(verb) by \(stage): \(reason) (HAProxy ignores the rule as well)"
    }
}
