import NIOCore
import UsherConfig
import UsherRouting

/// One client connection through a TCP-mode frontend, from accept to close: what the log line needs,
/// the server slot it holds, and the inactivity timer. Lives on the client channel's event loop; both
/// halves of the tunnel report to it.
final class TCPSession {
    enum Side {
        case client
        case server
    }

    let runtime: ProxyRuntime
    let frontend: FrontendRuntime
    let eventLoop: EventLoop
    var connection: ConnectionInfo
    let acceptWallMicroseconds: Int64
    let acceptTime: NIODeadline

    var backend: BackendRuntime?
    var server: ServerRuntime?
    /// The server slot is held and must be given back at the end.
    var holdsServerSlot = false
    var queueMilliseconds = -1
    var connectMilliseconds = -1
    var bytesFromClient = 0
    var bytesToClient = 0
    var retries = 0
    var redispatched = false
    var termination = TerminationState.normal
    var clientChannel: Channel?
    var serverChannel: Channel?

    // Inactivity: one timer, checked against the last activity when it fires.
    private var lastActivity: NIODeadline
    private var idleTask: Scheduled<Void>?
    private var clientInputClosed = false
    private var serverInputClosed = false
    private var finished = false

    init(runtime: ProxyRuntime, frontend: FrontendRuntime, eventLoop: EventLoop, connection: ConnectionInfo) {
        self.runtime = runtime
        self.frontend = frontend
        self.eventLoop = eventLoop
        self.connection = connection
        self.acceptWallMicroseconds = LogClock.wallMicroseconds()
        self.acceptTime = .now()
        self.lastActivity = acceptTime
        runtime.activeConnections.wrappingIncrement(ordering: .relaxed)
        frontend.activeConnections.wrappingIncrement(ordering: .relaxed)
    }

    var timeouts: Timeouts {
        var merged = frontend.settings.timeouts
        if let backend {
            // Server-side timeouts come from the backend, client-side ones from the frontend.
            let server = backend.routes.proxy.settings.timeouts
            merged.server = server.server
            merged.connect = server.connect
            merged.queue = server.queue
            merged.tunnel = server.tunnel
            merged.serverFin = server.serverFin
        }
        return merged
    }

    var elapsedMilliseconds: Int {
        Int((NIODeadline.now() - acceptTime).nanoseconds / 1_000_000)
    }

    // MARK: - Tunnel phase

    /// Data moved on `side`; the inactivity timer counts from now.
    @inline(__always)
    func noteActivity() {
        lastActivity = .now()
    }

    /// Starts the inactivity timer for the tunnel phase.
    func startTunnelTimer() {
        scheduleIdleCheck()
    }

    /// The inactivity limit now in force, and which side is blamed when it expires.
    private var idleLimit: (TimeAmount, TerminationState.Cause)? {
        let t = timeouts
        var limits: [(Duration, TerminationState.Cause)] = []
        if let tunnel = t.tunnel {
            limits.append((tunnel, .clientTimeout))
        } else {
            if let client = clientInputClosed ? (t.clientFin ?? t.client) : t.client { limits.append((client, .clientTimeout)) }
            if let server = serverInputClosed ? (t.serverFin ?? t.server) : t.server { limits.append((server, .serverTimeout)) }
        }
        if clientInputClosed, let fin = t.clientFin { limits.append((fin, .clientTimeout)) }
        if serverInputClosed, let fin = t.serverFin { limits.append((fin, .serverTimeout)) }
        guard let shortest = limits.min(by: { $0.0 < $1.0 }) else { return nil }
        return (.milliseconds(max(1, shortest.0.milliseconds)), shortest.1)
    }

    private func scheduleIdleCheck() {
        idleTask?.cancel()
        guard !runtime.isStopping.load(ordering: .relaxed), let (limit, _) = idleLimit else { return }
        let deadline = lastActivity + limit
        idleTask = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            self.idleCheck()
        }
    }

    private func idleCheck() {
        guard !finished, let (limit, cause) = idleLimit else { return }
        if NIODeadline.now() >= lastActivity + limit {
            if termination == .normal { termination = TerminationState(cause, .data) }
            clientChannel?.close(promise: nil)
            serverChannel?.close(promise: nil)
        } else {
            scheduleIdleCheck()
        }
    }

    /// One side sent its FIN; the `-fin` timeouts may now apply.
    func inputClosed(_ side: Side) {
        switch side {
        case .client: clientInputClosed = true
        case .server: serverInputClosed = true
        }
        scheduleIdleCheck()
    }

    /// A side failed (reset, error) before a normal close.
    func failed(_ side: Side) {
        guard termination == .normal else { return }
        termination = TerminationState(side == .client ? .clientAbort : .serverAbort, .data)
    }

    // MARK: - End

    /// Called once both channels are gone (or the client left before any server was reached).
    func finish() {
        guard !finished else { return }
        finished = true
        idleTask?.cancel()
        idleTask = nil
        runtime.activeConnections.wrappingDecrement(ordering: .relaxed)
        frontend.activeConnections.wrappingDecrement(ordering: .relaxed)
        if let backend {
            backend.activeConnections.wrappingDecrement(ordering: .relaxed)
            if holdsServerSlot, let server {
                holdsServerSlot = false
                backend.release(server.index)
            }
        }
        logSession()
        runtime.connectionClosed()
    }

    private func logSession() {
        guard frontend.logsSessions else { return }
        if frontend.dontLogNull && bytesFromClient == 0 && termination.cause != .proxy { return }
        let record = TCPLogRecord(
            clientAddress: connection.source?.description ?? "-", clientPort: connection.sourcePort,
            acceptDate: LogClock.timestamp(wallMicroseconds: acceptWallMicroseconds), frontend: frontend.name,
            backend: backend?.name ?? frontend.name, server: server?.name ?? "<NOSRV>",
            queueTime: queueMilliseconds, connectTime: connectMilliseconds, totalTime: elapsedMilliseconds,
            bytesToClient: bytesToClient, termination: termination,
            activeConnections: runtime.activeConnections.load(ordering: .relaxed) + 1,
            frontendConnections: frontend.activeConnections.load(ordering: .relaxed) + 1,
            // As HAProxy logs them: this session no longer counts against its backend and server.
            backendConnections: backend?.activeConnections.load(ordering: .relaxed) ?? 0,
            serverConnections: server?.currentConnections ?? 0,
            retries: retries, redispatched: redispatched, serverQueue: 0, backendQueue: backend?.queueLength ?? 0
        )
        runtime.log.log(record.line, level: .info, to: frontend.logTargets)
    }
}

@available(*, unavailable)
extension TCPSession: Sendable {}
