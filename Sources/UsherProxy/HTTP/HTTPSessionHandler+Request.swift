import NIOCore
import UsherConfig
import UsherRouting
import UsherSession

extension HTTPSessionHandler {
    /// A request head has arrived whole: check it, route it, rewrite it for the server, and send
    /// it on an idle connection to the chosen server or a new one.
    func startExchange(_ received: HTTPRequestHead, raw: ByteBuffer) {
        let headLength = raw.readableBytes
        // The first request of a connection upgraded from mode tcp: its frontend's rules ran there.
        let upgradedBackend = self.upgradedBackend
        self.upgradedBackend = nil
        // A transaction's variables (`txn`, `req`) exist from here until it is logged.
        if upgradedBackend == nil { sessionVariables.beginTransaction() }
        if upgradedBackend == nil, frontend.routes.hasContentRules, !passContentRules(received, raw: raw) { return }
        state.requestCounted()
        countRequestStart()
        stickCounters?.countHTTPRequest()
        let exchange = HTTPExchange(started: requestWaitStarted, wallMicroseconds: requestWaitWallMicroseconds, request: received)
        exchange.headMilliseconds = ServerConnector.milliseconds(since: requestWaitStarted)
        exchange.bytesFromClient = headLength
        exchange.capturedRequestHeaders = captures(frontend.requestCaptures, in: received.headers)
        exchange.streamNumber = runtime.nextStreamNumber()
        self.exchange = exchange
        assignUniqueID(exchange)
        var head = received
        let framing: HTTPFramingRules.RequestFraming
        do {
            framing = try HTTPFramingRules.prepareRequest(&head)
        } catch {
            stickCounters?.countHTTPError()
            finishWithError(error.status, termination: TerminationState(.proxy, .request), reason: error.reason)
            return
        }
        requestBody = HTTPBodyReader(framing: framing.framing, limits: frontend.httpLimits)
        state.exchangeStarted()
        // The client's side follows the frontend's mode alone (`httpclose` in a backend closes
        // only the server's side, as in HAProxy). A client that has half-closed is closed once
        // its last request is answered (`endWhatCannotComplete`), not after this one.
        exchange.clientKeepAlive = head.wantsKeepAlive && frontend.connectionMode != .close && !framing.closeAfter

        if frontend.routes.isMonitorRequest(head) {
            countIntercepted()
            let keepAlive = framing.framing == .none && exchange.clientKeepAlive
            replyLocally(status: 200, bytes: frontend.routes.monitorResponse(head, pages: frontend.errorPages, closing: !keepAlive), keepAlive: keepAlive)
            return
        }
        var sample = SampleContext(
            connection: connection, payload: ByteBuffer(), isFinal: true, helloParser: runtime.helloParser, request: head, variables: self
        )
        sample.stickCounters = stickCounters
        sample.stream = streamFacts(exchange)
        sample.captures = captureSlots(exchange)
        sample.credentialResults = credentialResults
        credentialResults = [:]
        let frontendOutcome = frontend.routes.httpRequestRules.apply(to: &head, &sample)
        guard handleRuleOutcome(frontendOutcome, framing: framing.framing, timeouts: frontend.timeouts) else { return }
        if serveStatsPageIfAsked(proxy: frontend.name, head: head, sample: &sample, framing: framing.framing) { return }
        guard let backendIndex = upgradedBackend ?? frontend.routes.chooseBackend(&sample, backendsByName: runtime.table.backendsByName) else {
            finishWithError(503, termination: TerminationState(.proxy, .request), reason: "no backend for the request", keepAlive: true)
            return
        }
        guard runtime.backends[backendIndex].routes.proxy.mode == .http else {
            // A later request on a connection upgraded from mode tcp that its rules send to a mode tcp backend.
            finishWithError(503, termination: TerminationState(.proxy, .request), reason: "an HTTP request cannot go to a mode tcp backend")
            return
        }
        let backend = runtime.backends[backendIndex]
        exchange.backend = backend
        exchange.uniqueIDIsSet = sample.stream.uniqueIDIsSet
        sample.stream = streamFacts(exchange)
        exchange.timeouts = frontend.timeouts(with: backend)
        backend.sessionStarted()
        if backend.routes.hasContentRules, !passBackendContentRules(backend, head: head, raw: raw, sample: &sample) { return }
        let backendOutcome = backend.routes.httpRequestRules.apply(to: &head, &sample)
        guard handleRuleOutcome(backendOutcome, framing: framing.framing, timeouts: backend.timeouts) else { return }
        if backend.name != frontend.name, serveStatsPageIfAsked(proxy: backend.name, head: head, sample: &sample, framing: framing.framing) { return }
        if exchange.capturedRequestHeaders != nil { exchange.capturedRequestHeaders = sample.captures.request }

        let mode = HTTPConnectionMode.combining(frontend: frontend.connectionMode, backend: backend.connectionMode)
        exchange.isUpgrade = HTTPHopHeaders.isUpgradeRequest(head)
        if exchange.isUpgrade, head.headers.hasToken("websocket", in: "Upgrade") {
            exchange.webSocketKey = head.headers[first: "Sec-WebSocket-Key"]
        }
        exchange.serverKeepAlive = mode == .keepAlive && !framing.closeAfter && !exchange.isUpgrade
        exchange.forcedServer = backend.routes.forcedServer(&sample)
        if let persistence = backend.persistence {
            let outcome = persistence.processRequest(
                head.headers, serverIsUp: backend.servers.map(\.isUp), ignored: exchange.forcedServer != nil, now: LogClock.unixSeconds()
            )
            outcome.apply(to: &head.headers)
            exchange.cookieRequest = outcome
            if exchange.forcedServer == nil { exchange.forcedServer = outcome.server }
        }
        let persistence = backend.routes.stickPersistence
        if !persistence.isEmpty {
            // After the cookie, as HAProxy orders them.
            let servers = backend.servers
            let decision = persistence.evaluateRequest(&sample, alreadyChosen: exchange.forcedServer != nil, isUsable: { servers[$0].isUp })
            if exchange.forcedServer == nil { exchange.forcedServer = decision.server }
            exchange.stickStores = decision.stores
        }
        if let compression = HTTPCompression.effective(backend: backend.compression, frontend: frontend.compression),
            let choice = HTTPCompressionPolicy.algorithm(for: head, among: compression.algorithms) {
            exchange.compressionAlgorithm = choice.algorithm
            exchange.compressionTypes = compression.types
            // `compression offload`: the servers are not to compress; usher does.
            if compression.offload && choice.requested { head.headers.remove("Accept-Encoding") }
        }
        // The request rules are done: the unique ID exists now, whoever asked for it.
        exchange.uniqueIDIsSet = exchange.uniqueID != nil
        ForwardedFor(frontend: frontend.forwardFor, backend: backend.forwardFor)?.apply(to: &head.headers, client: connection.source)
        if let name = frontend.routes.uniqueIDHeader, let uniqueID = exchange.uniqueID {
            head.headers.add(name, uniqueID)
        }
        HTTPHopHeaders.setConnection(&head.headers, version: head.version, keepAlive: exchange.serverKeepAlive, upgrade: exchange.isUpgrade)
        if backend.routes.hasServerNameSamples {
            // `sni` is evaluated when connecting, on the request as it goes to the server.
            sample.request = head
            exchange.serverNameContext = sample
        }

        var serialized: ByteBuffer
        if ByteBuffer.canForwardAsReceived(raw, head: head, parsed: received) {
            serialized = raw
        } else {
            serialized = context?.channel.allocator.buffer(capacity: 512) ?? ByteBuffer()
            serialized.writeHTTPRequestHead(head)
        }
        rearmTimer()
        sendRequestHead(serialized, exchange: exchange, backend: backend)
    }

    /// `tcp-request content` rules, which in `mode http` run on each request before its
    /// `http-request` rules (the head is there: nothing is waited for; `req.len` and
    /// `req.payload` see the head's bytes). A rule that rejects or drops the connection ends it
    /// here, logged as HAProxy logs it: `<BADREQ>`, `PR`, no status. Returns true to go on.
    private func passContentRules(_ head: HTTPRequestHead, raw: ByteBuffer) -> Bool {
        var sample = SampleContext(
            connection: connection, payload: raw, isFinal: true, helloParser: runtime.helloParser, request: head, variables: self
        )
        sample.stickCounters = stickCounters
        return carryOut(frontend.routes.evaluateContentRules(&sample), head: head, raw: raw, backend: nil)
    }

    /// A backend's own `tcp-request content` rules, once it is chosen and before its
    /// `http-request` rules, as HAProxy runs them. Returns true to go on.
    private func passBackendContentRules(_ backend: BackendRuntime, head: HTTPRequestHead, raw: ByteBuffer, sample: inout SampleContext) -> Bool {
        let payload = sample.payload
        sample.payload = raw
        defer { sample.payload = payload }
        return carryOut(backend.routes.evaluateContentRules(&sample), head: head, raw: raw, backend: backend)
    }

    /// What content rules decided: go on (true), or end the connection, with or without a word,
    /// logged as HAProxy logs a refused request. A backend's session count, taken when it was
    /// chosen, is given back when the exchange ends.
    private func carryOut(_ verdict: InspectionVerdict, head: HTTPRequestHead, raw: ByteBuffer, backend: BackendRuntime?) -> Bool {
        let silently: Bool
        switch verdict {
        case .accept, .waitForData: return true
        case .reject: silently = false
        case .silentDrop: silently = true
        }
        let refused = HTTPExchange(started: requestWaitStarted, wallMicroseconds: requestWaitWallMicroseconds, request: head, isParsed: false)
        refused.bytesFromClient = raw.readableBytes
        refused.termination = TerminationState(.proxy, .request)
        refused.outcome = .denied
        refused.backend = backend
        exchange = refused
        if silently {
            dropSilently()
        } else {
            closeClient()
        }
        endExchange()
        return false
    }

    /// Carries out what `http-request` rules decided. Returns true to go on with the request.
    /// `timeouts` are those of the proxy whose rules decided (for `timeout tarpit`).
    private func handleRuleOutcome(_ outcome: CompiledHTTPRules.Outcome, framing: HTTPBodyFraming, timeouts: Timeouts) -> Bool {
        switch outcome {
        case .proceed:
            return true
        case .error(let status):
            exchange?.outcome = .denied
            finishWithError(status, termination: TerminationState(.proxy, .request), reason: "denied by an http-request rule", keepAlive: true)
            return false
        case .reply(let status, let bytes):
            countIntercepted()
            // A request body nobody will read cannot be skipped safely: the connection closes.
            replyLocally(status: status, bytes: bytes, keepAlive: framing == .none && (exchange?.clientKeepAlive ?? false))
            return false
        case .service(let service, let query):
            countIntercepted()
            answer(with: service, query: query, framing: framing)
            return false
        case .tarpit(let answer):
            startTarpit(answer, framing: framing, timeouts: timeouts)
            return false
        case .authenticate(let realm):
            let pages = errorPages
            finishWithError(401, termination: TerminationState(.proxy, .request), reason: "authentication required by an http-request auth rule", keepAlive: true) {
                pages.unauthorized(realm: realm, closing: $0)
            }
            return false
        case .silentDrop:
            guard let exchange else { return false }
            // As HAProxy logs it: no status, no request time, `PR`; a denied request.
            exchange.outcome = .denied
            exchange.headMilliseconds = -1
            exchange.termination = TerminationState(.proxy, .request)
            dropSilently()
            endExchange()
            return false
        }
    }

    /// Answers the current request with `bytes` in place of a server's response.
    func replyLocally(status: Int, bytes: [UInt8], keepAlive: Bool) {
        guard let context, let exchange else { return }
        let (rewrittenStatus, bytes) = afterResponse(bytes, exchange: exchange)
        exchange.status = rewrittenStatus ?? status
        exchange.responseStarted = true
        exchange.clientKeepAlive = keepAlive
        exchange.serverKeepAlive = false
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        exchange.bytesToClient += bytes.count
        context.write(wrapOutboundOut(buffer), promise: nil)
        // Nothing of the request goes further: its (empty) body is done with.
        state.answeredLocally()
        dropServerLink()
        responseComplete()
    }

    /// Sends the head on the session's idle connection when it goes to the right server, else on
    /// a new connection.
    func sendRequestHead(_ head: ByteBuffer, exchange: HTTPExchange, backend: BackendRuntime) {
        guard let context else { return }
        let connector = ServerConnector(
            backend: backend, eventLoop: context.eventLoop, timeouts: exchange.timeouts ?? frontend.timeouts(with: backend),
            destinationPort: connection.destinationPort, destinationAddress: connection.destination, balanceKey: balanceKey(for: exchange, backend: backend),
            started: .now(), logger: runtime.logger
        )
        connector.liveSession = liveSession
        connector.serverNameContext = exchange.serverNameContext
        exchange.connector = connector
        if let link, link.isIdle, link.backend === backend, link.channel.isActive,
            exchange.forcedServer == nil || exchange.forcedServer == link.serverIndex,
            link.serverName == serverName(for: link.serverIndex, backend: backend, exchange: exchange),
            connector.reserveForReuse(link.serverIndex, persistent: exchange.forcedServer != nil)
        {
            link.isIdle = false
            exchange.onReusedConnection = true
            write(head, to: link, exchange: exchange, isNew: false)
            return
        }
        dropServerLink()
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        connector.connect(forced: exchange.forcedServer) { result in
            let handler = loopBound.value
            guard handler.exchange === exchange, !handler.closed else {
                if case .success(let channel) = result { channel.close(promise: nil) }
                return
            }
            switch result {
            case .success(let channel):
                handler.attach(channel, backend: backend, head: head, exchange: exchange)
            case .failure(let failure):
                // Refused, timed out, queued too long or no server up: HAProxy answers 503 to all.
                handler.finishWithError(503, termination: failure.termination, reason: "no server could take the request", keepAlive: true)
            }
        }
    }

    private func attach(_ channel: Channel, backend: BackendRuntime, head: ByteBuffer, exchange: HTTPExchange) {
        guard let server = exchange.server else {
            channel.close(promise: nil)
            return
        }
        let link = HTTPServerLink(channel: channel, backend: backend, serverIndex: server.index, serverName: exchange.connector?.serverName)
        do {
            try channel.pipeline.syncOperations.addHandler(HTTPServerSideHandler(session: self, link: link))
        } catch {
            channel.close(promise: nil)
            finishWithError(503, termination: TerminationState(.serverAbort, .connect), reason: "server connection failed")
            return
        }
        self.link = link
        if let proxyHeader = server.proxyProtocolHeader(for: connection, uniqueID: exchange.uniqueID) {
            var buffer = channel.allocator.buffer(capacity: proxyHeader.count)
            buffer.writeBytes(proxyHeader)
            channel.write(buffer, promise: nil)
        }
        channel.setAutoRead(true)
        write(head, to: link, exchange: exchange, isNew: true)
    }

    private func write(_ head: ByteBuffer, to link: HTTPServerLink, exchange: HTTPExchange, isNew: Bool) {
        exchange.sentHead = head
        if !exchange.stickStores.isEmpty {
            // `stick store-request`: kept with the server that takes the request.
            StickPersistence.store(exchange.stickStores, server: link.serverIndex)
        }
        state.requestWritten(bodyComplete: requestBody.isComplete)
        responseScanner.reset()
        lastServerActivity = .now()
        link.channel.write(head, promise: nil)
        if requestBody.isComplete {
            link.channel.flush()
            requestSent()
        } else {
            processInbound()
            link.channel.flush()
            // The client closed while the connection was being made (`endWhatCannotComplete`).
            if clientInputClosed { endWhatCannotComplete() }
        }
        updateClientReading()
    }

    /// The whole request is with the server: the wait for its answer starts.
    func requestSent() {
        exchange?.requestSentAt = .now()
        lastServerActivity = .now()
        rearmTimer()
    }

    /// The SNI a new connection to server `index` would send for this exchange.
    private func serverName(for index: Int, backend: BackendRuntime, exchange: HTTPExchange) -> String? {
        guard backend.servers[index].trafficTLS != nil, var context = exchange.serverNameContext else { return nil }
        return backend.routes.serverName(index, &context)
    }

    /// The client's address hash, and the request's key for `balance uri`, `url_param`, `hdr()`.
    private func balanceKey(for exchange: HTTPExchange, backend: BackendRuntime) -> BalanceKey {
        let hashType = backend.routes.proxy.hashType
        var key = BalanceKey(sourceHash: hashType.hash(address: connection.source))
        let request = exchange.request
        switch backend.routes.proxy.balance {
        case .uri(let options):
            key.requestHash = RequestHash.uri(request, whole: options.whole, length: options.length, depth: options.depth, pathOnly: options.pathOnly, using: hashType)
        case .urlParameter(let name, _):
            key.requestHash = RequestHash.urlParameter(request, name: name, using: hashType)
        case .header(let name, let domainOnly):
            key.requestHash = RequestHash.header(request, name: name, domainOnly: domainOnly, using: hashType)
        default:
            break
        }
        return key
    }
}
