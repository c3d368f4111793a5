extension HealthStateMachine {
    /// The server's health as `option log-health-checks` lines end: `3/3 UP` (checks left before it
    /// goes down, of `fall`), or `1/2 DOWN` (checks passed towards `rise`), as HAProxy counts them.
    public var logStatus: String {
        isUp ? "\(health - rise + 1)/\(fall) UP" : "\(health)/\(rise) DOWN"
    }
}
