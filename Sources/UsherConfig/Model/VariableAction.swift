/// What `set-var(…)`, `set-var-fmt(…)` and `unset-var(…)` do, in `http-request`, `http-response`
/// and `tcp-request` rules alike.
public enum VariableAction: Sendable, Equatable {
    /// `set-var(NAME[,COND…]) EXPR` or `set-var-fmt(NAME[,COND…]) FMT`.
    case set(VariableAssignment)
    /// `unset-var(NAME)`: the variable no longer has a value.
    case unset(VariableName)

    /// The variable the action is about.
    public var variable: VariableName {
        switch self {
        case .set(let assignment): assignment.variable
        case .unset(let variable): variable
        }
    }
}

/// A value given to a variable, under conditions: a rule's `set-var`, or `set-var` in `global`.
public struct VariableAssignment: Sendable, Equatable {
    /// Where the value comes from.
    public enum Value: Sendable, Equatable {
        /// `set-var`: a sample expression; the variable keeps its type (string, integer, address…).
        case expression(SampleExpression)
        /// `set-var-fmt`: a log-format string, kept raw; the variable is a string.
        case format(String)
    }

    public var variable: VariableName
    /// All must hold for the variable to be set.
    public var conditions: [VariableCondition]
    public var value: Value

    public init(variable: VariableName, conditions: [VariableCondition] = [], value: Value) {
        self.variable = variable
        self.conditions = conditions
        self.value = value
    }
}

/// A condition of `set-var(NAME,COND…)` (the action or the converter), checked just before the
/// variable would be set. HAProxy 2.6 knows these eight.
public enum VariableCondition: String, Sendable, Equatable, CaseIterable {
    /// The variable exists already (a `proc` variable always does: it exists from start-up).
    case ifExists = "ifexists"
    case ifNotExists = "ifnotexists"
    /// The new value is an empty string or binary (an integer, address or boolean never is).
    case ifEmpty = "ifempty"
    case ifNotEmpty = "ifnotempty"
    /// The variable has a value (unlike "exists", false for a `proc` variable never set).
    case ifSet = "ifset"
    case ifNotSet = "ifnotset"
    /// The variable's current value is greater than the new one; true unless both are integers.
    case ifGreater = "ifgt"
    /// The variable's current value is less than the new one; true unless both are integers.
    case ifLess = "iflt"
}

/// `set-var NAME EXPR` or `set-var-fmt NAME FMT` in the `global` section: a `proc` variable set
/// once, when the configuration is loaded.
public struct ProcessVariableSetting: Sendable, Equatable {
    public var assignment: VariableAssignment
    public var location: SourceLocation

    public init(assignment: VariableAssignment, location: SourceLocation) {
        self.assignment = assignment
        self.location = location
    }
}

/// `tune.vars.*-max-size`: how many bytes variables may take, by scope (`nil`: no limit of that
/// kind). Accounting nests as in HAProxy: a `req`/`res` variable counts against the `reqres`,
/// `txn`, `sess` and process-wide limits, a `txn` one against all but `reqres`, and so on.
public struct VariableLimits: Sendable, Equatable {
    /// `tune.vars.global-max-size`: every variable of the process.
    public var global: Int?
    /// `tune.vars.proc-max-size`: the `proc` variables and, nested, those of every connection.
    public var process: Int?
    /// `tune.vars.sess-max-size`: one connection's variables, all scopes but `proc`.
    public var session: Int?
    /// `tune.vars.txn-max-size`: one transaction's `txn`, `req` and `res` variables.
    public var transaction: Int?
    /// `tune.vars.reqres-max-size`: one request's (or response's) `req`/`res` variables.
    public var requestResponse: Int?
    /// `tune.vars.check-max-size`: accepted; usher has no health-check variables to limit.
    public var check: Int?

    public init() {}
}
