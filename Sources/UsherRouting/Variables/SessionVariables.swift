import UsherConfig

/// One client connection's variables, by scope, with HAProxy's lifetimes:
///
/// - `sess`: from accept until the connection closes;
/// - `txn`: from the start of a transaction (in `mode http` each request, once its head is in; in
///   `mode tcp` the stream, from the content rules on) until it is logged;
/// - `req`: while the request is processed; `res`: while the response is (the two share one
///   place: the request's variables are gone once the response is processed);
/// - `proc`: the process's, shared (`ProcessVariables`).
///
/// A scope that does not exist at that moment (`txn` in a `tcp-request connection` rule, `res`
/// while the request is processed) has no variables: setting one does nothing.
///
/// Memory is bounded: the names are the configuration's (each scope instance holds at most one
/// value per distinct name the configuration uses in that scope), a string or binary value keeps
/// at most `tune.bufsize` bytes, and `tune.vars.*-max-size` limit each scope's total, nested as in
/// HAProxy (`reqres` within `txn` within `sess` within the process-wide limits).
///
/// A value, not an object: the session that owns the connection keeps it (`VariableStorage`).
public struct SessionVariables {
    public let process: ProcessVariables
    private var session = VariableSet()
    /// `nil` before the first transaction and between transactions.
    private var transaction: VariableSet?
    /// The `req` or `res` variables, whichever is being processed (`message == nil`: neither).
    private var messageScope: VariableName.Scope?
    private var message = VariableSet()
    /// A health check's variables (`tcp-check set-var`): its `check` and `sess` scopes are one
    /// place that lives as long as the check; other scopes but `proc` do not exist there.
    private let isCheck: Bool

    public init(process: ProcessVariables) {
        self.process = process
        self.isCheck = false
    }

    /// The variables of one health check.
    public init(checkWithProcess process: ProcessVariables) {
        self.process = process
        self.isCheck = true
    }

    /// Whether a transaction is under way (its `txn` variables exist).
    public var hasTransaction: Bool { transaction != nil }

    // MARK: - Reading

    /// The variable's value, if it has one and its scope exists now.
    public func value(of variable: VariableName) -> SampleValue? {
        switch variable.scope {
        case .proc: return process.value(of: variable.name)
        case .sess: return session[variable.name]
        case .txn: return transaction?[variable.name]
        case .req, .res: return messageScope == variable.scope ? message[variable.name] : nil
        case .check: return isCheck ? session[variable.name] : nil
        }
    }

    // MARK: - Writing

    /// Sets the variable if its scope exists now, the conditions hold and the value fits the
    /// limits. Returns whether it was set. A value that does not fit leaves the variable without
    /// a value: HAProxy frees the old one first, then leaves the variable corrupted.
    @discardableResult
    public mutating func set(_ variable: VariableName, to value: SampleValue, conditions: [VariableCondition] = []) -> Bool {
        let value = value.truncated(to: process.maxValueBytes)
        let scope = variable.scope
        switch scope {
        case .proc:
            return process.set(variable.name, to: value, conditions: conditions)
        case .check where !isCheck:
            return false
        case .sess, .txn, .req, .res, .check:
            guard isAvailable(scope) else { return false }
            let current = self.value(of: variable)
            guard conditions.allHold(current: current, exists: current != nil, new: value) else { return false }
            let delta = VariableSet.cost(of: value) - (current.map(VariableSet.cost) ?? 0)
            if delta > 0, !fits(delta, in: scope) {
                unset(variable)
                return false
            }
            switch scope {
            case .sess, .check: session.store(variable.name, value)
            case .txn: transaction?.store(variable.name, value)
            default: message.store(variable.name, value)
            }
            if delta < 0 { process.release(-delta) }
            return true
        }
    }

    /// The variable no longer has a value.
    public mutating func unset(_ variable: VariableName) {
        let freed: Int
        switch variable.scope {
        case .proc:
            process.unset(variable.name)
            return
        case .check where !isCheck: return
        case .sess, .check: freed = session.remove(variable.name)
        case .txn: freed = transaction?.remove(variable.name) ?? 0
        case .req, .res:
            guard messageScope == variable.scope else { return }
            freed = message.remove(variable.name)
        }
        process.release(freed)
    }

    private func isAvailable(_ scope: VariableName.Scope) -> Bool {
        switch scope {
        case .proc, .sess: true
        case .txn: transaction != nil
        case .req, .res: messageScope == scope
        case .check: isCheck
        }
    }

    /// Whether `delta` more bytes in `scope` stay within every limit that scope counts against
    /// (reserving them process-wide when that is counted).
    private func fits(_ delta: Int, in scope: VariableName.Scope) -> Bool {
        let limits = process.limits
        let messageBytes = message.bytes
        let transactionBytes = (transaction?.bytes ?? 0) + messageBytes
        if scope == .req || scope == .res, let limit = limits.requestResponse, messageBytes + delta > limit { return false }
        if scope != .sess, scope != .check, let limit = limits.transaction, transactionBytes + delta > limit { return false }
        if let limit = limits.session, session.bytes + transactionBytes + delta > limit { return false }
        return process.reserve(delta)
    }

    // MARK: - Lifetimes

    /// A transaction starts: its `txn` variables, and the request's `req` ones, exist from now.
    public mutating func beginTransaction() {
        endTransaction()
        transaction = VariableSet()
        messageScope = .req
    }

    /// The response is being processed: the `req` variables are gone, `res` ones exist.
    public mutating func beginResponse() {
        guard transaction != nil else { return }
        process.release(message.removeAll())
        messageScope = .res
    }

    /// The transaction is over (logged): its `txn`, `req` and `res` variables are gone.
    public mutating func endTransaction() {
        process.release(message.removeAll() + (transaction?.removeAll() ?? 0))
        transaction = nil
        messageScope = nil
    }

    /// The connection is over: everything but the `proc` variables is gone.
    public mutating func endSession() {
        endTransaction()
        process.release(session.removeAll())
    }

    /// The bytes this connection's variables count (for tests and the stated bound).
    public var accountedBytes: Int { session.bytes + (transaction?.bytes ?? 0) + message.bytes }
}
