import NIOCore
import NIOTLS
import UsherConfig
import UsherRouting
import UsherSession

/// Serves one client connection of an HTTP-mode frontend: reads each request head (strictly, within
/// `tune.bufsize` and `timeout http-request`), routes it, forwards it and its body as they arrive,
/// forwards the response back the same way, then keeps or closes each side as the connection mode
/// says. A 101 to a WebSocket upgrade turns the pair into a tunnel.
///
/// Requests are handled one at a time; pipelined ones wait in the buffer. Bodies are never held
/// whole: each direction stops reading when the other side's socket is full.
///
/// Which phase the connection is in, and what each event means there, is decided by
/// `HTTPSessionStateMachine` (`state`); this handler owns the sockets, buffers and timer, and
/// carries out what it decides.
final class HTTPSessionHandler: ChannelInboundHandler, VariableStorage {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The connection's phase: set up, awaiting a head, in an exchange, a tunnel, closing.
    var state: HTTPSessionStateMachine

    let runtime: ProxyRuntime
    let frontend: FrontendRuntime
    let acceptProxy: Bool
    /// `bind … ssl`: the session starts (its `tcp-request session` rules run) once the handshake is done.
    let terminatesTLS: Bool
    /// The connection's variables (`sess`, and `txn`/`req`/`res` of the exchange under way).
    var sessionVariables: SessionVariables
    /// The connection's stick counters; nil when the configuration has no stick table.
    let stickCounters: StickCounters?
    /// `tcp-request session` rules have run (after any PROXY header and TLS handshake).
    var sessionStarted = false
    /// The listener's id when it is a UNIX-domain socket (clients there have no IP address).
    let unixListenerID: Int?
    /// The listening socket's own counters (`option socket-stats`).
    let listener: ListenerStats?
    var context: ChannelHandlerContext?
    var connection = ConnectionInfo(source: nil, sourcePort: 0, destination: nil, destinationPort: 0)

    /// Client bytes not yet handled: a head being received, body bytes waiting for the server,
    /// pipelined requests.
    var inbound = ByteBuffer()
    var headScanner = HTTPHeadScanner()
    /// The current request's line was complete and valid before the rest of its head arrived.
    var requestLineChecked = false
    var requestBody = HTTPBodyReader(framing: .none)
    /// Set while a request usher answers itself has its body read (the stats admin form).
    var localBody: LocalBodyCollector?
    var exchange: HTTPExchange?
    /// The results of those checks, for the request's rules (by hash).
    var credentialResults: [String: Bool] = [:]
    var link: HTTPServerLink?
    /// Server bytes not yet handled (a response head being received).
    var responseBuffer = ByteBuffer()
    var responseScanner = HTTPHeadScanner()
    var responseBody = HTTPBodyReader(framing: .none)
    /// After a 101, bytes pass through untouched (`state` is a tunnel).
    var isTunnel: Bool { state.isTunnel }
    /// The connection is closing or closed: no request is read any more.
    var closed: Bool { state.isEnding }
    var clientInputClosed: Bool { state.clientInputClosed }
    var requestCount: Int { state.requestCount }
    /// The client sent at least one byte (`dontlognull` leaves out connections that did not).
    var receivedAnyByte = false
    var isClientReadingPaused = false
    /// `processInbound` is running: an answer given from inside it (a local reply, an error page
    /// with keep-alive) leaves the next pipelined request to its loop instead of recursing.
    var isProcessingInbound = false

    // Timers: one task, re-armed when the phase changes; activity only moves timestamps.
    let acceptTime: NIODeadline
    let acceptWallMicroseconds: Int64
    /// When waiting for the current request head began.
    var requestWaitStarted: NIODeadline
    var requestWaitWallMicroseconds: Int64
    var lastClientActivity: NIODeadline
    var lastServerActivity: NIODeadline
    var timer: Scheduled<Void>?
    /// When `timer` fires.
    var timerDeadline: NIODeadline?
    var countsReleased = false
    /// This connection in the runtime API's session registry.
    var liveSession: LiveSession?

    /// A mode tcp frontend's connection handed over to HTTP for a mode http backend: the backend
    /// its rules chose for the first request (later ones go through the frontend's rules again).
    var upgradedBackend: Int?
    /// Whether this handler gives back the TLS connection count when the connection ends (not for
    /// an upgraded connection: the TCP side arranged that when the handshake ended).
    var countsTLSConnectionEnd = true

    /// `bind … proto h2`: the client speaks HTTP/2 from its first byte.
    var startsHTTP2 = false
    /// This session serves one HTTP/2 stream (behind an `HTTP2StreamBridgeHandler`): the
    /// connection, its counts and its `sess` scope belong to the `HTTP2ConnectionHandler`.
    var isHTTP2Stream = false
    /// The HTTP/2 request's pseudo-header fields, for the log line.
    var http2Request: HTTP2RequestTranslator.RequestFacts?

    init(
        runtime: ProxyRuntime, frontend: FrontendRuntime, acceptProxy: Bool, terminatesTLS: Bool = false, unixListenerID: Int? = nil,
        listener: ListenerStats? = nil, acceptTime: NIODeadline = .now(), acceptWallMicroseconds: Int64 = LogClock.wallMicroseconds(),
        stickCounters: StickCounters? = nil
    ) {
        self.acceptTime = acceptTime
        self.acceptWallMicroseconds = acceptWallMicroseconds
        self.state = HTTPSessionStateMachine(acceptProxy: acceptProxy, handshake: terminatesTLS)
        self.terminatesTLS = terminatesTLS
        self.sessionVariables = SessionVariables(process: runtime.processVariables)
        self.stickCounters = stickCounters ?? (runtime.table.stickTables.ordered.isEmpty ? nil : StickCounters())
        self.unixListenerID = unixListenerID
        self.listener = listener
        self.runtime = runtime
        self.frontend = frontend
        self.acceptProxy = acceptProxy
        self.requestWaitStarted = acceptTime
        self.requestWaitWallMicroseconds = acceptWallMicroseconds
        self.lastClientActivity = acceptTime
        self.lastServerActivity = acceptTime
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if upgradedBackend != nil || isHTTP2Stream {
            // The TCP side set the connection up and ran its rules; the first request is on its way.
            rearmTimer()
            return
        }
        inbound = context.channel.allocator.buffer(capacity: 0)
        if context.channel.isActive { start(context: context) }
    }

    /// Takes over a mode tcp frontend's connection whose rules chose `backend`, a mode http one:
    /// the connection, its counts, variables and stick counters as they stand, and the bytes
    /// received so far, which hold the first request.
    static func upgrading(
        _ session: TCPSession, backend: Int, received: ByteBuffer, liveSession: LiveSession?, listener: ListenerStats?, unixListenerID: Int?
    ) -> HTTPSessionHandler {
        let handler = HTTPSessionHandler(
            runtime: session.runtime, frontend: session.frontend, acceptProxy: false, unixListenerID: unixListenerID, listener: listener,
            acceptTime: session.acceptTime, acceptWallMicroseconds: session.acceptWallMicroseconds, stickCounters: session.stickCounters
        )
        handler.upgradedBackend = backend
        handler.started = true
        handler.sessionStarted = true
        handler.connection = session.connection
        handler.liveSession = liveSession
        handler.sessionVariables = session.sessionVariables
        handler.inbound = received
        handler.receivedAnyByte = received.readableBytes > 0
        handler.countsTLSConnectionEnd = false
        return handler
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    var started = false

    private func start(context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        let remote = context.channel.remoteAddress
        let local = context.channel.localAddress
        connection = ConnectionInfo(remote: remote, local: local, unixListenerID: unixListenerID)
        liveSession = runtime.sessions.open(channel: context.channel, frontendName: frontend.name, generation: runtime.generation)
        var sample = SampleContext(connection: connection, payload: inbound, isFinal: true, helloParser: runtime.helloParser, variables: self)
        sample.stickCounters = stickCounters
        switch frontend.routes.evaluateConnectionRules(&sample) {
        case .accept, .waitForData:
            break
        case .reject:
            frontend.counters.add(.deniedConnections)
            listener?.counters.add(.deniedConnections)
            closeClient()
            return
        case .silentDrop:
            // HAProxy counts a silent drop as a denied request, whatever the rule's stage.
            countSilentDrop()
            return
        }
        rearmTimer()
        if case .awaitingHead = state.phase { startSession() }
    }

    /// The connection is set up (PROXY header read, TLS handshake done): `tcp-request session`
    /// rules. Returns false when they closed it.
    @discardableResult
    func startSession() -> Bool {
        guard !sessionStarted else { return !closed }
        sessionStarted = true
        var sample = SampleContext(connection: connection, payload: ByteBuffer(), isFinal: true, helloParser: runtime.helloParser, variables: self)
        sample.stickCounters = stickCounters
        switch frontend.routes.evaluateSessionRules(&sample) {
        case .accept, .waitForData:
            // The layer 4 rules accepted the connection: it is a session for the tracked counters.
            stickCounters?.countSession()
            if choosesHTTP2 {
                // Streams are served by sessions of their own from here on.
                switchToHTTP2()
                return false
            }
            return true
        case .reject:
            // Closed without a log line, as HAProxy does.
            frontend.counters.add(.deniedSessions)
            listener?.counters.add(.deniedSessions)
            closeClient()
            return false
        case .silentDrop:
            countSilentDrop()
            return false
        }
    }

    /// A `tcp-request connection` or `session` rule dropped the connection: no log line, a denied
    /// request in the counters (as HAProxy counts it).
    private func countSilentDrop() {
        frontend.counters.add(.deniedRequests)
        listener?.counters.add(.deniedRequests)
        dropSilently()
    }

    /// Closes the client connection without telling it (`silent-drop`).
    func dropSilently() {
        guard let context else { return }
        state.closed()
        dropServerLink()
        // An HTTP/2 stream has no socket of its own (and its channel takes no socket option): the
        // client's connection is dropped, as HAProxy drops it.
        (isHTTP2Stream ? context.channel.parent ?? context.channel : context.channel).closeSilently()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard !closed else { return }
        receivedAnyByte = true
        lastClientActivity = .now()
        if isTunnel {
            exchange?.bytesFromClient += incoming.readableBytes
            noteTunnelActivity()
            link?.channel.write(incoming, promise: nil)
            return
        }
        if inbound.readableBytes == 0 {
            if case .awaitingHead = state.phase, requestCount > 0 {
                // The first byte of a keep-alive request: `timeout http-request` starts now.
                requestWaitStarted = lastClientActivity
                requestWaitWallMicroseconds = LogClock.wallMicroseconds()
                rearmTimer()
            }
            // Nothing is pending: take the read's buffer as it is, without a copy. (Appending to a
            // drained buffer would also keep every byte it ever held.)
            inbound = incoming
        } else {
            inbound.writeBuffer(&incoming)
        }
        processInbound()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        link?.channel.flush()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // The client drained (or filled) its socket: the server may send again (or must wait).
        // A client taking bytes is alive, if slow: its inactivity timer starts again.
        if context.channel.isWritable { lastClientActivity = .now() }
        updateServerReading()
        if context.channel.isWritable, case .awaitingHead = state.phase {
            // Requests held back while the client was not reading its answers.
            processInbound()
            rearmTimer()
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            if closed, connection.tls != nil || terminatesTLS {
                TLSAcceptHandler.closeSocket(under: context.pipeline.syncOperations)
                return
            }
            carryOut(state.clientInputEnded(clientEnd))
            return
        }
        if let event = event as? TLSUserEvent, case .handshakeCompleted(let negotiated) = event {
            connection.tls = TLSConnectionInfo.established(in: context.pipeline.syncOperations, negotiatedProtocol: negotiated)
            runtime.tlsCounters.clientHandshakeCompleted(resumed: connection.tls?.sessionReused ?? false)
            if state.awaitsHandshake { state.handshakeCompleted() }
            rearmTimer()
            startSession()
            return
        }
        if let event = event as? ClientProxyHeader {
            if let header = event.header { connection = ConnectionInfo(header) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// What the state machine needs to judge the client's half-close.
    private var clientEnd: HTTPSessionStateMachine.ClientEnd {
        HTTPSessionStateMachine.ClientEnd(
            pendingBytes: inbound.readableBytes, clientWritable: isClientWritable, ignoresProbes: frontend.ignoresProbes,
            connecting: link == nil && exchange?.connector != nil, bodyIsBuffered: { [unowned self] in self.requestBodyIsBuffered }
        )
    }

    /// The client has half-closed (`nc -N` does it right after its request): what it sent whole is
    /// still answered, and the connection closes after the last answer (`responseComplete`); only
    /// a request that can never complete ends here. Judged when the FIN arrives and again after
    /// each answer while requests wait in `inbound`.
    func endWhatCannotComplete() {
        carryOut(state.whatCannotComplete(clientEnd))
    }

    private func carryOut(_ action: HTTPSessionStateMachine.ClientEndAction) {
        switch action {
        case .wait:
            return
        case .close:
            closeClient()
        case .badRequest:
            // HAProxy counts it as a request and an error for the tracked stick counters, and
            // gives a connection that never sent a request the same 400 (and log line).
            stickCounters?.countHTTPRequest(isError: true)
            finishWithError(400, termination: TerminationState(.clientAbort, .request), reason: "client closed mid-request")
        case .closeAfterFlush:
            // Between requests: the last answer may still be on its way out.
            closeClientAfterFlush()
        case .endTarpit:
            // The tarpit holds a request until the client closes, as HAProxy documents it.
            endTarpit()
        case .abortRequestBody:
            // The body can never complete: the server would wait for the rest forever. What it
            // was sent still reaches it (a close at once would drop writes of a connection just
            // made, which NIO flushes only on its first writable event).
            if let exchange, exchange.termination == .normal { exchange.termination = TerminationState(.clientAbort, .data) }
            closeServerAfterFlush()
            closeClient()
        case .tunnel(let action):
            carryOut(action)
            updateTunnelReading()
        }
    }

    /// The rest of the current request's body is in `inbound` (or there is none left to read).
    /// A body whose framing is broken counts as there: the framing error is reported when it is read.
    private var requestBodyIsBuffered: Bool {
        if requestBody.isComplete { return true }
        var probe = requestBody
        do {
            _ = try inbound.withUnsafeReadableBytes { bytes throws(HTTPParseError) in try probe.consume(bytes) }
            return probe.isComplete
        } catch {
            return true
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let exchange, let tarpit = exchange.tarpit {
            // Gone while tarpitted: HAProxy's `CT`, with the time held as `Tw`.
            exchange.tarpit = nil
            exchange.tarpitMilliseconds = ServerConnector.milliseconds(since: tarpit.started)
            exchange.termination = TerminationState(.clientAbort, .tarpit)
        } else if let exchange, exchange.termination == .normal {
            exchange.termination = TerminationState(.clientAbort, state.awaitsRequest ? .request : .data)
        } else if exchange == nil, requestCount == 0, !closed, !(frontend.ignoresProbes && inbound.readableBytes == 0) {
            // Gone before a request: HAProxy logs it (as a 400 `<BADREQ>`) unless `dontlognull`
            // (or, before any byte, `http-ignore-probes`), and counts it as a request and an error
            // for the tracked stick counters.
            stickCounters?.countHTTPRequest(isError: true)
            let empty = HTTPExchange(
                started: requestWaitStarted, wallMicroseconds: requestWaitWallMicroseconds,
                request: HTTPRequestHead(method: "", target: "", version: .http1_1), isParsed: false
            )
            empty.status = 400
            empty.termination = TerminationState(.clientAbort, .request)
            exchange = empty
        }
        shutDown()
        context.fireChannelInactive()
    }

    func channelUnregistered(context: ChannelHandlerContext) {
        releaseCounts()
        context.fireChannelUnregistered()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let exchange, exchange.termination == .normal {
            exchange.termination = TerminationState(.clientAbort, .data)
        }
        context.close(promise: nil)
    }

    // MARK: - Client bytes

    /// Handles what the client sent as far as the current state allows.
    func processInbound() {
        let outer = isProcessingInbound
        isProcessingInbound = true
        defer { isProcessingInbound = outer }
        while true {
            switch state.phase {
            case .settingUp(proxyHeader: true, _):
                guard readProxyHeader() else { return }
                continue
            case .settingUp, .closing, .closed, .tunnel:
                // The handshake is not done (its bytes come decrypted after it), or nothing is
                // read as requests any more.
                return
            case .checkingCredentials, .tarpit, .exchange(request: .sent, _):
                // One request at a time: a pipelined one waits for the previous response (or
                // for the password checks of the one before, made off the event loop).
                updateClientReading()
                return
            case .awaitingHead:
                // Normally started already (at accept, after the PROXY header or the handshake).
                if !sessionStarted, !startSession() { return }
                // Answers the client has not taken yet hold the next request back, as HAProxy's
                // full buffer does: pipelined requests from a client that does not read must not
                // pile their answers up here. Taken up again when its socket drains.
                guard isClientWritable else {
                    updateClientReading()
                    return
                }
                skipLeadingEmptyLines()
                let length = inbound.withUnsafeReadableBytes { headScanner.headLength(in: $0) }
                guard let length else {
                    if !requestLineChecked {
                        let checked = inbound.withUnsafeReadableBytes { bytes in
                            Result { () throws(HTTPParseError) in try HTTPHeadParser.checkRequestLine(bytes) }
                        }
                        if case .failure(let error) = checked {
                            stickCounters?.countHTTPRequest(isError: true)
                            finishWithError(error.status, termination: TerminationState(.proxy, .request), reason: error.reason)
                            return
                        }
                        requestLineChecked = inbound.readableBytesView.contains(UInt8(ascii: "\n"))
                    }
                    if inbound.readableBytes > frontend.httpLimits.maxHeadBytes {
                        stickCounters?.countHTTPRequest(isError: true)
                        finishWithError(400, termination: TerminationState(.proxy, .request), reason: "request head too large")
                    }
                    return
                }
                let limits = frontend.httpLimits
                let parsed = inbound.withUnsafeReadableBytes { bytes in
                    Result { () throws(HTTPParseError) in
                        try HTTPHeadParser.parseRequest(UnsafeRawBufferPointer(rebasing: bytes[..<length]), limits: limits)
                    }
                }
                // The head's bytes as they came (a view, not a copy): sent on as they are when
                // nothing in them changes.
                let raw = inbound.readSlice(length: length)!
                requestLineChecked = false
                switch parsed {
                case .failure(let error):
                    stickCounters?.countHTTPRequest(isError: true)
                    finishWithError(error.status, termination: TerminationState(.proxy, .request), reason: error.reason)
                    return
                case .success(let head):
                    if checkCredentialsFirst(head, raw: raw) { return }
                    startExchange(head, raw: raw)
                }
            case .exchange(request: .pending, _), .exchange(request: .body, _):
                if let collector = localBody {
                    guard consumeLocalBody(collector) else { return }
                    continue
                }
                guard let link, !link.isIdle, link.channel.isWritable || inbound.readableBytes == 0 else {
                    // Not connected yet, or the server is not taking more: keep the bytes.
                    updateClientReading()
                    return
                }
                guard inbound.readableBytes > 0 else {
                    updateClientReading()
                    return
                }
                let consumed: Int
                do {
                    consumed = try inbound.withUnsafeReadableBytes { bytes throws(HTTPParseError) in try requestBody.consume(bytes) }
                } catch {
                    runtime.logger.debug("bad request body framing on \(frontend.name): \(error.reason)")
                    if exchange?.responseStarted == true {
                        abort(TerminationState(.proxy, .data))
                    } else {
                        finishWithError(400, termination: TerminationState(.proxy, .data), reason: error.reason)
                    }
                    return
                }
                if consumed > 0, let slice = inbound.readSlice(length: consumed) {
                    exchange?.bytesFromClient += consumed
                    exchange?.bodyBytesForwarded += consumed
                    if let exchange, exchange.onReusedConnection { keepForReplay(slice, exchange: exchange) }
                    link.channel.write(slice, promise: nil)
                }
                if requestBody.isComplete {
                    state.requestBodyForwarded()
                    link.channel.flush()
                    requestSent()
                }
            }
        }
    }

    private func skipLeadingEmptyLines() {
        // RFC 9112 §2.2: empty lines before a request line are ignored.
        while inbound.readableBytes >= 2, inbound.getInteger(at: inbound.readerIndex, as: UInt16.self) == 0x0D0A {
            inbound.moveReaderIndex(forwardBy: 2)
        }
    }

    /// The PROXY protocol header `accept-proxy` asks for. Returns false to wait for more bytes.
    private func readProxyHeader() -> Bool {
        switch ProxyProtocolParser.parse(inbound.readableBytesView) {
        case .needMoreData:
            return false
        case .invalid(let reason):
            runtime.logger.debug("rejected connection on \(frontend.name): \(reason)")
            closeClient()
            return false
        case .header(let header, let length):
            inbound.moveReaderIndex(forwardBy: length)
            if let header { connection = ConnectionInfo(header) }
            state.proxyHeaderRead()
            return state.awaitsHandshake || startSession()
        }
    }

    /// Client reading follows what can be done with the bytes: it stops while the server cannot
    /// take them, and while enough is buffered for a request that cannot start yet.
    func updateClientReading() {
        guard let context else { return }
        if isTunnel {
            updateTunnelReading()
            return
        }
        guard let wanted = state.readsClient(sockets, headLimit: frontend.httpLimits.maxHeadBytes, bufferSize: runtime.bufferSize) else { return }
        guard wanted == isClientReadingPaused else { return }
        isClientReadingPaused = !wanted
        context.channel.setAutoRead(wanted)
    }

    // MARK: - Ending

    /// Answers with an error page (or the proxy's errorfile). The connection closes, as HAProxy
    /// closes it after a bad request or a timeout; with `keepAlive` (a request refused or failed
    /// whole: 403, 502, 503, 504) it stays open when the client and the mode allow.
    /// `page` gives the bytes in place of the proxy's page for `status` (its argument: whether the
    /// connection closes after them).
    func finishWithError(_ status: Int, termination: TerminationState, reason: String, keepAlive: Bool = false, page custom: ((Bool) -> [UInt8])? = nil) {
        guard let context, !closed else { return }
        runtime.logger.debug("\(frontend.name): answering \(status): \(reason)")
        let exchange = self.exchange ?? HTTPExchange(
            started: requestWaitStarted, wallMicroseconds: requestWaitWallMicroseconds,
            request: HTTPRequestHead(method: "", target: "", version: .http1_1), isParsed: false
        )
        self.exchange = exchange
        if exchange.termination == .normal { exchange.termination = termination }
        if keepAlive && exchange.clientKeepAlive && requestBody.isComplete && !clientInputClosed && !exchange.responseStarted {
            let page = custom?(false) ?? errorPages.response(for: status, closing: false)
            // An empty page (`errorfile 403 /dev/null`) means: no answer, close. HAProxy does so.
            if !page.isEmpty {
                replyLocally(status: status, bytes: page, keepAlive: true)
                return
            }
        }
        let (rewrittenStatus, page) = afterResponse(custom?(true) ?? errorPages.response(for: status), exchange: exchange)
        exchange.status = rewrittenStatus ?? status
        var buffer = context.channel.allocator.buffer(capacity: page.count)
        buffer.writeBytes(page)
        // To a client that never sent a byte and has closed, the page most likely goes nowhere:
        // it is not counted (HAProxy logs 0 there too).
        exchange.bytesToClient += receivedAnyByte ? page.count : 0
        exchange.responseStarted = true
        dropServerLink()
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in
            // Let the client read the answer before the reset that unread bytes would cause.
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        }
        // A client that does not read the page must not hold the connection.
        enterClosing()
        endExchange()
    }

    /// The backend's pages once it is chosen, the frontend's before.
    var errorPages: HTTPErrorPages { exchange?.backend?.errorPages ?? frontend.errorPages }

    /// Closes both connections at once (a truncated transfer, a timeout mid-body).
    func abort(_ termination: TerminationState) {
        if let exchange, exchange.termination == .normal { exchange.termination = termination }
        dropServerLink()
        closeClient()
    }

    func closeClient() {
        guard let context else { return }
        state.closed()
        readForCloseNotify(context.channel)
        context.close(promise: nil)
    }

    /// On a TLS connection the library sends its close_notify and waits for the client's: reading
    /// must go on for it to arrive, or the socket stays open until the library's own timeout.
    func readForCloseNotify(_ channel: Channel) {
        if connection.tls != nil || terminatesTLS { channel.setAutoRead(true) }
    }

    /// Tears everything down once the client connection is gone.
    private func shutDown() {
        state.closed()
        timer?.cancel()
        timer = nil
        if isTunnel { closeServerAfterFlush() }
        dropServerLink()
        if exchange != nil { endExchange() }
        // A stream's session: the connection's owner ends those with the connection.
        if !isHTTP2Stream { stickCounters?.endSession() }
        sessionVariables.endSession()
    }

    func dropServerLink() {
        if let link {
            self.link = nil
            link.channel.close(promise: nil)
        }
        state.serverDetached()
    }

    /// The client's connection is gone (or its request can never complete): the server's is closed
    /// once what is queued for it is written, so the client's last bytes still reach the server.
    func closeServerAfterFlush() {
        guard let link else { return }
        self.link = nil
        state.serverDetached()
        let channel = link.channel
        channel.writeAndFlush(channel.allocator.buffer(capacity: 0)).whenComplete { _ in
            channel.close(promise: nil)
        }
        // A server that does not read either: closed at once after `timeout server-fin` (or the
        // tunnel's, or the server's timeout).
        let timeouts = exchange?.timeouts ?? frontend.timeouts
        if let limit = timeouts.serverFin ?? timeouts.tunnel ?? timeouts.server {
            let task = channel.eventLoop.scheduleTask(in: .milliseconds(max(1, limit.milliseconds))) { channel.close(promise: nil) }
            // Not kept (with the channel) for the whole limit once the connection is gone.
            channel.closeFuture.whenComplete { _ in task.cancel() }
        }
    }

    private func releaseCounts() {
        guard !countsReleased, !isHTTP2Stream else { return }
        countsReleased = true
        if connection.tls != nil, countsTLSConnectionEnd { runtime.tlsCounters.clientConnectionEnded() }
        listener?.sessionEnded()
        runtime.released(from: frontend)
    }
}

@available(*, unavailable)
extension HTTPSessionHandler: Sendable {}

extension HTTPSessionHandler {
    /// The client's socket takes more of what usher writes (true before the channel is set up).
    var isClientWritable: Bool { context?.channel.isWritable ?? true }

    /// The sockets and the buffer as the state machine's decisions need them.
    var sockets: HTTPSessionStateMachine.Sockets {
        HTTPSessionStateMachine.Sockets(
            clientWritable: isClientWritable, serverWritable: link.map { $0.channel.isWritable }, pendingBytes: inbound.readableBytes
        )
    }
}
