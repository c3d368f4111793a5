import UsherConfig

extension HealthStateMachine {
    /// `error-limit` consecutive errors were seen in live traffic (`observe layer4|layer7`): applies
    /// the server's `on-error` mode. Every mode also asks for the next check at `fastinter`, which
    /// the caller schedules.
    public mutating func observedErrors(_ action: ObservedErrorAction) -> Transition {
        switch action {
        case .fastinter:
            return .none
        case .failCheck:
            return record(success: false)
        case .suddenDeath:
            // One failed check away from going down; a server already down stays as it is.
            guard isUp else { return .none }
            setHealth(rise)
            return .none
        case .markDown:
            guard isUp else { return .none }
            setHealth(0)
            return .wentDown
        }
    }
}
