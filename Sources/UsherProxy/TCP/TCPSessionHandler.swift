import NIOCore
import NIOTLS
import NIOPosix
import UsherConfig
import UsherRouting
import UsherSession

/// Runs a TCP-mode connection from accept until the tunnel is up: reads the PROXY header if the bind
/// asks for one, applies `tcp-request` rules (waiting up to `inspect-delay` for bytes a rule needs),
/// chooses the backend and the server, connects with retries and redispatch, then hands the
/// connection over to a pair of `GlueHandler`s and leaves the pipeline.
final class TCPSessionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let runtime: ProxyRuntime
    private let frontend: FrontendRuntime
    private let acceptProxy: Bool
    /// The listener's id when it is a UNIX-domain socket (clients there have no IP address).
    private let unixListenerID: Int?
    private let listener: ListenerStats?
    /// The phase (setting up, inspecting, connecting, forwarding, closed) and what events mean in it.
    private var state: TCPSessionStateMachine
    private var session: TCPSession?
    private var context: ChannelHandlerContext?
    /// Client bytes received before the tunnel is up; sent to the server first.
    private var buffer: ByteBuffer
    private var inspectTimer: Scheduled<Void>?
    private var clientClosed = false
    private let terminatesTLS: Bool
    /// This connection in the runtime API's session registry.
    private var liveSession: LiveSession?

    init(
        runtime: ProxyRuntime, frontend: FrontendRuntime, acceptProxy: Bool, terminatesTLS: Bool = false, unixListenerID: Int? = nil,
        listener: ListenerStats? = nil
    ) {
        self.listener = listener
        self.runtime = runtime
        self.frontend = frontend
        self.acceptProxy = acceptProxy
        self.unixListenerID = unixListenerID
        self.state = TCPSessionStateMachine(acceptProxy: acceptProxy, handshake: terminatesTLS)
        self.terminatesTLS = terminatesTLS
        self.buffer = ByteBuffer()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // The context holds this handler: let go of it, or both would live forever.
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard session == nil else { return }
        // Each read of a channel's address may be a system call: once each.
        let remote = context.channel.remoteAddress
        let local = context.channel.localAddress
        let connection = ConnectionInfo(remote: remote, local: local, unixListenerID: unixListenerID)
        liveSession = runtime.sessions.open(channel: context.channel, frontendName: frontend.name, generation: runtime.generation)
        let session = TCPSession(runtime: runtime, frontend: frontend, eventLoop: context.eventLoop, connection: connection)
        session.clientChannel = context.channel
        session.listener = listener
        self.session = session
        buffer = context.channel.allocator.buffer(capacity: 0)
        // `tcp-request connection` rules run at once, on the real peer's address even behind
        // `accept-proxy`, as in HAProxy.
        var sample = SampleContext(connection: connection, payload: buffer, isFinal: true, helloParser: runtime.helloParser, variables: session)
        sample.stickCounters = session.stickCounters
        sample.stream = session.streamFacts()
        switch frontend.routes.evaluateConnectionRules(&sample) {
        case .accept, .waitForData:
            break
        case .reject:
            // HAProxy closes these silently, without a log line.
            session.termination = TerminationState(.proxy, .request)
            session.isSilent = true
            frontend.counters.add(.deniedConnections)
            listener?.counters.add(.deniedConnections)
            close(context: context)
            return
        case .silentDrop:
            // No log line either; HAProxy counts a silent drop as a denied request.
            session.termination = TerminationState(.proxy, .request)
            session.isSilent = true
            frontend.counters.add(.deniedRequests)
            listener?.counters.add(.deniedRequests)
            close(context: context, silently: true)
            return
        }
        if case .settingUp = state.phase,
            let (deadline, _) = state.deadline(from: .now(), handshakeLimit: frontend.handshakeLimit, inspectDelay: nil)
        {
            // The header, or the TLS handshake, must be done within `timeout client`.
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            inspectTimer = context.eventLoop.scheduleTask(deadline: deadline) {
                let handler = loopBound.value
                guard case .settingUp = handler.state.phase, let context = handler.context else { return }
                handler.session?.termination = TerminationState(.clientTimeout, .request)
                handler.close(context: context)
            }
        } else {
            afterProxyHeader(context: context)
        }
    }

    private func afterProxyHeader(context: ChannelHandlerContext) {
        inspectTimer?.cancel()
        inspectTimer = nil
        guard let session else { return }
        // `tcp-request session` rules: the connection is set up (PROXY header read, TLS done).
        // The stream starts here, as in HAProxy: its unique ID sees the client named by a PROXY header.
        session.assignUniqueID()
        var sample = SampleContext(connection: session.connection, payload: buffer, isFinal: true, helloParser: runtime.helloParser, variables: session)
        sample.stickCounters = session.stickCounters
        sample.stream = session.streamFacts()
        switch frontend.routes.evaluateSessionRules(&sample) {
        case .accept, .waitForData:
            break
        case .reject:
            // Without a log line, as HAProxy.
            session.termination = TerminationState(.proxy, .request)
            session.isSilent = true
            frontend.counters.add(.deniedSessions)
            listener?.counters.add(.deniedSessions)
            close(context: context)
            return
        case .silentDrop:
            session.termination = TerminationState(.proxy, .request)
            session.isSilent = true
            frontend.counters.add(.deniedRequests)
            listener?.counters.add(.deniedRequests)
            close(context: context, silently: true)
            return
        }
        // The layer 4 rules accepted the connection: it is a session for the tracked counters.
        session.stickCounters?.countSession()
        // The stream (HAProxy's) starts: its `txn` and `req` variables exist from here.
        session.sessionVariables.beginTransaction()
        state.sessionStarted()
        let delay = frontend.routes.needsInspection ? frontend.routes.inspectDelay : nil
        if let (deadline, _) = state.deadline(from: .now(), handshakeLimit: frontend.handshakeLimit, inspectDelay: delay) {
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            inspectTimer = context.eventLoop.scheduleTask(deadline: deadline) {
                loopBound.value.inspect(final: true)
            }
            inspect(final: false)
        } else {
            inspect(final: true)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        let action = state.bytesReceived(buffered: buffer.readableBytes + incoming.readableBytes, bufferSize: runtime.bufferSize)
        guard action != .pass else {
            // Forwarding: the glue handler after this one takes them. Closed: nobody does.
            if state.phase == .forwarding { context.fireChannelRead(data) }
            return
        }
        buffer.writeBuffer(&incoming)
        switch action {
        case .readProxyHeader:
            readProxyHeader(context: context)
        case .keep, .pass:
            // (While shaking hands the TLS library passes nothing on.)
            break
        case .inspect(let final):
            inspect(final: final)
        case .keepAndPause:
            pauseClientReading(context: context)
        }
    }

    private func readProxyHeader(context: ChannelHandlerContext) {
        switch ProxyProtocolParser.parse(buffer.readableBytesView) {
        case .needMoreData:
            return
        case .invalid(let reason):
            runtime.logger.debug("rejected connection on \(frontend.name): \(reason)")
            session?.termination = TerminationState(.proxy, .request)
            close(context: context)
        case .header(let header, let length):
            buffer.moveReaderIndex(forwardBy: length)
            buffer.discardReadBytes()
            if let header, let session { session.connection = ConnectionInfo(header) }
            if state.proxyHeaderRead() == .startSession { afterProxyHeader(context: context) }
        }
    }

    /// Evaluates the content rules on what has arrived. `final`: no more waiting.
    private func inspect(final: Bool) {
        guard state.phase == .inspecting, let context, let session else { return }
        var sample = SampleContext(
            connection: session.connection, payload: buffer, isFinal: final || clientClosed || state.clientInputClosed, helloParser: runtime.helloParser, variables: session
        )
        sample.stickCounters = session.stickCounters
        sample.stream = session.streamFacts()
        // HTTP fetches read the request bytes as an HTTP head, as in HAProxy's mode tcp.
        sample.readsHTTPFromPayload = true
        switch frontend.routes.evaluateContentRules(&sample) {
        case .waitForData:
            return
        case .reject:
            refuseRequest(context: context, silently: false, backend: nil)
        case .silentDrop:
            refuseRequest(context: context, silently: true, backend: nil)
        case .accept:
            inspectTimer?.cancel()
            inspectTimer = nil
            // Reading goes on while the server is connected, into `buffer`, until a buffer's worth
            // is held (see channelRead): a client's first request is usually already here, and
            // pausing and resuming would cost two option changes per connection.
            if buffer.readableBytes >= runtime.bufferSize { pauseClientReading(context: context) }
            sample.isFinal = true
            guard let backendIndex = frontend.routes.chooseBackend(&sample, backendsByName: runtime.table.backendsByName) else {
                session.termination = TerminationState(.proxy, .request)
                runtime.logger.debug("no backend for connection on \(frontend.name)")
                close(context: context)
                return
            }
            if runtime.backends[backendIndex].routes.proxy.mode == .http {
                upgradeToHTTP(context: context, backend: backendIndex)
                return
            }
            let backend = runtime.backends[backendIndex]
            session.backend = backend
            backend.sessionStarted()
            switch backend.routes.evaluateContentRules(&sample) {
            case .accept, .waitForData:
                break
            case .reject:
                refuseRequest(context: context, silently: false, backend: backend)
                return
            case .silentDrop:
                refuseRequest(context: context, silently: true, backend: backend)
                return
            }
            var forced = backend.routes.forcedServer(&sample)
            let persistence = backend.routes.stickPersistence
            if !persistence.isEmpty {
                let servers = backend.servers
                let decision = persistence.evaluateRequest(&sample, alreadyChosen: forced != nil, isUsable: { servers[$0].isUp })
                if forced == nil { forced = decision.server }
                session.stickStores = decision.stores
            }
            // A server's `sni` is evaluated on the same connection and bytes as the rules were.
            startConnecting(context: context, backend: backend, forced: forced, serverNameContext: backend.routes.hasServerNameSamples ? sample : nil)
        }
    }

    /// The rules chose a mode http backend: the connection becomes an HTTP one, as in HAProxy. An
    /// HTTP session takes it over as it stands (addresses, TLS, counts, variables, stick counters,
    /// the bytes received) and this handler leaves the pipeline; the session's counts are given
    /// back, and its requests logged, by the HTTP session.
    private func upgradeToHTTP(context: ChannelHandlerContext, backend: Int) {
        guard let session else { return }
        state.closed()
        countsReleased = true
        let handler = HTTPSessionHandler.upgrading(
            session, backend: backend, received: buffer, liveSession: liveSession, listener: listener, unixListenerID: unixListenerID
        )
        buffer = context.channel.allocator.buffer(capacity: 0)
        self.session = nil
        let channel = context.channel
        let pipeline = channel.pipeline.syncOperations
        do {
            try pipeline.addHandler(handler, position: .after(self))
        } catch {
            close(context: context)
            return
        }
        pipeline.removeHandler(self, promise: nil)
        if clientReadingPaused { channel.setAutoRead(true) }
        handler.processInbound()
        if state.clientInputClosed, let handlerContext = try? pipeline.context(handler: handler) {
            handler.userInboundEventTriggered(context: handlerContext, event: ChannelEvent.inputClosed)
        }
    }

    /// A content rule (the frontend's, or the chosen backend's) refused the connection: counted
    /// as a denied request, logged (`PR`), closed with or without a word.
    private func refuseRequest(context: ChannelHandlerContext, silently: Bool, backend: BackendRuntime?) {
        session?.termination = TerminationState(.proxy, .request)
        frontend.counters.add(.deniedRequests)
        listener?.counters.add(.deniedRequests)
        backend?.counters.add(.deniedRequests)
        close(context: context, silently: silently)
    }

    // MARK: - Server choice and queueing

    private func startConnecting(context: ChannelHandlerContext, backend: BackendRuntime, forced: Int?, serverNameContext: SampleContext?) {
        guard let session else { return }
        let connector = ServerConnector(
            backend: backend, eventLoop: context.eventLoop, timeouts: session.timeouts,
            destinationPort: session.connection.destinationPort, destinationAddress: session.connection.destination, balanceKey: BalanceKey(sourceHash: backend.routes.proxy.hashType.hash(address: session.connection.source)),
            started: session.acceptTime, logger: runtime.logger
        )
        connector.liveSession = liveSession
        connector.serverNameContext = serverNameContext
        session.connector = connector
        state.connecting()
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        connector.connect(forced: forced) { result in
            let handler = loopBound.value
            switch result {
            case .success(let channel):
                handler.connected(channel)
            case .failure(let failure):
                guard handler.state.phase == .connecting, let context = handler.context, let session = handler.session else { return }
                session.termination = failure.termination
                if case .noServer = failure {
                    handler.runtime.logger.debug("no server available in backend \(backend.name) for a connection on \(handler.frontend.name)")
                }
                handler.close(context: context)
            }
        }
    }

    // MARK: - Connected

    private func connected(_ serverChannel: Channel) {
        guard !clientClosed, let context, let session, let tunnel = state.connected() else {
            serverChannel.close(promise: nil)
            return
        }
        session.serverChannel = serverChannel
        if frontend.logsEarly { session.logSession(early: true) }
        if !session.stickStores.isEmpty, let server = session.server {
            // `stick store-request`: kept once connected, with the server that took the connection.
            StickPersistence.store(session.stickStores, server: server.index)
            session.stickStores = []
        }
        let (clientGlue, serverGlue) = GlueHandler.matchedPair(session: session)
        do {
            try serverChannel.pipeline.syncOperations.addHandler(serverGlue)
        } catch {
            serverChannel.close(promise: nil)
            close(context: context)
            return
        }
        // What the server must see first: the PROXY header, then the bytes already received.
        if let header = session.server?.proxyProtocolHeader(for: session.connection, uniqueID: session.uniqueID) {
            var headerBuffer = serverChannel.allocator.buffer(capacity: header.count)
            headerBuffer.writeBytes(header)
            serverChannel.write(headerBuffer, promise: nil)
        }
        if buffer.readableBytes > 0 {
            session.bytesFromClient += buffer.readableBytes
            serverChannel.write(buffer, promise: nil)
            buffer = context.channel.allocator.buffer(capacity: 0)
        }
        serverChannel.flush()
        session.startTunnel(tunnel)
        let channel = context.channel
        do {
            try channel.pipeline.syncOperations.addHandler(clientGlue, position: .after(self))
        } catch {
            serverChannel.close(promise: nil)
            close(context: context)
            return
        }
        if tunnel.clientInputClosed {
            // The client already finished sending: the server gets its FIN after the data.
            serverChannel.close(mode: .output, promise: nil)
        }
        channel.pipeline.syncOperations.removeHandler(self, promise: nil)
        if clientReadingPaused { channel.setAutoRead(true) }
        serverChannel.setAutoRead(true)
    }

    /// Set while a buffer's worth of client bytes waits for the server.
    private var clientReadingPaused = false

    private func pauseClientReading(context: ChannelHandlerContext) {
        guard !clientReadingPaused else { return }
        clientReadingPaused = true
        context.channel.setAutoRead(false)
    }

    // MARK: - Closing

    func channelInactive(context: ChannelHandlerContext) {
        clientClosed = true
        inspectTimer?.cancel()
        if let session, state.phase != .forwarding {
            if session.termination == .normal {
                session.termination = TerminationState(.clientAbort, phase)
            }
            session.clientChannel = nil
            session.finish()
        }
        state.closed()
        context.fireChannelInactive()
    }

    func channelUnregistered(context: ChannelHandlerContext) {
        // A connection that closed before it ever became active has no session to give back the
        // counts taken when it was accepted.
        if session == nil, !countsReleased {
            countsReleased = true
            listener?.sessionEnded()
            runtime.released(from: frontend)
        }
        context.fireChannelUnregistered()
    }

    private var countsReleased = false

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event, state.isClosed, terminatesTLS {
            TLSAcceptHandler.closeSocket(under: context.pipeline.syncOperations)
            return
        }
        if case ChannelEvent.inputClosed = event {
            // The client finished sending before the tunnel is up: decide on what arrived, and
            // carry the FIN across once the server is connected.
            switch state.clientInputEnded() {
            case .inspectFinal: inspect(final: true)
            case .close: close(context: context)
            case .passOnceConnected, .none: break
            }
            return
        }
        if let event = event as? TLSUserEvent, case .handshakeCompleted(let negotiated) = event {
            session?.connection.tls = TLSConnectionInfo.established(in: context.pipeline.syncOperations, negotiatedProtocol: negotiated)
            runtime.tlsCounters.clientHandshakeCompleted(resumed: session?.connection.tls?.sessionReused ?? false)
            // Given back when the connection closes: this handler leaves the pipeline once the
            // connection to the server is made.
            let counters = runtime.tlsCounters
            context.channel.closeFuture.whenComplete { _ in counters.clientConnectionEnded() }
            if state.handshakeCompleted() == .startSession { afterProxyHeader(context: context) }
            return
        }
        if let event = event as? ClientProxyHeader {
            if let header = event.header { session?.connection = ConnectionInfo(header) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let session, session.termination == .normal {
            session.termination = TerminationState(.clientAbort, phase)
        }
        context.close(promise: nil)
    }

    /// Where the session is, in the log's terms.
    private var phase: TerminationState.Phase {
        state.terminationPhase(queued: session?.connector?.isQueued == true)
    }

    /// `silently`: without a FIN or a reset to the client, where the system allows (`silent-drop`).
    private func close(context: ChannelHandlerContext, silently: Bool = false) {
        inspectTimer?.cancel()
        state.closed()
        // A TLS library closing sends its close_notify and reads the client's: reading must go on.
        if terminatesTLS { context.channel.setAutoRead(true) }
        if silently {
            context.channel.closeSilently()
        } else {
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension TCPSessionHandler: Sendable {}
