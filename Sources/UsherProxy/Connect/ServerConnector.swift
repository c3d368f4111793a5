import Logging
import NIOCore
import NIOPosix
import UsherConfig
import UsherRouting

/// Gets one client's request or connection to a server of a backend: balances (or takes the forced
/// server), waits in the backend queue under `timeout queue`, connects under `timeout connect`,
/// retries, and redispatches to another server with `option redispatch`. What it spent doing so
/// (queue and connect times, retries) is kept for the log line.
///
/// To a server with `ssl`, the connection is made once its TLS handshake is also done, within the
/// same `timeout connect`: a handshake that fails is a connection that failed (retried, then `SC`
/// and a 503 in HTTP), one that runs out of time a connection that timed out (`sC`).
///
/// Lives on one event loop; the server slot it reserves is given back with `releaseSlot()`.
final class ServerConnector {
    enum Failure: Error {
        /// No server is usable (all down, or none declared).
        case noServer
        /// `timeout queue` expired before a slot freed up.
        case queueTimeout
        /// The server persistence chose is full and so is its queue (`maxqueue`), without `option
        /// redispatch` to go elsewhere.
        case queueFull
        /// Every attempt failed; `timedOut` when the last one hit `timeout connect`.
        case connectFailed(timedOut: Bool)
    }

    let backend: BackendRuntime
    private let eventLoop: EventLoop
    private let connectTimeout: Duration?
    private let queueTimeout: Duration?
    private let destinationPort: Int
    /// The address the client connected to: a server at 0.0.0.0 is reached there.
    private let destinationAddress: IPAddress?
    private let balanceKey: BalanceKey
    private let started: NIODeadline
    private let logger: Logger

    /// The server chosen last; its slot is held until `releaseSlot()`.
    private(set) var server: ServerRuntime?
    private var holdsSlot = false
    private(set) var queueMilliseconds = -1
    private(set) var connectMilliseconds = -1
    private(set) var retries = 0
    private(set) var redispatched = false
    /// The client's session in the runtime API's registry: told which server it was given.
    var liveSession: LiveSession?
    /// What the servers' `sni` expressions are evaluated on (the connection and its first bytes, or
    /// the HTTP request); set only when the backend has such expressions.
    var serverNameContext: SampleContext?
    /// The SNI sent on the connection made (nil: none, or not TLS). An HTTP session reuses the
    /// connection only for requests that would send the same.
    private(set) var serverName: String?

    private var completion: ((Result<Channel, Failure>) -> Void)?
    private var retriesLeft: Int
    private var queueTicket: UInt64?
    private var queueTimer: Scheduled<Void>?
    private var queueEntered: NIODeadline?
    private var connectStarted: NIODeadline?
    private var cancelled = false
    /// Counts attempts, so that the end of an abandoned attempt's handshake is recognised.
    private var attemptNumber = 0
    /// A connection whose TLS handshake is under way.
    private var handshaking: Channel?

    /// - Parameters:
    ///   - balanceKey: what hash-based balancing (`source`, `uri`…) uses for this client.
    ///   - started: when the client's request began, for the queue time of the log line.
    init(
        backend: BackendRuntime, eventLoop: EventLoop, timeouts: Timeouts, destinationPort: Int, destinationAddress: IPAddress? = nil,
        balanceKey: BalanceKey, started: NIODeadline, logger: Logger
    ) {
        self.destinationAddress = destinationAddress
        self.logger = logger
        self.backend = backend
        self.eventLoop = eventLoop
        self.connectTimeout = timeouts.connect
        self.queueTimeout = timeouts.queue
        self.destinationPort = destinationPort
        self.balanceKey = balanceKey
        self.started = started
        self.retriesLeft = backend.retries
    }

    /// Chooses a server and connects. `forced` (from `use-server` or a persistence cookie) is
    /// tried first; when it is down the backend balances instead. The channel comes back with
    /// auto-read off and no handler: the caller installs its own.
    func connect(forced: Int?, completion: @escaping (Result<Channel, Failure>) -> Void) {
        self.completion = completion
        choose(forced: forced, excluding: nil)
    }

    /// Reserves a slot on `index` for a request that reuses an open connection to it. False when
    /// the server is down or full: the caller then connects anew.
    /// A draining server keeps only persistent clients: others are balanced anew.
    func reserveForReuse(_ index: Int, persistent: Bool = false) -> Bool {
        guard persistent || backend.servers[index].admin != .drain else { return false }
        guard case .server = backend.reserve(specific: index) else { return false }
        server = backend.servers[index]
        liveSession?.attach(backend.servers[index])
        holdsSlot = true
        queueMilliseconds = 0
        connectMilliseconds = 0
        backend.counters.add(.reusedConnections)
        backend.servers[index].counters.add(.reusedConnections)
        return true
    }

    /// Waiting in the backend's queue for a slot.
    var isQueued: Bool { queueTicket != nil }

    /// The client left: stop waiting, drop any connection that completes later, give back the slot.
    func cancel() {
        cancelled = true
        completion = nil
        handshaking?.close(promise: nil)
        handshaking = nil
        queueTimer?.cancel()
        if let ticket = queueTicket {
            queueTicket = nil
            _ = backend.cancelWait(ticket)
        }
        releaseSlot()
    }

    /// Gives back the server slot, once.
    func releaseSlot() {
        if holdsSlot, let server {
            holdsSlot = false
            backend.release(server.index)
        }
    }

    private func choose(forced: Int?, excluding excluded: Int?) {
        var decision: BalanceDecision
        if let forced {
            decision = backend.reserve(specific: forced)
            if decision == .noServer { decision = backend.choose(key: balanceKey, excluding: excluded) }
            // A full server chosen by persistence: the connection waits for that one.
            if decision == .queue {
                apply(decision, excluding: excluded, waitingFor: forced)
                return
            }
        } else {
            decision = backend.choose(key: balanceKey, excluding: excluded)
        }
        apply(decision, excluding: excluded)
    }

    private func apply(_ decision: BalanceDecision, excluding excluded: Int?, waitingFor persistent: Int? = nil) {
        switch decision {
        case .server(let index):
            if let entered = queueEntered {
                queueMilliseconds = Self.milliseconds(since: entered)
                queueEntered = nil
            } else if queueMilliseconds < 0 {
                queueMilliseconds = Self.milliseconds(since: started)
            }
            server = backend.servers[index]
            holdsSlot = true
            liveSession?.attach(backend.servers[index])
            attempt()
        case .noServer:
            finish(.failure(.noServer))
        case .queue:
            queueEntered = .now()
            let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
            let eventLoop = self.eventLoop
            let backend = self.backend
            let ticket = backend.enqueue(excluding: excluded, key: balanceKey, server: persistent) { decision in
                eventLoop.execute {
                    let connector = loopBound.value
                    connector.queueTicket = nil
                    connector.queueTimer?.cancel()
                    guard !connector.cancelled else {
                        if case .server(let index) = decision { backend.release(index) }
                        return
                    }
                    connector.apply(decision, excluding: excluded)
                }
            }
            guard let ticket else {
                // The server's queue is full (`maxqueue`): elsewhere with `option redispatch`, else a failure.
                queueEntered = nil
                if backend.redispatches {
                    redispatched = true
                    apply(backend.choose(key: balanceKey, excluding: persistent), excluding: persistent)
                } else {
                    finish(.failure(.queueFull))
                }
                return
            }
            queueTicket = ticket
            let limit = queueTimeout ?? connectTimeout ?? .seconds(60)
            queueTimer = eventLoop.scheduleTask(in: .milliseconds(limit.milliseconds)) {
                let connector = loopBound.value
                guard let ticket = connector.queueTicket, backend.cancelWait(ticket) else { return }
                connector.queueTicket = nil
                connector.finish(.failure(.queueTimeout))
            }
        }
    }

    private func attempt() {
        guard let server else { return }
        // Tc covers every attempt, retries and their pauses included, as HAProxy counts it.
        if connectStarted == nil { connectStarted = .now() }
        let address = server.connectAddress(clientDestinationPort: destinationPort, clientDestination: destinationAddress)
        let timeout = connectTimeout.map { TimeAmount.milliseconds(max(1, $0.milliseconds)) } ?? .seconds(60)
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let keepAlive = backend.serverKeepAlive
        let tls = server.trafficTLS
        let serverName = tls == nil ? nil : evaluateServerName(server.index)
        self.serverName = serverName
        attemptNumber += 1
        let attempt = attemptNumber
        // The handshake gets what the TCP connection left of `timeout connect`.
        let deadline = NIODeadline.now() + timeout
        ClientBootstrap(group: eventLoop)
            .channelInitializer { channel in
                // Set directly rather than as bootstrap options, which cost a future each.
                channel.eventLoop.makeCompletedFuture {
                    try channel.configureProxiedSocket(keepAlive: keepAlive, autoRead: false, noDelay: false)
                    try tls?.addHandlers(to: channel, serverName: serverName, forCheck: false, deadline: deadline) { result in
                        loopBound.value.handshakeFinished(result, channel: channel, attempt: attempt)
                    }
                }
            }
            .connectTimeout(timeout)
            .connect(to: address)
            .whenComplete { result in
                let connector = loopBound.value
                switch result {
                case .success(let channel):
                    guard !connector.cancelled else {
                        channel.close(promise: nil)
                        return
                    }
                    if tls != nil {
                        connector.handshaking = channel
                    } else {
                        connector.connected(channel)
                    }
                case .failure(let error):
                    connector.attemptFailed(error)
                }
            }
    }

    /// The server's `sni` for this client or request, nil without one.
    private func evaluateServerName(_ index: Int) -> String? {
        guard var context = serverNameContext else { return nil }
        return backend.routes.serverName(index, &context)
    }

    private func handshakeFinished(_ result: Result<Void, ServerTLSHandshakeError>, channel: Channel, attempt: Int) {
        // Only the current attempt's connection, once connected, is waited for.
        guard attempt == attemptNumber, handshaking === channel else { return }
        handshaking = nil
        guard !cancelled else {
            channel.close(promise: nil)
            return
        }
        switch result {
        case .success:
            backend.tlsCounters.serverHandshakeCompleted()
            connected(channel)
        case .failure(let error):
            attemptFailed(error)
        }
    }

    private func connected(_ channel: Channel) {
        if let started = connectStarted {
            connectMilliseconds = Self.milliseconds(since: started)
        }
        backend.counters.add(.newConnections)
        server?.counters.add(.newConnections)
        server?.observe(success: true)
        finish(.success(channel))
    }

    private func attemptFailed(_ error: Error) {
        guard !cancelled, let server else { return }
        logger.debug("connection to \(server.qualifiedName) failed: \(error)")
        server.observe(success: false)
        let timedOut: Bool
        if case ChannelError.connectTimeout = error {
            timedOut = true
        } else {
            timedOut = (error as? ServerTLSHandshakeError)?.isTimeout ?? false
        }
        guard retriesLeft > 0 else {
            finish(.failure(.connectFailed(timedOut: timedOut)))
            return
        }
        retriesLeft -= 1
        retries += 1
        // With `option redispatch` the last retry goes to another server if there is one, and so
        // does any retry once the server has been marked down. A refused connection to the same
        // server is retried after min(timeout connect, 1s), so a restarting server gets a moment;
        // a timeout already waited, and a switch to another server need not wait.
        let redispatch = backend.redispatches && (retriesLeft == 0 || !server.isUp)
        let pause: TimeAmount = timedOut || redispatch ? .zero : .milliseconds(min(1000, max(1, (connectTimeout ?? .seconds(1)).milliseconds)))
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: pause) {
            let connector = loopBound.value
            guard !connector.cancelled else { return }
            if redispatch {
                connector.redispatched = true
                let failed = server.index
                connector.releaseSlot()
                connector.choose(forced: nil, excluding: failed)
            } else {
                connector.attempt()
            }
        }
    }

    private func finish(_ result: Result<Channel, Failure>) {
        let completion = self.completion
        self.completion = nil
        completion?(result)
    }

    static func milliseconds(since start: NIODeadline) -> Int {
        Int((NIODeadline.now() - start).nanoseconds / 1_000_000)
    }
}

@available(*, unavailable)
extension ServerConnector: Sendable {}

extension ServerConnector.Failure {
    /// How the log line's termination state tells this failure.
    var termination: TerminationState {
        switch self {
        case .noServer: return TerminationState(.serverAbort, .connect)
        case .queueTimeout: return TerminationState(.serverTimeout, .queue)
        case .queueFull: return TerminationState(.serverAbort, .queue)
        case .connectFailed(let timedOut): return TerminationState(timedOut ? .serverTimeout : .serverAbort, .connect)
        }
    }
}
