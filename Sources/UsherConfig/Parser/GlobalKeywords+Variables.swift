/// `set-var`, `set-var-fmt` and `tune.vars.*-max-size` in the `global` section.
enum VariableGlobalKeywords {
    static let table: [String: GlobalKeywords.Handler] = [
        "set-var": { line, global in global.processVariables.append(try setting(line, format: false)) },
        "set-var-fmt": { line, global in global.processVariables.append(try setting(line, format: true)) },
        "tune.vars.global-max-size": { line, global in global.variableLimits.global = try limit(line) },
        "tune.vars.proc-max-size": { line, global in global.variableLimits.process = try limit(line) },
        "tune.vars.sess-max-size": { line, global in global.variableLimits.session = try limit(line) },
        "tune.vars.txn-max-size": { line, global in global.variableLimits.transaction = try limit(line) },
        "tune.vars.reqres-max-size": { line, global in global.variableLimits.requestResponse = try limit(line) },
        "tune.vars.check-max-size": { line, global in global.variableLimits.check = try limit(line) },
    ]

    /// `set-var proc.NAME EXPR` / `set-var-fmt proc.NAME FMT`: only `proc` variables (nothing
    /// else exists before a connection), evaluated once the configuration is read.
    static func setting(_ line: ConfigurationLine, format: Bool) throws -> ProcessVariableSetting {
        let what = format ? "a log-format string" : "a sample expression"
        guard line.words.count == 3 else {
            let problem = line.words.count < 3 ? "expects" : "takes only"
            throw ConfigurationError("'\(line.keyword)' \(problem) a process-wide variable name ('proc.NAME') and \(what)")
        }
        let variable: VariableName
        switch VariableName.parse(line.words[1]) {
        case .success(let name): variable = name
        case .failure(let error): throw ConfigurationError("in '\(line.keyword)': \(error.message)")
        }
        guard variable.scope == .proc else {
            throw ConfigurationError("'\(line.keyword)' cannot set '\(variable)': only 'proc' variables may be set in the global section")
        }
        let value: VariableAssignment.Value
        if format {
            value = .format(line.words[2])
        } else {
            switch SampleExpression.parse(line.words[2]) {
            case .success(let expression): value = .expression(expression)
            case .failure(let error): throw ConfigurationError("in '\(line.keyword) \(variable)': \(error.message)")
            }
        }
        return ProcessVariableSetting(assignment: VariableAssignment(variable: variable, value: value), location: line.location)
    }

    /// A size in bytes; 0 means no limit, as in HAProxy.
    static func limit(_ line: ConfigurationLine) throws -> Int? {
        let text = try GlobalKeywords.single(line)
        guard let value = ConfigurationValues.integer(text, in: 0...Int(Int32.max)) else {
            throw ConfigurationError("'\(line.keyword)' expects a size in bytes from 0 (no limit) to \(Int32.max), not '\(text)'")
        }
        return value == 0 ? nil : value
    }
}
