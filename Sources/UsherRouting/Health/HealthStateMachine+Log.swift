extension HealthStateMachine {
    /// The server's health as `option log-health-checks` lines end it, counted as HAProxy counts:
    /// `3/3 UP` (checks left before it goes down, of `fall`), `1/2 DOWN` (checks passed towards
    /// `rise`), or `3/3 DRAIN` for an up server that takes no new clients (drain, or weight 0).
    public func logStatus(draining: Bool = false) -> String {
        isUp ? "\(health - rise + 1)/\(fall) \(draining ? "DRAIN" : "UP")" : "\(health)/\(rise) DOWN"
    }
}
