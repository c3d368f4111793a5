import NIOCore
import UsherConfig
import UsherRouting
import UsherSession

extension HTTPSessionHandler {
    // MARK: - Server events

    func serverRead(_ data: ByteBuffer, from source: HTTPServerLink) {
        guard source === link, let context, !closed else { return }
        var data = data
        lastServerActivity = .now()
        if isTunnel {
            exchange?.bytesToClient += data.readableBytes
            noteTunnelActivity()
            context.write(wrapOutboundOut(data), promise: nil)
            return
        }
        switch state.response {
        case nil, .none?:
            // An idle server has nothing to say; bytes now mean the connection is not clean.
            dropServerLink()
        case .head?:
            // An answer has begun: the request cannot be sent again; its kept body is let go.
            if let exchange, exchange.onReusedConnection, exchange.canReplay {
                exchange.canReplay = false
                exchange.replayBody = nil
            }
            if responseBuffer.readableBytes == 0 { responseBuffer = data } else { responseBuffer.writeBuffer(&data) }
            processResponseHead()
        case .body?:
            forwardResponseBody(&data)
        }
    }

    func serverReadComplete() {
        context?.flush()
    }

    func serverWritabilityChanged(_ source: HTTPServerLink) {
        guard source === link else { return }
        if source.channel.isWritable {
            lastServerActivity = .now()
            processInbound()
            source.channel.flush()
        }
        updateClientReading()
    }

    func serverClosed(_ source: HTTPServerLink) {
        guard source === link else { return }
        link = nil
        guard !closed else { return }
        // The server closed a reused connection before answering: it closed right after its last
        // answer, or at its idle timeout, as the request went out (a race every keep-alive client
        // knows). If nothing came back and what was sent is kept, it goes again on a new
        // connection, as HAProxy 2.6 does when it sees the close in time (otherwise it closes the
        // client's connection; it never answers 502 there).
        let canRetry = exchange.map {
            $0.onReusedConnection && $0.canReplay && ($0.replayBody?.readableBytes ?? 0) == $0.bodyBytesForwarded && responseBuffer.readableBytes == 0
        } ?? false
        let action = state.serverClosed(canRetry: canRetry, bodyEndsAtClose: responseBody.endsAtClose)
        switch action {
        case .none:
            // An idle keep-alive connection the server closed: the next request opens another.
            state.serverDetached()
        case .closeClientAfterFlush:
            closeClientAfterFlush()
        case .retry:
            if let exchange { retryOnNewConnection(exchange) }
        case .badGateway:
            finishWithError(502, termination: TerminationState(.serverAbort, .headers), reason: "server closed before answering", keepAlive: true)
        case .responseComplete:
            exchange?.clientKeepAlive = false
            responseComplete()
        case .abort:
            abort(TerminationState(.serverAbort, .data))
        }
    }

    /// Sends the request again on a new connection: its head, the body bytes already sent
    /// (`exchange.replayBody`), then whatever of the body is still to come, as usual.
    private func retryOnNewConnection(_ exchange: HTTPExchange) {
        guard let backend = exchange.backend, var head = exchange.sentHead else {
            finishWithError(502, termination: TerminationState(.serverAbort, .headers), reason: "server closed before answering")
            return
        }
        exchange.connector?.releaseSlot()
        exchange.onReusedConnection = false
        state.retrying()
        if var body = exchange.replayBody {
            head.writeBuffer(&body)
            exchange.replayBody = nil
        }
        responseBuffer.clear()
        sendRequestHead(head, exchange: exchange, backend: backend)
    }

    /// Keeps body bytes written on a reused connection, to send again if the server turns out to
    /// have closed it; past `tune.bufsize` they are dropped and the request can no longer be retried.
    func keepForReplay(_ slice: ByteBuffer, exchange: HTTPExchange) {
        guard exchange.canReplay else { return }
        guard var kept = exchange.replayBody else {
            // The first piece is kept as it is (a view, not a copy).
            if slice.readableBytes <= runtime.bufferSize { exchange.replayBody = slice } else { exchange.canReplay = false }
            return
        }
        exchange.replayBody = nil
        guard kept.readableBytes + slice.readableBytes <= runtime.bufferSize else {
            exchange.canReplay = false
            return
        }
        var slice = slice
        kept.writeBuffer(&slice)
        exchange.replayBody = kept
    }

    // MARK: - Response head

    private func processResponseHead() {
        guard let context, let exchange else { return }
        while state.response == .head {
            let length = responseBuffer.withUnsafeReadableBytes { responseScanner.headLength(in: $0) }
            guard let length else {
                if responseBuffer.readableBytes > frontend.httpLimits.maxHeadBytes {
                    failResponse("response head too large")
                }
                return
            }
            let limits = frontend.httpLimits
            let parsed = responseBuffer.withUnsafeReadableBytes { bytes in
                Result { () throws(HTTPParseError) in
                    try HTTPHeadParser.parseResponse(UnsafeRawBufferPointer(rebasing: bytes[..<length]), limits: limits)
                }
            }
            let raw = responseBuffer.readSlice(length: length)!
            guard case .success(var head) = parsed else {
                if case .failure(let error) = parsed { failResponse(error.reason) }
                return
            }
            let received = head
            if exchange.responseMilliseconds < 0, let sent = exchange.requestSentAt ?? Optional(exchange.started) {
                exchange.responseMilliseconds = ServerConnector.milliseconds(since: sent)
            }
            if head.status == 101 {
                switchProtocols(head, exchange: exchange)
                return
            }
            if head.isInformational {
                // 100 Continue and the like go to the client as they are; the final answer follows.
                guard exchange.request.version != .http1_0 else { continue }
                var buffer = context.channel.allocator.buffer(capacity: length)
                buffer.writeHTTPResponseHead(head)
                exchange.bytesToClient += buffer.readableBytes
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
                continue
            }
            let framing: HTTPBodyFraming
            do {
                framing = try HTTPFramingRules.prepareResponse(&head, requestMethod: exchange.request.method)
            } catch {
                failResponse(error.reason)
                return
            }
            if exchange.request.method == "CONNECT" && (200..<300).contains(head.status) {
                failResponse("CONNECT tunnels are not supported")
                return
            }
            exchange.serverStatus = head.status
            stickCounters?.countResponse(status: head.status)
            if let persistence = exchange.backend?.routes.stickPersistence, persistence.hasResponseRules, let server = exchange.server {
                var sample = SampleContext(
                    connection: connection, payload: ByteBuffer(), isFinal: true, helloParser: runtime.helloParser,
                    request: exchange.request, response: head, variables: self
                )
                sample.stickCounters = stickCounters
                sample.stream = streamFacts(exchange)
                StickPersistence.store(persistence.evaluateResponse(&sample, requestStores: exchange.stickStores), server: server.index)
            }
            // The request's `req` variables are gone; `res` ones exist from here.
            sessionVariables.beginResponse()
            exchange.capturedResponseHeaders = captures(frontend.responseCaptures, in: head.headers)
            let backendRules = exchange.backend?.routes.httpResponseRules
            if backendRules?.isEmpty == false || !frontend.routes.httpResponseRules.isEmpty {
                var sample = SampleContext(
                    connection: connection, payload: ByteBuffer(), isFinal: true, helloParser: runtime.helloParser,
                    request: exchange.request, response: head, variables: self
                )
                sample.stickCounters = stickCounters
                sample.stream = streamFacts(exchange)
                sample.captures = captureSlots(exchange)
                if let backendRules {
                    guard handleResponseRuleOutcome(backendRules.apply(to: &head, &sample)) else { return }
                }
                guard handleResponseRuleOutcome(frontend.routes.httpResponseRules.apply(to: &head, &sample)) else { return }
                if exchange.capturedResponseHeaders != nil { exchange.capturedResponseHeaders = sample.captures.response }
            }
            if let persistence = exchange.backend?.persistence, let cookieRequest = exchange.cookieRequest {
                let outcome = persistence.processResponse(
                    head, request: cookieRequest, method: exchange.request.method, server: exchange.server?.index, now: LogClock.unixSeconds()
                )
                outcome.apply(to: &head.headers)
                exchange.serverCookie = outcome.action
            }
            if let algorithm = exchange.compressionAlgorithm,
                HTTPCompressionPolicy.qualifies(head, framing: framing, request: exchange.request, types: exchange.compressionTypes),
                let compressor = try? ResponseCompressor(algorithm) {
                HTTPCompressionPolicy.rewrite(&head, for: algorithm)
                exchange.compressor = compressor
            }
            applyAfterResponseRules(to: &head, exchange: exchange)
            exchange.status = head.status
            // The client's half-close is not here: it closes the connection after the answer
            // (`responseComplete`), as HAProxy does, without changing what the answer says.
            if framing == .untilClose || state.request != .sent {
                // A body that ends at close can only be relayed to a client that is closed after it.
                exchange.clientKeepAlive = false
            }
            if !HTTPHopHeaders.serverKeepsAlive(head) || framing == .untilClose {
                exchange.serverKeepAlive = false
            }
            HTTPHopHeaders.setResponseConnection(&head, clientVersion: exchange.request.version, keepAlive: exchange.clientKeepAlive)
            var buffer: ByteBuffer
            if ByteBuffer.canForwardAsReceived(raw, head: head, parsed: received) {
                buffer = raw
            } else {
                buffer = context.channel.allocator.buffer(capacity: length + 64)
                buffer.writeHTTPResponseHead(head)
            }
            exchange.bytesToClient += buffer.readableBytes
            exchange.responseStarted = true
            context.write(wrapOutboundOut(buffer), promise: nil)
            if frontend.logsEarly { log(exchange, early: true) }
            responseBody = HTTPBodyReader(framing: framing, limits: frontend.httpLimits)
            state.responseBodyStarted()
            rearmTimer()
            var rest = responseBuffer
            responseBuffer = context.channel.allocator.buffer(capacity: 0)
            forwardResponseBody(&rest)
            context.flush()
        }
    }

    /// Carries out what `http-response` rules decided. Returns true to relay the response.
    private func handleResponseRuleOutcome(_ outcome: CompiledHTTPRules.Outcome) -> Bool {
        switch outcome {
        case .proceed:
            return true
        case .error(let status):
            exchange?.outcome = .responseDenied
            finishWithError(status, termination: TerminationState(.proxy, .headers), reason: "denied by an http-response rule", keepAlive: true)
            return false
        case .reply(let status, let bytes):
            // The server's response is dropped, and its connection with it.
            replyLocally(status: status, bytes: bytes, keepAlive: false)
            return false
        case .service, .tarpit, .authenticate:
            return true  // `use-service`, `tarpit` and `auth` are http-request actions only.
        case .silentDrop:
            // As HAProxy logs it: the server's status, no response time, `PR`; a denied request.
            guard let exchange else { return false }
            exchange.outcome = .denied
            exchange.status = exchange.serverStatus
            exchange.responseMilliseconds = -1
            exchange.termination = TerminationState(.proxy, .request)
            dropSilently()
            endExchange()
            return false
        }
    }

    /// A response that cannot be relayed: 502 if nothing reached the client yet.
    private func failResponse(_ reason: String) {
        runtime.logger.debug("\(frontend.name): invalid response: \(reason)")
        if exchange?.responseStarted == true {
            abort(TerminationState(.proxy, .headers))
        } else {
            finishWithError(502, termination: TerminationState(.proxy, .headers), reason: reason, keepAlive: true)
        }
    }

    // MARK: - Response body

    private func forwardResponseBody(_ data: inout ByteBuffer) {
        guard let context, let exchange else { return }
        guard data.readableBytes > 0 || responseBody.isComplete else { return }
        let consumed: Int
        // Where the content is among the bytes, framing left out: wanted only when compressing.
        var content: [Range<Int>] = []
        do {
            if exchange.compressor != nil {
                consumed = try data.withUnsafeReadableBytes { bytes throws(HTTPParseError) in try responseBody.consume(bytes) { content.append($0) } }
            } else {
                consumed = try data.withUnsafeReadableBytes { bytes throws(HTTPParseError) in try responseBody.consume(bytes) }
            }
        } catch {
            runtime.logger.debug("\(frontend.name): bad response body framing: \(error.reason)")
            abort(TerminationState(.proxy, .data))
            return
        }
        if let compressor = exchange.compressor {
            // The content is compressed and sent in chunks of its own; the server's framing stays here.
            guard compressResponseBody(&data, consumed: consumed, content: content, with: compressor, exchange: exchange, context: context) else { return }
        } else if consumed > 0, let slice = data.readSlice(length: consumed) {
            exchange.bytesToClient += consumed
            context.write(wrapOutboundOut(slice), promise: nil)
        }
        if responseBody.isComplete {
            if data.readableBytes > 0 {
                // More than the response: the connection cannot be trusted for another request.
                exchange.serverKeepAlive = false
            }
            responseComplete()
        } else {
            updateServerReading()
        }
    }

    /// Compresses the content among the `consumed` bytes at the front of `data` (`content` says
    /// where it is) and sends it as chunks; the last chunk once the body is complete. False when
    /// compression failed and the exchange was aborted.
    private func compressResponseBody(
        _ data: inout ByteBuffer, consumed: Int, content: [Range<Int>], with compressor: ResponseCompressor, exchange: HTTPExchange,
        context: ChannelHandlerContext
    ) -> Bool {
        let allocator = context.channel.allocator
        do {
            for range in content where !range.isEmpty {
                guard let content = data.getSlice(at: data.readerIndex + range.lowerBound, length: range.count),
                    let chunk = try compressor.chunk(content, allocator: allocator)
                else { continue }
                exchange.bytesToClient += chunk.readableBytes
                context.write(wrapOutboundOut(chunk), promise: nil)
            }
            data.moveReaderIndex(forwardBy: consumed)
            if responseBody.isComplete {
                let last = try compressor.finish(allocator: allocator)
                exchange.bytesToClient += last.readableBytes
                context.write(wrapOutboundOut(last), promise: nil)
            }
            return true
        } catch {
            runtime.logger.debug("\(frontend.name): compressing the response failed: \(error)")
            abort(TerminationState(.proxy, .data))
            return false
        }
    }

    /// Server reading follows the client's socket: it stops while the client is not taking more.
    func updateServerReading() {
        if isTunnel {
            // Both directions, both ways: see `TunnelStateMachine`.
            updateTunnelReading()
            return
        }
        guard let link, context != nil else { return }
        link.setReading(state.readsServer(sockets))
    }

    // MARK: - Protocol switch

    private func switchProtocols(_ head: HTTPResponseHead, exchange: HTTPExchange) {
        guard let context else { return }
        guard exchange.isUpgrade, head.headers.contains("Upgrade") else {
            failResponse("101 to a request that did not ask for an upgrade")
            return
        }
        if let key = exchange.webSocketKey {
            guard head.headers[first: "Sec-WebSocket-Accept"] == WebSocketAccept.value(forKey: key) else {
                failResponse("101 without the right Sec-WebSocket-Accept")
                return
            }
        }
        guard state.request == .sent else {
            failResponse("101 before the request body was complete")
            return
        }
        exchange.status = 101
        exchange.responseStarted = true
        var buffer = context.channel.allocator.buffer(capacity: 256)
        buffer.writeHTTPResponseHead(head)
        exchange.bytesToClient += buffer.readableBytes
        context.write(wrapOutboundOut(buffer), promise: nil)
        // No response phase any more: bytes from the server are the tunnel's.
        let clientFIN = state.switchedProtocols()
        noteTunnelActivity()
        if responseBuffer.readableBytes > 0 {
            exchange.bytesToClient += responseBuffer.readableBytes
            context.write(wrapOutboundOut(responseBuffer), promise: nil)
            responseBuffer = context.channel.allocator.buffer(capacity: 0)
        }
        context.flush()
        if inbound.readableBytes > 0, let link {
            exchange.bytesFromClient += inbound.readableBytes
            link.channel.writeAndFlush(inbound, promise: nil)
            inbound = context.channel.allocator.buffer(capacity: 0)
        }
        carryOut(clientFIN)
        rearmTimer()
        updateTunnelReading()
    }

    // MARK: - End of an exchange

    /// The response went out whole: keep or close each side, then take the next request.
    func responseComplete() {
        guard let context, let exchange else { return }
        if let link {
            if exchange.serverKeepAlive && state.request == .sent && exchange.server?.proxyHeaderIsPerStream != true {
                link.isIdle = true
                link.setReading(true)
            } else {
                dropServerLink()
            }
        }
        state.serverDetached()
        endExchange()
        let keepAlive = exchange.clientKeepAlive && !runtime.isStopping.load(ordering: .relaxed)
        if keepAlive {
            state.exchangeEnded(keepAlive: true)
            context.flush()
            headScanner.reset()
            requestWaitStarted = .now()
            requestWaitWallMicroseconds = LogClock.wallMicroseconds()
            rearmTimer()
            updateClientReading()
            // Answered from inside `processInbound` (usher's own reply): its loop goes on with the
            // next request. Calling it again here recursed once per pipelined request, and a few
            // thousand of them overflowed the stack (SIGSEGV).
            guard !isProcessingInbound else { return }
            processInbound()
            // A client that has half-closed gets answers to the requests it sent whole, then the
            // close (a partial one left: 400, as when the FIN came).
            if clientInputClosed { endWhatCannotComplete() }
        } else {
            closeClientAfterFlush()
        }
    }

    /// Logs the exchange and gives back what it held.
    func endExchange() {
        guard let exchange else { return }
        self.exchange = nil
        exchange.connector?.cancel()
        if let backend = exchange.backend {
            backend.activeConnections.wrappingDecrement(ordering: .relaxed)
        }
        count(exchange)
        log(exchange)
        if let stickCounters {
            stickCounters.countBytes(in: UInt64(max(0, exchange.bytesFromClient)), out: UInt64(max(0, exchange.bytesToClient)))
            stickCounters.endStream()
        }
        // The transaction's variables live until its log line is written.
        sessionVariables.endTransaction()
    }

    func closeClientAfterFlush() {
        guard let context, !closed else { return }
        let channel = context.channel
        readForCloseNotify(channel)
        context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            channel.close(promise: nil)
        }
        // Every waiting state has a timeout: a client that never takes these bytes is closed
        // after `timeout client`, and gives back its slot.
        enterClosing()
    }
}
