import Dispatch
import Atomics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import UsherConfig
import UsherRouting

/// Everything a running configuration needs at once: the routing table, the live state of each
/// frontend, backend and server, and where logs go.
public final class ProxyRuntime: Sendable {
    public let table: RoutingTable
    public let frontends: [FrontendRuntime]
    public let backends: [BackendRuntime]
    let log: LogDispatcher
    let logger: Logger
    /// Which configuration of the process this is: 1 for the first, one more per reload in place.
    public let generation: Int
    /// Connections open across all frontends (HAProxy's `actconn`).
    let activeConnections: ManagedAtomic<Int>
    /// Process-wide totals for `show info` (connections, requests, rates).
    public let processCounters: StatCounters
    /// The process's TLS handshakes, both sides (`show info`'s `Ssl*` fields).
    public let tlsCounters: TLSCounters
    /// When the process started serving (wall-clock seconds), for `show info`.
    public let startedWallSeconds: Int
    /// `global maxconn`, 0 for no limit (`set maxconn global` changes it).
    let maxConnectionsSetting: ManagedAtomic<Int>
    var maxConnections: Int { maxConnectionsSetting.load(ordering: .relaxed) }
    /// Streams started so far (HTTP requests and TCP sessions): each takes the next number (`%rt`).
    private let streamCounter: ManagedAtomic<Int>
    /// The proxies' numbers (HAProxy's `iid`), by name.
    public let proxyIDs: [String: Int]

    /// The number of a new stream, from 0.
    func nextStreamNumber() -> Int {
        streamCounter.loadThenWrappingIncrement(ordering: .relaxed)
    }

    /// Client sessions open now, for the runtime API (`show sess`, `shutdown session`).
    public let sessions: SessionRegistry
    let helloParser: ClientHelloParser
    /// The `proc` variables, shared by every connection (and set first by `global` `set-var`).
    public let processVariables: ProcessVariables
    /// The largest inspect buffer (`tune.bufsize`).
    let bufferSize: Int
    /// Set once the server is shutting down: nothing new is scheduled on the event loops.
    let isStopping: ManagedAtomic<Bool>
    /// Listeners that stopped accepting because a `maxconn` was reached.
    let pausedListeners: ManagedAtomic<Int>
    /// Starts the checks of a server that an operator enabled and whose checks never ran (it was
    /// `disabled` in the configuration). Set while the server runs, cleared when it stops.
    let lateHealthCheckStarter: NIOLockedValueBox<(@Sendable (ServerRuntime, BackendRuntime) -> Void)?>

    func startLateHealthChecks(_ server: ServerRuntime, _ backend: BackendRuntime) {
        lateHealthCheckStarter.withLockedValue { $0 }?(server, backend)
    }

    /// Sets whether the listeners accept (false: they stop reading their sockets; the kernel
    /// queues new connections). Set by the server while it runs.
    let listenerControl: NIOLockedValueBox<(@Sendable (_ accepting: Bool) -> Void)?>
    /// What `listenerControl` last asked for: a listener that paused itself (out of descriptors)
    /// resumes only if the listeners are meant to accept.
    let listenersAccepting: ManagedAtomic<Bool>
    /// What `show peers` prints, and the sessions' counts (identified, established), per `peers`
    /// section at work (set by the server once started).
    let peersStatus: NIOLockedValueBox<[(section: String, text: NIOLockedValueBox<String>, counts: NIOLockedValueBox<(active: Int, connected: Int)>)]>

    /// `ActivePeers` and `ConnectedPeers`: peer sessions whose peer is known, and those established.
    var peerSessionCounts: (active: Int, connected: Int) {
        peersStatus.withLockedValue { $0 }.reduce((0, 0)) { total, section in
            let counts = section.counts.withLockedValue { $0 }
            return (total.0 + counts.active, total.1 + counts.connected)
        }
    }
    /// Set once the listeners are closed for good (a soft stop).
    let listenersStopped: ManagedAtomic<Bool>

    /// A new process takes the listening sockets over (`-x`): this one stops accepting from them
    /// before they are sent, so that only one process accepts at a time (two would both be woken
    /// for each connection). Connections wait in the kernel's queue meanwhile, none is refused.
    /// The new process then tells this one to finish (`-sf`); if it does not within ten seconds
    /// (it failed to start), accepting resumes.
    func pauseListenersForHandOver() {
        guard let control = listenerControl.withLockedValue({ $0 }) else { return }
        control(false)
        DispatchQueue.global().asyncAfter(deadline: .now() + 10) { [self] in
            if !listenersStopped.load(ordering: .relaxed) { control(true) }
        }
    }

    /// Resumes paused listeners, each on its own event loop.
    /// Keyed by a token so that a listener closed by a reload takes its own away.
    private let acceptWakers: NIOLockedValueBox<[UInt64: @Sendable () -> Void]>
    private let nextWakerToken: ManagedAtomic<UInt64>

    /// - Parameter previous: the configuration this one replaces in a running process (a reload in
    ///   place). What belongs to the process rather than to a configuration is shared with it: the
    ///   connection counts and `maxconn` slots, process counters, the session registry, `proc`
    ///   variables (unless `global` sets them differently now), and the state of each frontend,
    ///   backend and server that keeps its name (see their initialisers).
    init(table: RoutingTable, log: LogDispatcher, logger: Logger, previous: ProxyRuntime? = nil) throws {
        self.table = table
        let global = table.configuration.global
        let proxyIDs = Self.numberProxies(table.configuration)
        self.proxyIDs = proxyIDs
        generation = (previous?.generation ?? 0) + 1
        let oldFrontends = Dictionary((previous?.frontends ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let oldBackends = Dictionary((previous?.backends ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.frontends = table.frontends.map {
            FrontendRuntime(routes: $0, global: global, id: proxyIDs[$0.proxy.name] ?? 0, previous: oldFrontends[$0.proxy.name])
        }
        let tlsCounters = previous?.tlsCounters ?? TLSCounters()
        self.tlsCounters = tlsCounters
        self.backends = try table.backends.map {
            try BackendRuntime(
                routes: $0, globalTLS: global.tls, tlsCounters: tlsCounters, id: proxyIDs[$0.proxy.name] ?? 0, previous: oldBackends[$0.proxy.name])
        }
        self.log = log
        self.logger = logger
        let oldGlobal = previous?.table.configuration.global
        // A limit changed at run time (`set maxconn global`) stays, unless the file now says otherwise.
        if let previous, oldGlobal?.maxconn == global.maxconn {
            maxConnectionsSetting = previous.maxConnectionsSetting
        } else {
            maxConnectionsSetting = ManagedAtomic(global.maxconn ?? 0)
        }
        self.bufferSize = global.bufferSize ?? 16_384
        self.helloParser = ClientHelloParser()
        if let previous, previous.table.initialProcessVariables.map(\.0) == table.initialProcessVariables.map(\.0),
            previous.table.initialProcessVariables.map({ "\($0.1)" }) == table.initialProcessVariables.map({ "\($0.1)" })
        {
            processVariables = previous.processVariables
        } else {
            processVariables = ProcessVariables(
                limits: global.variableLimits, maxValueBytes: global.bufferSize ?? 16_384, initial: table.initialProcessVariables
            )
        }
        activeConnections = previous?.activeConnections ?? ManagedAtomic(0)
        processCounters = previous?.processCounters ?? StatCounters()
        startedWallSeconds = previous?.startedWallSeconds ?? StatCounters.wallSeconds()
        streamCounter = previous?.streamCounter ?? ManagedAtomic(0)
        sessions = previous?.sessions ?? SessionRegistry()
        isStopping = previous?.isStopping ?? ManagedAtomic(false)
        pausedListeners = previous?.pausedListeners ?? ManagedAtomic(0)
        lateHealthCheckStarter = previous?.lateHealthCheckStarter ?? NIOLockedValueBox(nil)
        listenerControl = previous?.listenerControl ?? NIOLockedValueBox(nil)
        peersStatus = previous?.peersStatus ?? NIOLockedValueBox([])
        listenersStopped = previous?.listenersStopped ?? ManagedAtomic(false)
        listenersAccepting = previous?.listenersAccepting ?? ManagedAtomic(true)
        acceptWakers = previous?.acceptWakers ?? NIOLockedValueBox([:])
        nextWakerToken = previous?.nextWakerToken ?? ManagedAtomic(0)
    }

    /// HAProxy numbers proxies in the order they are declared (a `listen` once), from 1, or from 2
    /// when `stats socket` lines exist (their own internal proxy takes 1).
    static func numberProxies(_ configuration: Configuration) -> [String: Int] {
        var ids: [String: Int] = [:]
        var next = configuration.global.runtimeAPI.sockets.isEmpty ? 1 : 2
        for proxy in configuration.proxies where ids[proxy.name] == nil {
            ids[proxy.name] = next
            next += 1
        }
        return ids
    }

    /// Whether a new connection on `frontend` must wait for a slot (`maxconn`).
    func isFull(_ frontend: FrontendRuntime) -> Bool {
        (maxConnections > 0 && activeConnections.load(ordering: .sequentiallyConsistent) >= maxConnections)
            || (frontend.maxConnections > 0 && frontend.activeConnections.load(ordering: .sequentiallyConsistent) >= frontend.maxConnections)
    }

    /// A connection was accepted on `frontend`; its session gives the counts back when it ends.
    func accepted(on frontend: FrontendRuntime) {
        activeConnections.wrappingIncrement(ordering: .sequentiallyConsistent)
        let current = frontend.activeConnections.wrappingIncrementThenLoad(ordering: .sequentiallyConsistent)
        let counters = frontend.counters
        counters.add(.sessions)
        counters.add(.connections)
        let second = FrequencyCounter.currentSecond()
        counters.tick(.sessions, now: second)
        counters.tick(.connections, now: second)
        counters.notePeak(.sessions, current)
        processCounters.add(.connections)
        processCounters.tick(.connections, now: second)
    }

    /// Gives back what `accepted(on:)` counted.
    func released(from frontend: FrontendRuntime) {
        activeConnections.wrappingDecrement(ordering: .sequentiallyConsistent)
        frontend.activeConnections.wrappingDecrement(ordering: .sequentiallyConsistent)
        connectionClosed()
    }

    /// Registers a paused listener's waker; returns the token that removes it when the listener closes.
    func addAcceptWaker(_ waker: @escaping @Sendable () -> Void) -> UInt64 {
        let token = nextWakerToken.wrappingIncrementThenLoad(ordering: .relaxed)
        acceptWakers.withLockedValue { $0[token] = waker }
        return token
    }

    func removeAcceptWaker(_ token: UInt64) {
        _ = acceptWakers.withLockedValue { $0.removeValue(forKey: token) }
    }

    /// A connection ended: paused listeners may accept again.
    func connectionClosed() {
        guard pausedListeners.load(ordering: .sequentiallyConsistent) > 0 else { return }
        for waker in acceptWakers.withLockedValue({ $0.values }) { waker() }
    }

    /// The `log` targets in the global section.
    var globalLogTargets: [LogTarget] { table.configuration.global.logTargets }

    /// Every log target that any part of the configuration uses.
    var allLogTargets: [LogTarget] {
        globalLogTargets + frontends.flatMap(\.logTargets) + backends.flatMap { $0.routes.proxy.effectiveLogTargets(global: table.configuration.global) }
    }

    /// Logs a process event (server state changes…) the way HAProxy does: to the backend's log
    /// targets (or the global ones) and to the process logger.
    func event(_ message: String, level: SyslogLevel, backend: BackendRuntime?) {
        let targets = backend?.routes.proxy.effectiveLogTargets(global: table.configuration.global) ?? globalLogTargets
        event(message, level: level, targets: targets, scope: backend?.name ?? "")
    }

    /// Logs a listener's event (accepting paused for want of descriptors…) to the frontend's log
    /// targets (or the global ones) and to the process logger.
    func event(_ message: String, level: SyslogLevel, frontend: FrontendRuntime) {
        event(message, level: level, targets: frontend.logTargets, scope: frontend.name)
    }

    private func event(_ message: String, level: SyslogLevel, targets: [LogTarget], scope: String) {
        log.log(message, level: level, to: targets.isEmpty ? globalLogTargets : targets, scope: scope)
        switch level {
        case .emerg, .alert, .crit, .err: logger.error("\(message)")
        case .warning: logger.warning("\(message)")
        case .notice: logger.notice("\(message)")
        default: logger.info("\(message)")
        }
    }
}
