extension HealthStateMachine {
    /// The server's health as `option log-health-checks` lines end it, counted as HAProxy counts:
    /// `3/3 UP` (checks left before it goes down, of `fall`), `1/2 DOWN` (checks passed towards
    /// `rise`), or `3/3 DRAIN` for an up server that takes no new clients (drain, or weight 0).
    public func logStatus(draining: Bool = false) -> String {
        isUp ? "\(health - rise + 1)/\(fall) \(draining ? "DRAIN" : "UP")" : "\(health)/\(rise) DOWN"
    }

    /// Whether `option log-health-checks` logs a check: when the check's status changed (`L4OK`
    /// after `L4TOUT`; the first check, after `INI`, always) or the server's health did, as HAProxy
    /// logs "any change of the health check status or to the server's health".
    public static func logsCheck(previousStatus: String, status: String, healthBefore: Int, healthAfter: Int) -> Bool {
        previousStatus != status || healthBefore != healthAfter
    }
}
