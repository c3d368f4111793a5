extension HealthChecker {
    /// `option log-health-checks`: one line per check that changed the server's health, at notice,
    /// worded as HAProxy 2.6 words it:
    ///
    ///     Health check for server be/s2 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 0/2 DOWN.
    func logHealthCheck(_ outcome: CheckOutcome, durationMilliseconds: Int, status: String) {
        let kind = server.server.isBackup ? "backup server" : "server"
        let verdict = outcome.isSuccess ? "succeeded" : "failed"
        let message = "Health check for \(kind) \(server.qualifiedName) \(verdict), "
            + Self.checkDetails(outcome, durationMilliseconds: durationMilliseconds) + ", status: \(status)."
        runtime.event(message, level: .notice, backend: backend)
    }

    /// Drained by an operator or at weight 0: check lines say DRAIN instead of UP.
    var isDraining: Bool { server.weight == 0 || server.admin == .drain }

    /// `reason: …[, code: …][, info: "…"], check duration: Nms`, as state-change lines carry it.
    static func checkDetails(_ outcome: CheckOutcome, durationMilliseconds: Int) -> String {
        var details = "reason: \(outcome.reason)"
        if let code = outcome.code { details += ", code: \(code)" }
        if let info = outcome.info { details += ", info: \"\(info)\"" }
        return details + ", check duration: \(durationMilliseconds)ms"
    }
}
