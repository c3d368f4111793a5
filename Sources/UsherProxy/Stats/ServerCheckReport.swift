import UsherRouting

/// A server's check and state history as the stats show it: the last check's status, code and
/// duration, its health counter, when its state last changed and how long it has been down.
struct ServerCheckReport: Sendable {
    /// HAProxy's short check status: `INI` before the first check, then `L4OK`, `L4CON`, `L7STS`…
    var status = "INI"
    /// The HTTP status of the last Layer 7 check.
    var code: Int?
    /// Milliseconds the last check took, -1 before any.
    var durationMilliseconds = -1
    /// The long form of `status` ("Layer4 check passed").
    var description = "Initializing"
    /// What the last failed check said (`last_chk`: "Connection refused", an HTTP reason).
    var output: String?
    /// The health counter (`0…rise+fall-1`).
    var health: Int
    let rise: Int
    let fall: Int
    /// Failed checks, all told (`chkfail`).
    var failedChecks = 0
    /// Transitions from up to down (`chkdown`).
    var downTransitions = 0
    /// Monotonic second of the last state change (`lastchg`), of the last check (`last_chk`).
    var lastChangeSecond: Int
    /// Seconds spent down before the current down period (`downtime`).
    var accumulatedDowntime = 0
    /// Monotonic second the current down period began, if down.
    var downSince: Int?

    init(startsUp: Bool, rise: Int, fall: Int) {
        self.rise = max(1, rise)
        self.fall = max(1, fall)
        self.health = startsUp ? self.rise : 0
        self.lastChangeSecond = Self.nowSecond()
        self.downSince = startsUp ? nil : lastChangeSecond
    }

    static func nowSecond() -> Int { Int(FrequencyCounter.nowMilliseconds() / 1000) }

    /// Records a check's result and, if it changed the server's state, the change.
    mutating func record(
        status: String, code: Int?, description: String, output: String?, durationMilliseconds: Int, health: Int, passed: Bool,
        transition: HealthStateMachine.Transition
    ) {
        self.status = status
        self.output = output
        self.code = code
        self.description = description
        self.durationMilliseconds = durationMilliseconds
        self.health = health
        if !passed { failedChecks += 1 }
        switch transition {
        case .none: break
        case .wentDown:
            downTransitions += 1
            stateChanged(up: false)
        case .cameUp:
            stateChanged(up: true)
        }
    }

    /// Live traffic (`observe`) changed the health counter, and maybe the state.
    mutating func observeHealth(_ health: Int, transition: HealthStateMachine.Transition) {
        self.health = health
        if transition == .wentDown {
            downTransitions += 1
            stateChanged(up: false)
        }
    }

    /// The server went up or down (a check, or an operator).
    mutating func stateChanged(up: Bool) {
        let now = Self.nowSecond()
        lastChangeSecond = now
        if up, let since = downSince {
            accumulatedDowntime += now - since
            downSince = nil
        } else if !up, downSince == nil {
            downSince = now
        }
    }

    /// Total seconds down, the current period included.
    func downtime(now: Int = nowSecond()) -> Int {
        accumulatedDowntime + (downSince.map { now - $0 } ?? 0)
    }
}
