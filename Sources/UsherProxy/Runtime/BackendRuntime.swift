import Atomics
import NIOConcurrencyHelpers
import NIOCore
import UsherConfig
import UsherRouting

/// The live state of a backend: its servers, the balancer, and the queue of connections waiting for
/// a server slot. Choosing a server takes a short lock once per connection, never per byte.
public final class BackendRuntime: Sendable {
    public let routes: BackendRoutes
    public let servers: [ServerRuntime]
    // What each connection consults, read from the settings once.
    /// The backend's timeouts (the server-side ones apply to its connections).
    let timeouts: Timeouts
    let retries: Int
    /// `option redispatch`
    let redispatches: Bool
    /// `option tcpka` or `srvtcpka`: SO_KEEPALIVE on server connections.
    let serverKeepAlive: Bool
    /// The backend's half of the HTTP connection mode.
    let connectionMode: HTTPConnectionMode
    let forwardFor: ForwardFor?
    /// `errorfile`/`errorloc` pages, else the built-in ones.
    let errorPages: HTTPErrorPages
    /// `compression …`, if the backend has it.
    let compression: HTTPCompression?
    /// `cookie NAME …` with the servers' `cookie` values.
    let persistence: PersistenceCookie?
    /// Connections this backend is handling now.
    let activeConnections: ManagedAtomic<Int>
    let queued: ManagedAtomic<Int>
    /// The process's TLS figures: handshakes with this backend's servers count there.
    let tlsCounters: TLSCounters
    /// Traffic counters for the stats page, the runtime API and the exporter.
    public let counters: StatCounters
    /// When the backend last went up or down, for the stats.
    let stateReport: NIOLockedValueBox<BackendStateReport>
    /// The backend of the same name in the configuration that replaced this one (a reload in
    /// place): a slot its connections give back may serve a connection queued there.
    let successor = NIOLockedValueBox<BackendRuntime?>(nil)

    /// Someone waiting for a server slot. `deliver` runs on the waiter's event loop.
    struct Waiter {
        var id: UInt64
        var excluded: Int?
        /// The server it waits for (persistence chose a full one): only that one serves it,
        /// unless it goes down.
        var server: Int?
        var key: BalanceKey
        var deliver: @Sendable (BalanceDecision) -> Void
    }

    struct State {
        var balancer: ServerBalancer
        var queue: [Waiter] = []
        var nextWaiterID: UInt64 = 0
    }

    private let state: NIOLockedValueBox<State>

    /// The proxy's number (`iid`, `be_id`).
    let id: Int

    /// - Parameter previous: the backend of the same name in the configuration this one replaces
    ///   (a reload in place): its counts and counters carry on, and so does the state of each of
    ///   its servers that keeps its name.
    init(
        routes: BackendRoutes, globalTLS: GlobalTLSSettings = GlobalTLSSettings(), tlsCounters: TLSCounters = TLSCounters(), id: Int = 0,
        previous: BackendRuntime? = nil
    ) throws {
        self.id = id
        self.tlsCounters = tlsCounters
        self.routes = routes
        let numbers = routes.proxy.serverNumbers
        let oldServers = Dictionary((previous?.servers ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.servers = try routes.servers.enumerated().map {
            try ServerRuntime(
                server: $1, backendName: routes.name, index: $0, identifier: numbers[$0], globalTLS: globalTLS,
                checkNeedsTLS: routes.checkProgram?.usesTLS ?? false, previous: oldServers[$1.name]
            )
        }
        activeConnections = previous?.activeConnections ?? ManagedAtomic(0)
        queued = previous?.queued ?? ManagedAtomic(0)
        counters = previous?.counters ?? StatCounters()
        stateReport = previous?.stateReport ?? NIOLockedValueBox(BackendStateReport())
        let settings = routes.proxy.settings
        self.timeouts = settings.timeouts
        self.retries = routes.proxy.retries
        self.redispatches = settings.isEnabled("redispatch")
        self.serverKeepAlive = settings.isEnabled("tcpka") || settings.isEnabled("srvtcpka")
        self.connectionMode = HTTPConnectionMode(settings)
        self.forwardFor = settings.forwardFor
        self.errorPages = HTTPErrorPages(settings.errorFiles)
        self.compression = settings.compression
        self.persistence = settings.cookie.map { PersistenceCookie($0, servers: routes.servers) }
        self.state = NIOLockedValueBox(State(balancer: ServerBalancer(
            algorithm: routes.proxy.balance, serverCount: routes.servers.count,
            useAllBackups: routes.proxy.settings.isEnabled("allbackups"),
            hashType: routes.proxy.hashType, balanceFactor: routes.proxy.hashBalanceFactor
        )))
    }

    public var name: String { routes.name }

    /// Servers that are up, split as HAProxy counts them in its messages.
    public var upCounts: (active: Int, backup: Int) {
        var active = 0, backup = 0
        for server in servers where server.isUp {
            if server.server.isBackup { backup += 1 } else { active += 1 }
        }
        return (active, backup)
    }

    func snapshot(excluding excluded: Int?) -> [ServerState] {
        servers.map { runtime in
            ServerState(
                isUp: runtime.isUp && runtime.index != excluded, isBackup: runtime.server.isBackup,
                // A draining server takes no new clients from the balancer.
                weight: runtime.admin == .drain ? 0 : runtime.weight, activeConnections: runtime.currentConnections,
                maxConnections: runtime.maxConnections, identifier: runtime.identifier
            )
        }
    }

    /// Picks a server with the balancing algorithm and reserves a connection slot on it.
    /// `excluded` is a server that just failed (redispatch): avoided if another can be had.
    func choose(key: BalanceKey, excluding excluded: Int? = nil) -> BalanceDecision {
        state.withLockedValue { state in
            let decision = decide(&state.balancer, key: key, excluding: excluded)
            if case .server(let index) = decision { reserve(index, balanced: true) }
            return decision
        }
    }

    private func decide(_ balancer: inout ServerBalancer, key: BalanceKey, excluding excluded: Int?) -> BalanceDecision {
        let decision = balancer.choose(snapshot(excluding: excluded), sourceHash: key.sourceHash, requestHash: key.requestHash)
        if decision == .noServer, excluded != nil {
            return balancer.choose(snapshot(excluding: nil), sourceHash: key.sourceHash, requestHash: key.requestHash)
        }
        return decision
    }

    /// Reserves a slot on a specific server (persistence, `use-server`) if it is up and has room.
    /// Returns `.queue` when it is up but full, `.noServer` when it is down.
    func reserve(specific index: Int) -> BalanceDecision {
        state.withLockedValue { _ in
            let server = servers[index]
            guard server.isUp else { return .noServer }
            if case let limit = server.maxConnections, limit > 0, server.currentConnections >= limit { return .queue }
            reserve(index, balanced: false)
            return .server(index)
        }
    }

    private func reserve(_ index: Int, balanced: Bool) {
        let server = servers[index]
        let active = server.activeConnections.wrappingIncrementThenLoad(ordering: .relaxed)
        let counters = server.counters
        counters.add(.sessions)
        counters.tick(.sessions)
        counters.notePeak(.sessions, active)
        let now = StatCounters.wallSeconds()
        counters.noteSessionStart(wallSeconds: now)
        // `lastsess` of a backend: the last time it gave a session to a server.
        self.counters.noteSessionStart(wallSeconds: now)
        if balanced {
            counters.add(.balancedTotal)
            self.counters.add(.balancedTotal)
        }
    }

    /// A connection (TCP) or a request (HTTP) was given to this backend.
    func sessionStarted() {
        let active = activeConnections.wrappingIncrementThenLoad(ordering: .relaxed)
        counters.add(.sessions)
        counters.tick(.sessions)
        counters.notePeak(.sessions, active)
    }

    /// Gives back a slot; hands it to the first queued connection if any can use a server now.
    func release(_ index: Int) {
        servers[index].activeConnections.wrappingDecrement(ordering: .relaxed)
        serveQueue()
        // A connection of a replaced configuration: the slot may also serve the newest one's queue.
        var next = successor.withLockedValue { $0 }
        while let backend = next {
            backend.serveQueue()
            next = backend.successor.withLockedValue { $0 }
        }
    }

    /// Waits for a server slot: of server `server` if given (its own queue), else of any the
    /// balancer picks. Returns an id to cancel the wait with, or nil when `server`'s queue already
    /// holds its `maxqueue`.
    func enqueue(excluding excluded: Int?, key: BalanceKey, server: Int? = nil, _ deliver: @escaping @Sendable (BalanceDecision) -> Void) -> UInt64? {
        let limit = server.map { servers[$0].server.options.maxqueue ?? 0 } ?? 0
        let id = state.withLockedValue { state -> UInt64? in
            if let server, limit > 0, state.queue.count(where: { $0.server == server }) >= limit { return nil }
            state.nextWaiterID += 1
            state.queue.append(Waiter(id: state.nextWaiterID, excluded: excluded, server: server, key: key, deliver: deliver))
            return state.nextWaiterID
        }
        guard let id else { return nil }
        counters.notePeak(.queue, queued.wrappingIncrementThenLoad(ordering: .relaxed))
        // A slot may have freed up between the decision and the enqueue.
        serveQueue()
        return id
    }

    /// Removes a waiter (its queue timeout expired, or its client left). Returns false when it had
    /// already been served.
    func cancelWait(_ id: UInt64) -> Bool {
        let removed = state.withLockedValue { state -> Bool in
            guard let position = state.queue.firstIndex(where: { $0.id == id }) else { return false }
            state.queue.remove(at: position)
            return true
        }
        if removed { queued.wrappingDecrement(ordering: .relaxed) }
        return removed
    }

    /// Serves queued connections, oldest first, that a server can take now; when no server is up
    /// at all, tells the waiters so they can close. A waiter that must still wait (its `balance
    /// source` server is full) does not hold up the ones behind it.
    func serveQueue() {
        var deliveries: [(Waiter, BalanceDecision)] = []
        state.withLockedValue { state in
            var stillWaiting: [Waiter] = []
            for waiter in state.queue {
                var decision: BalanceDecision
                if let server = waiter.server, servers[server].isUp {
                    let limit = servers[server].maxConnections
                    guard limit == 0 || servers[server].currentConnections < limit else {
                        stillWaiting.append(waiter)
                        continue
                    }
                    decision = .server(server)
                } else {
                    // Waiting for any server, or for one that has gone down since: the balancer decides.
                    decision = decide(&state.balancer, key: waiter.key, excluding: waiter.excluded)
                }
                if case .queue = decision {
                    stillWaiting.append(waiter)
                    continue
                }
                if case .server(let index) = decision { reserve(index, balanced: true) }
                deliveries.append((waiter, decision))
            }
            state.queue = stillWaiting
        }
        for (waiter, decision) in deliveries {
            queued.wrappingDecrement(ordering: .relaxed)
            waiter.deliver(decision)
        }
    }

    public var queueLength: Int { queued.load(ordering: .relaxed) }
}

/// What hash-based balancing reads for one connection or request: the client's address hash
/// (`balance source`), and for HTTP the hash of the request's key (`uri`, `url_param`, `hdr()`),
/// `nil` when the request lacks it.
struct BalanceKey: Sendable {
    var sourceHash: UInt32
    var requestHash: UInt32? = nil
}
