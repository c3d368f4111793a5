import UsherRouting

/// Carries out the stats page's admin form: sets the ticked servers of one backend ready, draining
/// or in maintenance, and says how it went in HAProxy's `;st=` words.
struct StatsAdmin {
    /// The most form bytes read; HAProxy's limit is its buffer.
    static let maxFormBytes = 16_384

    let runtime: ProxyRuntime

    /// `DONE` all applied, `PART` some servers unknown, `NONE` nothing asked, `ERRP` bad backend,
    /// action or servers.
    func apply(_ form: StatsPageRequest.AdminForm) -> String {
        guard !form.servers.isEmpty || !form.backend.isEmpty else { return "NONE" }
        let ids = StatsCollector(runtime: runtime).proxyIDs
        let backend: BackendRuntime?
        if form.backend.hasPrefix("#"), let id = Int(form.backend.dropFirst()) {
            backend = runtime.backends.first { ids[$0.name] == id }
        } else {
            backend = runtime.backends.first { $0.name == form.backend }
        }
        guard let backend else { return "ERRP" }
        let state: ServerAdminState
        switch form.action {
        case "ready": state = .ready
        case "drain": state = .drain
        case "maint": state = .maintenance
        default: return "ERRP"
        }
        guard !form.servers.isEmpty else { return "NONE" }
        var applied = 0
        for name in form.servers {
            guard let server = backend.servers.first(where: { $0.name == name }) else { continue }
            server.setAdminState(state, backend: backend, runtime: runtime, startHealthChecks: runtime.startLateHealthChecks)
            applied += 1
        }
        if applied == 0 { return "ERRP" }
        return applied == form.servers.count ? "DONE" : "PART"
    }
}
