import UsherConfig
import UsherRouting

extension ServerRuntime {
    /// Sets the server ready, draining or in maintenance (runtime API, stats page). Connections
    /// under way are not cut; a server leaving maintenance takes its queue's share again. Logged as
    /// HAProxy words it. Returns false when the server already was in `state`.
    @discardableResult
    func setAdminState(_ state: ServerAdminState, backend: BackendRuntime, runtime: ProxyRuntime, by origin: String) -> Bool {
        let previous = ServerAdminState(rawValue: adminState.exchange(state.rawValue, ordering: .relaxed)) ?? .ready
        guard previous != state else { return false }
        let wasServing = up.load(ordering: .relaxed) && previous != .maintenance
        let serving = up.load(ordering: .relaxed) && state != .maintenance
        if wasServing != serving {
            checkReport.withLockedValue { $0.stateChanged(up: serving) }
            let (active, backup) = backend.upCounts
            backend.stateReport.withLockedValue { $0.observe(isUp: active + backup > 0) }
        }
        let message: String
        switch state {
        case .maintenance:
            message = "Server \(qualifiedName) is going DOWN for maintenance (by \(origin)). \(backend.upCounts.active) active and \(backend.upCounts.backup) backup servers left. \(currentConnections) sessions active, 0 requeued, \(backend.queueLength) remaining in queue."
        case .drain:
            message = "Server \(qualifiedName) is entering drain mode (by \(origin))."
        case .ready:
            message = previous == .maintenance
                ? "Server \(qualifiedName) is UP/READY (leaving forced maintenance)."
                : "Server \(qualifiedName) is leaving drain mode (by \(origin))."
        }
        runtime.event(message, level: state == .maintenance ? .alert : .notice, backend: backend)
        // Queued clients may now go to this server, or must find another.
        backend.serveQueue()
        return true
    }
}
