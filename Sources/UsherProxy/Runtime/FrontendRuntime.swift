import Atomics
import UsherConfig
import UsherRouting

/// The live state of a frontend: its compiled routes, where it logs, and its connection count.
public final class FrontendRuntime: Sendable {
    public let routes: FrontendRoutes
    /// `log` targets in effect (the frontend's own plus the global ones for `log global`).
    let logTargets: [LogTarget]
    let activeConnections: ManagedAtomic<Int>
    /// Traffic counters for the stats page, the runtime API and the exporter.
    public let counters: StatCounters
    /// Each listening socket's counters, in the order they are bound, when `option socket-stats`
    /// asks for them (empty otherwise: nothing is counted twice for nobody).
    public let listeners: [ListenerStats]
    /// Set while an operator has disabled the frontend (`disable frontend`): its listeners stop accepting.
    let isPaused: ManagedAtomic<Bool>
    /// `maxconn`, 0 for no limit (`set maxconn frontend` changes it).
    let maxConnectionsSetting: ManagedAtomic<Int>
    var maxConnections: Int { maxConnectionsSetting.load(ordering: .relaxed) }
    // What each connection consults, read from the settings once (not a dictionary look-up and a
    // copy of the settings per connection).
    /// The frontend's timeouts; the server-side ones are replaced by the backend's.
    let timeouts: Timeouts
    /// How long a client has to finish a TLS handshake (or to send its PROXY header):
    /// `timeout client` as in HAProxy, else `timeout http-request`, else a minute — never unbounded.
    var handshakeLimit: Duration { timeouts.client ?? timeouts.httpRequest ?? .seconds(60) }
    /// A session line (`option tcplog`/`httplog`) is logged at close.
    let logsSessions: Bool
    let dontLogNull: Bool
    /// `option logasap`: a request is logged when the server's response head arrives, a TCP session
    /// once its server is connected; total times and byte counts are then marked `+` (so far).
    let logsEarly: Bool
    /// `option http-ignore-probes`: a connection that closes or times out before its first byte
    /// is neither answered, logged nor counted as an error.
    let ignoresProbes: Bool
    /// `option log-separate-errors`, `dontlog-normal`, `httplog clf`.
    let logPolicy: SessionLogPolicy
    /// `option tcpka` or `clitcpka`: SO_KEEPALIVE on client connections.
    let clientKeepAlive: Bool
    /// `mode http`: connections are served by `HTTPSessionHandler`.
    let isHTTP: Bool
    /// The frontend's half of the HTTP connection mode.
    let connectionMode: HTTPConnectionMode
    let forwardFor: ForwardFor?
    /// `errorfile`/`errorloc` pages, else the built-in ones.
    let errorPages: HTTPErrorPages
    /// `compression …`, if the frontend has it.
    let compression: HTTPCompression?
    let httpLimits: HTTPLimits
    /// `capture request header` and `capture response header`, in order.
    /// The capture slots (a header's name, or nil for a slot rules fill) and their lengths.
    let requestCaptures: [(name: String?, length: Int)]
    let responseCaptures: [(name: String?, length: Int)]

    /// The proxy's number (`iid`, `fe_id`).
    let id: Int

    /// - Parameter previous: the frontend of the same name in the configuration this one replaces
    ///   (a reload in place): its connection count, counters, listeners' counters and operator
    ///   state (`disable frontend`, `set maxconn frontend` unless the file changed `maxconn`) carry on.
    init(routes: FrontendRoutes, global: GlobalSettings, id: Int = 0, previous: FrontendRuntime? = nil) {
        self.id = id
        self.routes = routes
        let settings = routes.proxy.settings
        self.logTargets = routes.proxy.effectiveLogTargets(global: global)
        if let previous, previous.routes.proxy.settings.maxconn == settings.maxconn {
            maxConnectionsSetting = previous.maxConnectionsSetting
        } else {
            maxConnectionsSetting = ManagedAtomic(settings.maxconn ?? 0)
        }
        activeConnections = previous?.activeConnections ?? ManagedAtomic(0)
        counters = previous?.counters ?? StatCounters()
        isPaused = previous?.isPaused ?? ManagedAtomic(false)
        self.timeouts = settings.timeouts
        self.logsSessions = !logTargets.isEmpty
            && (settings.isEnabled("tcplog") || settings.isEnabled("httplog") || routes.logFormat != nil)
        self.dontLogNull = settings.isEnabled("dontlognull")
        self.logsEarly = settings.isEnabled("logasap")
        self.ignoresProbes = settings.isEnabled("http-ignore-probes")
        self.logPolicy = SessionLogPolicy(routes.proxy)
        self.clientKeepAlive = settings.isEnabled("tcpka") || settings.isEnabled("clitcpka")
        self.isHTTP = routes.proxy.mode == .http
        self.requestCaptures = routes.proxy.requestHeaderCaptures.map { ($0.name, $0.length) }
        self.responseCaptures = routes.proxy.responseHeaderCaptures.map { ($0.name, $0.length) }
        self.connectionMode = HTTPConnectionMode(settings)
        let sockets = routes.proxy.binds.reduce(0) { total, bind in
            total + bind.addresses.reduce(0) { $0 + ($1.ports?.count ?? 1) }
        }
        if let previous, previous.listeners.count == sockets, settings.isEnabled("socket-stats") {
            self.listeners = previous.listeners
        } else {
            self.listeners = settings.isEnabled("socket-stats") ? (0..<sockets).map { ListenerStats(id: $0 + 1) } : []
        }
        self.forwardFor = settings.forwardFor
        self.errorPages = HTTPErrorPages(settings.errorFiles)
        self.compression = settings.compression
        self.httpLimits = HTTPLimits(
            maxHeadBytes: max(1024, (global.bufferSize ?? 16_384) - min(global.maxRewrite ?? 1024, (global.bufferSize ?? 16_384) / 2)),
            maxHeaderCount: global.maxHeaders ?? 101
        )
    }

    public var name: String { routes.proxy.name }
}

extension FrontendRuntime {
    /// The timeouts of a connection through this frontend: client-side ones from the frontend,
    /// server-side ones from the backend once it is chosen.
    func timeouts(with backend: BackendRuntime?) -> Timeouts {
        var merged = timeouts
        if let backend {
            let server = backend.timeouts
            merged.server = server.server
            merged.connect = server.connect
            merged.queue = server.queue
            merged.tunnel = server.tunnel
            merged.serverFin = server.serverFin
        }
        return merged
    }
}
