import Atomics
import UsherConfig
import UsherRouting

/// The live state of a frontend: its compiled routes, where it logs, and its connection count.
public final class FrontendRuntime: Sendable {
    public let routes: FrontendRoutes
    /// `log` targets in effect (the frontend's own plus the global ones for `log global`).
    let logTargets: [LogTarget]
    let activeConnections = ManagedAtomic<Int>(0)
    /// `maxconn`, 0 for no limit.
    let maxConnections: Int

    init(routes: FrontendRoutes, global: GlobalSettings) {
        self.routes = routes
        self.logTargets = routes.proxy.effectiveLogTargets(global: global)
        self.maxConnections = routes.proxy.settings.maxconn ?? 0
    }

    public var name: String { routes.proxy.name }
    var settings: ProxySettings { routes.proxy.settings }

    /// A session line (`option tcplog`/`httplog`) is logged at close.
    var logsSessions: Bool {
        !logTargets.isEmpty && (settings.isEnabled("tcplog") || settings.isEnabled("httplog"))
    }

    var dontLogNull: Bool { settings.isEnabled("dontlognull") }
}
