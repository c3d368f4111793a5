import NIOCore
import UsherConfig
import UsherRouting
import UsherSession

/// One client connection through a TCP-mode frontend, from accept to close: what the log line needs,
/// the server slot it holds, and the inactivity timer. Lives on the client channel's event loop; both
/// halves of the tunnel report to it.
final class TCPSession: VariableStorage {
    typealias Side = TunnelStateMachine.Side

    let runtime: ProxyRuntime
    let frontend: FrontendRuntime
    let eventLoop: EventLoop
    var connection: ConnectionInfo
    let acceptWallMicroseconds: Int64
    let acceptTime: NIODeadline

    var backend: BackendRuntime? {
        didSet { timeouts = frontend.timeouts(with: backend) }
    }
    /// Finds and connects the server; holds its slot until `finish()`.
    var connector: ServerConnector?
    var server: ServerRuntime? { connector?.server }
    var bytesFromClient = 0
    var bytesToClient = 0
    var termination = TerminationState.normal
    var clientChannel: Channel?
    /// The listening socket's own counters (`option socket-stats`).
    var listener: ListenerStats?
    var serverChannel: Channel?

    /// Closed without a log line (a `tcp-request connection reject`, as HAProxy does).
    var isSilent = false
    /// The connection's variables: `sess` from accept, `txn`/`req` once the content rules run.
    var sessionVariables: SessionVariables
    /// The connection's stick counters; nil when the configuration has no stick table.
    let stickCounters: StickCounters?
    /// Keys `stick store-request` rules keep once the server is connected.
    var stickStores: [StickPersistence.PendingStore] = []
    /// Logged once connected (`option logasap`): not again at the end.
    var isLoggedEarly = false
    /// The stream's number in the process (`%rt`) and its unique ID (`unique-id-format`).
    let streamNumber: Int
    var uniqueID: String?

    // Inactivity, per side: a side's timer runs while usher waits on that side (it may still send,
    // or bytes for it are held up), and restarts on its activity. One scheduled task serves both.
    private var lastClientActivity: NIODeadline
    private var lastServerActivity: NIODeadline
    private var idleTask: Scheduled<Void>?
    /// The half-closes seen, and from them the limits in force on each side.
    private var tunnel = TunnelStateMachine()
    private var finished = false

    init(runtime: ProxyRuntime, frontend: FrontendRuntime, eventLoop: EventLoop, connection: ConnectionInfo) {
        self.runtime = runtime
        self.frontend = frontend
        self.eventLoop = eventLoop
        self.connection = connection
        self.acceptWallMicroseconds = LogClock.wallMicroseconds()
        self.acceptTime = .now()
        self.timeouts = frontend.timeouts(with: nil)
        self.lastClientActivity = acceptTime
        self.lastServerActivity = acceptTime
        self.sessionVariables = SessionVariables(process: runtime.processVariables)
        self.stickCounters = runtime.table.stickTables.ordered.isEmpty ? nil : StickCounters()
        self.streamNumber = runtime.nextStreamNumber()
    }

    /// The stream as fetches see it: the frontend, and the backend and server once chosen.
    func streamFacts() -> StreamFacts {
        var facts = StreamFacts(frontendName: frontend.name, frontendID: frontend.id, streamNumber: streamNumber)
        facts.frontendIsTLS = connection.tls != nil
        facts.uniqueID = uniqueID
        facts.uniqueIDIsSet = uniqueID != nil
        if let backend {
            facts.backendName = backend.name
            facts.backendID = backend.id
        }
        if let server {
            facts.serverName = server.name
            facts.serverID = server.identifier
        }
        return facts
    }

    /// The timeouts in force: client-side ones from the frontend, server-side ones from the
    /// backend once it is chosen.
    private(set) var timeouts: Timeouts

    var elapsedMilliseconds: Int {
        Int((NIODeadline.now() - acceptTime).nanoseconds / 1_000_000)
    }

    // MARK: - Tunnel phase

    /// Bytes came in from either side. They go out to the other side at once, so both count as active
    /// (HAProxy refreshes both directions' timers on progress, unless told otherwise).
    @inline(__always)
    func noteRead() {
        let now = NIODeadline.now()
        lastClientActivity = now
        lastServerActivity = now
    }

    /// `side`'s socket took more of what was held up for it: it is alive, if slow.
    func noteWritable(_ side: Side) {
        switch side {
        case .client: lastClientActivity = .now()
        case .server: lastServerActivity = .now()
        }
    }

    /// A socket filled up or drained: after a FIN, that decides whether its side is waited on.
    func writabilityChanged() {
        if tunnel.clientInputClosed || tunnel.serverInputClosed { scheduleIdleCheck() }
    }

    /// The tunnel is up (`machine`: its state as the session's set-up left it, a client FIN
    /// included): its inactivity timers start.
    func startTunnel(_ machine: TunnelStateMachine) {
        tunnel = machine
        scheduleIdleCheck()
    }

    /// The earliest inactivity deadline in force, and its side (see `TunnelStateMachine.idleLimit`):
    /// a side is waited on while it may still send, or while bytes for it are held up.
    private func nextDeadline() -> (NIODeadline, Side)? {
        let sockets = TunnelStateMachine.Sockets(
            clientWritable: clientChannel?.isWritable ?? true, serverWritable: serverChannel?.isWritable ?? true
        )
        return tunnel.deadline(sockets, timeouts: timeouts, lastClientActivity: lastClientActivity, lastServerActivity: lastServerActivity)
    }

    private func scheduleIdleCheck() {
        idleTask?.cancel()
        idleTask = nil
        guard !finished, !runtime.isStopping.load(ordering: .relaxed) else { return }
        guard let (next, _) = nextDeadline() else { return }
        idleTask = eventLoop.assumeIsolated().scheduleTask(deadline: next) { [self] in
            self.idleCheck()
        }
    }

    private func idleCheck() {
        guard !finished else { return }
        guard let (deadline, expired) = nextDeadline(), deadline <= .now() else {
            scheduleIdleCheck()
            return
        }
        // As HAProxy: a timeout on either side ends the whole session.
        if termination == .normal {
            termination = TerminationState(expired == .client ? .clientTimeout : .serverTimeout, .data)
        }
        clientChannel?.close(promise: nil)
        serverChannel?.close(promise: nil)
    }

    /// One side sent its FIN; the `-fin` timeouts may now apply.
    func inputClosed(_ side: Side) {
        // The glue handlers pass the FIN across themselves; what changes here is the limits.
        _ = tunnel.inputClosed(side)
        scheduleIdleCheck()
    }

    /// A side failed (reset, error) before a normal close.
    func failed(_ side: Side) {
        guard termination == .normal else { return }
        termination = TerminationState(side == .client ? .clientAbort : .serverAbort, .data)
    }

    // MARK: - End

    /// Counted in `ProxyRuntime.accepted(on:)` when the connection was accepted; given back here.
    /// Called once both channels are gone (or the client left before any server was reached).
    func finish() {
        guard !finished else { return }
        finished = true
        idleTask?.cancel()
        idleTask = nil
        if let backend {
            backend.activeConnections.wrappingDecrement(ordering: .relaxed)
            connector?.cancel()
        }
        countSession()
        logSession()
        if let stickCounters {
            stickCounters.countBytes(in: UInt64(bytesFromClient), out: UInt64(bytesToClient))
            stickCounters.endSession()
        }
        sessionVariables.endSession()
        runtime.released(from: frontend)
    }

    private func countSession() {
        frontend.counters.add(.bytesIn, bytesFromClient)
        frontend.counters.add(.bytesOut, bytesToClient)
        if let listener {
            listener.counters.add(.bytesIn, bytesFromClient)
            listener.counters.add(.bytesOut, bytesToClient)
            listener.sessionEnded()
        }
        guard let backend else { return }
        let total = elapsedMilliseconds
        func countEnd(_ counters: StatCounters) {
            StatAccounting.countEnd(
                counters, bytesIn: bytesFromClient, bytesOut: bytesToClient, termination: termination, connector: connector,
                responseMilliseconds: -1, totalMilliseconds: total, badResponse: false
            )
        }
        countEnd(backend.counters)
        if let server { countEnd(server.counters) }
    }

    /// Logs the session: at its end, or `early`, once its server is connected (`option logasap`).
    func logSession(early: Bool = false) {
        guard frontend.logsSessions, !isSilent, !isLoggedEarly else { return }
        isLoggedEarly = early
        if !early && frontend.dontLogNull && bytesFromClient == 0 && termination.cause != .proxy { return }
        guard let level = logLevel else { return }
        var record = TCPLogRecord(
            clientAddress: connection.loggedSource.address, clientPort: connection.loggedSource.port,
            acceptDate: LogClock.timestamp(wallMicroseconds: acceptWallMicroseconds), frontend: frontend.name,
            backend: backend?.name ?? frontend.name, server: server?.name ?? "<NOSRV>",
            queueTime: connector?.queueMilliseconds ?? -1, connectTime: connector?.connectMilliseconds ?? -1, totalTime: elapsedMilliseconds,
            bytesToClient: bytesToClient, termination: termination,
            activeConnections: runtime.activeConnections.load(ordering: .relaxed),
            frontendConnections: frontend.activeConnections.load(ordering: .relaxed),
            // As HAProxy logs them: this session no longer counts against its backend and server.
            backendConnections: backend?.activeConnections.load(ordering: .relaxed) ?? 0,
            serverConnections: server?.currentConnections ?? 0,
            retries: connector?.retries ?? 0, redispatched: connector?.redispatched ?? false, serverQueue: 0, backendQueue: backend?.queueLength ?? 0
        )
        record.isEarly = early
        runtime.log.log(logLine(record), level: level, to: frontend.logTargets, scope: frontend.name)
    }
}

@available(*, unavailable)
extension TCPSession: Sendable {}
