import NIOConcurrencyHelpers
import UsherConfig

/// The `proc` variables, shared by every connection of the process (a lock keeps them whole
/// across threads), and the process-wide accounting of `tune.vars.global-max-size` and
/// `tune.vars.proc-max-size`.
///
/// As in HAProxy the accounting nests: with a process-wide limit, every variable of every
/// connection counts against it too, and a connection gives its bytes back when its variables go
/// (`SessionVariables.endTransaction()`, `endSession()`). Without one, connections never take the
/// lock.
public final class ProcessVariables: Sendable {
    /// The configured limits, for this scope and the nested ones.
    public let limits: VariableLimits
    /// The most bytes a string or binary value keeps (`tune.bufsize`): longer ones are cut, as a
    /// value built in one of HAProxy's buffers is.
    public let maxValueBytes: Int
    /// The process-wide limit (the lower of the two), if any.
    let processLimit: Int?

    private struct State {
        var variables = VariableSet()
        /// Every variable's bytes, when a process-wide limit asks for them to be counted.
        var totalBytes = 0
    }

    private let state: NIOLockedValueBox<State>

    /// `initial`: the values `set-var`/`set-var-fmt` in `global` gave, by name.
    public init(limits: VariableLimits = VariableLimits(), maxValueBytes: Int = 16_384, initial: [(String, SampleValue)] = []) {
        self.limits = limits
        self.maxValueBytes = maxValueBytes
        switch (limits.global, limits.process) {
        case (let a?, let b?): processLimit = min(a, b)
        case (let a?, nil), (nil, let a?): processLimit = a
        case (nil, nil): processLimit = nil
        }
        var state = State()
        for (name, value) in initial {
            state.totalBytes += state.variables.store(name, value.truncated(to: maxValueBytes))
        }
        self.state = NIOLockedValueBox(state)
    }

    /// Whether connections must report their variables' bytes (`reserve`, `release`).
    var countsEveryVariable: Bool { processLimit != nil }

    /// The value of `proc.NAME`, if it has one.
    public func value(of name: String) -> SampleValue? {
        state.withLockedValue { $0.variables[name] }
    }

    /// Sets `proc.NAME` if the conditions hold and the value fits the process-wide limit. A value
    /// that does not fit leaves the variable without a value (HAProxy leaves it corrupted).
    @discardableResult
    public func set(_ name: String, to value: SampleValue, conditions: [VariableCondition] = []) -> Bool {
        let value = value.truncated(to: maxValueBytes)
        return state.withLockedValue { state in
            let current = state.variables[name]
            // Every `proc` variable the configuration names exists from start-up, as in HAProxy.
            guard conditions.allHold(current: current, exists: true, new: value) else { return false }
            let delta = VariableSet.cost(of: value) - (current.map(VariableSet.cost) ?? 0)
            if let limit = processLimit, delta > 0, state.totalBytes + delta > limit {
                state.totalBytes -= state.variables.remove(name)
                return false
            }
            state.totalBytes += state.variables.store(name, value)
            return true
        }
    }

    public func unset(_ name: String) {
        state.withLockedValue { $0.totalBytes -= $0.variables.remove(name) }
    }

    /// Counts `bytes` more of a connection's variables, if the process-wide limit allows.
    func reserve(_ bytes: Int) -> Bool {
        guard let limit = processLimit else { return true }
        return state.withLockedValue { state in
            guard state.totalBytes + bytes <= limit else { return false }
            state.totalBytes += bytes
            return true
        }
    }

    /// Gives back what `reserve` counted.
    func release(_ bytes: Int) {
        guard processLimit != nil, bytes != 0 else { return }
        state.withLockedValue { $0.totalBytes -= bytes }
    }

    /// The bytes counted process-wide now: the `proc` variables', and with a process-wide limit
    /// every connection's too.
    public var accountedBytes: Int { state.withLockedValue { $0.totalBytes } }
}
