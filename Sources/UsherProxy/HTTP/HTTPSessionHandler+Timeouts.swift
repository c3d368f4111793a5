import NIOCore
import UsherConfig
import UsherRouting

extension HTTPSessionHandler {
    /// What happens when the running timeout expires.
    enum Expiry {
        /// `timeout http-keep-alive` between requests: closed without a word.
        case idleBetweenRequests
        /// `timeout http-request`: the head did not arrive whole in time (408).
        case requestHead
        /// `timeout client` while the client is expected to send or to read.
        case client
        /// `timeout client` while requests wait for the client to read earlier answers.
        case clientNotReading
        /// `timeout server` while waiting for the server.
        case server
        /// `timeout tunnel` after an upgrade.
        case tunnel
        /// `timeout client` before the TLS handshake has completed.
        case handshake
        /// `timeout tarpit`: the held request gets its answer.
        case tarpit
    }

    /// The deadline in force now, from the phase and the last activity.
    private func currentDeadline() -> (NIODeadline, Expiry)? {
        let timeouts = exchange?.timeouts ?? frontend.timeouts
        func at(_ start: NIODeadline, _ limit: Duration?) -> NIODeadline? {
            limit.map { start + .milliseconds(max(1, $0.milliseconds)) }
        }
        if isTunnel {
            return tunnelDeadline(timeouts)
        }
        if awaitingHandshake {
            return at(requestWaitStarted, frontend.handshakeLimit).map { ($0, .handshake) }
        }
        guard let exchange else {
            if !isClientWritable, requestCount > 0 {
                return at(lastClientActivity, timeouts.client).map { ($0, .clientNotReading) }
            }
            if requestCount > 0 && inbound.readableBytes == 0 {
                let limit = timeouts.httpKeepAlive ?? timeouts.httpRequest ?? timeouts.client
                return at(requestWaitStarted, limit).map { ($0, .idleBetweenRequests) }
            }
            return at(requestWaitStarted, timeouts.httpRequest ?? timeouts.client).map { ($0, .requestHead) }
        }
        if let tarpit = exchange.tarpit {
            return (tarpit.until, .tarpit)
        }
        var earliest: (NIODeadline, Expiry)? = nil
        // The client is waited on while it owes body bytes, or while it is not reading ours.
        let clientOwesBytes = requestPhase == .body && (link?.channel.isWritable ?? true)
        let clientBlocked = !(context?.channel.isWritable ?? true)
        if clientOwesBytes || clientBlocked, let deadline = at(lastClientActivity, timeouts.client) {
            earliest = (deadline, .client)
        }
        if responsePhase != .idle || requestPhase == .done, exchange.connector?.server != nil, let deadline = at(lastServerActivity, timeouts.server),
            earliest.map({ deadline < $0.0 }) ?? true
        {
            earliest = (deadline, .server)
        }
        return earliest
    }

    /// Makes sure the deadline in force will be checked. Activity moves timestamps only; a check
    /// that finds its deadline moved schedules itself again. A check already due no later than the
    /// new deadline stays as it is: most phase changes then cost no timer operation at all.
    func rearmTimer() {
        guard !closed, let context, let (deadline, _) = currentDeadline() else { return }
        if timer != nil, let scheduled = timerDeadline, scheduled <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            loopBound.value.timerFired()
        }
    }

    private func timerFired() {
        timer = nil
        timerDeadline = nil
        guard !closed, let (deadline, expiry) = currentDeadline() else { return }
        guard deadline <= .now() else {
            rearmTimer()
            return
        }
        switch expiry {
        case .idleBetweenRequests:
            closeClient()
        case .requestHead:
            let isProbe = requestCount == 0 && inbound.readableBytes == 0
            if isProbe && frontend.ignoresProbes {
                closeClient()
                return
            }
            // As HAProxy, the first request's timeout counts as a request and an error for the
            // tracked stick counters (not the wait for a later one).
            if requestCount == 0 { stickCounters?.countHTTPRequest(isError: true) }
            finishWithError(408, termination: TerminationState(.clientTimeout, .request), reason: "request head not received in time")
        case .client:
            if exchange?.responseStarted == true {
                abort(TerminationState(.clientTimeout, .data))
            } else {
                finishWithError(408, termination: TerminationState(.clientTimeout, .data), reason: "client stopped sending the request body")
            }
        case .server:
            if exchange?.responseStarted == true {
                abort(TerminationState(.serverTimeout, .data))
            } else {
                finishWithError(504, termination: TerminationState(.serverTimeout, .headers), reason: "server did not answer in time", keepAlive: true)
            }
        case .tunnel:
            abort(TerminationState(.clientTimeout, .data))
        case .tarpit:
            endTarpit()
        case .clientNotReading:
            closeClient()
        case .handshake:
            // Closed by usher (`closed`): no line is logged for it.
            closeClient()
        }
    }
}
