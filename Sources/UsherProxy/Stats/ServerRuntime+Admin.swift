import UsherConfig
import UsherRouting

extension ServerRuntime {
    /// Sets the server ready, draining or in maintenance (runtime API, stats page) and logs it in
    /// HAProxy's words. Connections under way are not cut. A server leaving maintenance is "up,
    /// going down if its checks fail" until its next check; one `disabled` in the configuration has
    /// its checks started by `startHealthChecks` (they never ran).
    func setAdminState(
        _ state: ServerAdminState, backend: BackendRuntime, runtime: ProxyRuntime,
        startHealthChecks: (ServerRuntime, BackendRuntime) -> Void
    ) {
        let server = self
        let previous = server.admin
        guard previous != state else { return }
        server.adminState.store(state.rawValue, ordering: .relaxed)
        if state == .maintenance {
            // HAProxy counts going into maintenance as a transition down.
            server.counters.add(.checkDowns)
            server.checkReport.withLockedValue { $0.stateChanged(up: false) }
        } else if previous == .maintenance {
            // Back to work: `slowstart` counts from here, as after a check brings it up.
            server.cameUpAt.store(ServerRuntime.nowMilliseconds(), ordering: .relaxed)
            if server.server.isDisabled, !server.up.load(ordering: .relaxed) {
                // Disabled in the configuration: its checks start now, from "up, going down if
                // they fail", as HAProxy's do.
                server.up.store(true, ordering: .relaxed)
                server.checkReport.withLockedValue { $0.health = $0.rise }
                if server.server.isChecked { startHealthChecks(server, backend) }
            }
            server.checkReport.withLockedValue { report in
                // Back from maintenance a checked server is "up, going down if its checks fail"
                // (`UP 1/3`) until its next check, as in HAProxy.
                if server.server.isChecked { report.health = report.rise }
                report.stateChanged(up: server.up.load(ordering: .relaxed))
            }
        }
        // HAProxy's words for each change.
        let (active, backup) = backend.upCounts
        backend.stateReport.withLockedValue { $0.observe(isUp: active + backup > 0) }
        let onBackup = active == 0 && backup > 0 ? " Running on backup." : ""
        let name = "Server \(server.qualifiedName)"
        let message: String
        // HAProxy's levels: a server taken out of service is an alert; the rest are notices.
        var level = SyslogLevel.notice
        switch (previous, state) {
        case (_, .maintenance) where !server.up.load(ordering: .relaxed):
            message = "\(name) was DOWN and now enters maintenance."
        case (_, .maintenance):
            message = "\(name) is going DOWN for maintenance. \(active) active and \(backup) backup servers left.\(onBackup) "
                + "\(server.currentConnections) sessions active, 0 requeued, \(backend.queueLength) remaining in queue."
            level = .alert
        case (_, .drain):
            message = "\(name) enters drain state. \(active) active and \(backup) backup servers online.\(onBackup) "
                + "0 sessions requeued, \(backend.queueLength) total in queue."
        case (.maintenance, .ready):
            message = "\(name) is UP/READY (leaving forced maintenance)."
        case (_, .ready):
            message = "\(name) is UP (leaving forced drain)."
        }
        runtime.event(message, level: level, backend: backend)
        if level == .alert, active == 0, backup == 0 {
            runtime.event("backend \(backend.name) has no server available!", level: .emerg, backend: backend)
        }
        // Waiters may now have a server (or none at all).
        backend.serveQueue()
    }
}
