import NIOCore
import UsherConfig
import UsherRouting
import UsherSession

/// The session's one timer: `HTTPSessionStateMachine.deadline` says which wait is in force in the
/// phase (every phase but `closed` has one when the timeouts say so, the closing one included);
/// this re-arms it and carries out its expiry.
extension HTTPSessionHandler {
    /// The deadline in force now, from the phase and the last activity.
    private func currentDeadline() -> (NIODeadline, HTTPSessionStateMachine.Expiry)? {
        state.deadline(
            timeouts: exchange?.timeouts ?? frontend.timeouts, handshakeLimit: frontend.handshakeLimit,
            activity: HTTPSessionStateMachine.Activity(
                requestWaitStarted: requestWaitStarted, lastClient: lastClientActivity, lastServer: lastServerActivity
            ),
            sockets: sockets, serverChosen: exchange?.connector?.server != nil
        )
    }

    /// Makes sure the deadline in force will be checked. Activity moves timestamps only; a check
    /// that finds its deadline moved schedules itself again. A check already due no later than the
    /// new deadline stays as it is: most phase changes then cost no timer operation at all.
    func rearmTimer() {
        guard let context, let (deadline, _) = currentDeadline() else { return }
        if timer != nil, let scheduled = timerDeadline, scheduled <= deadline { return }
        timer?.cancel()
        timerDeadline = deadline
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            loopBound.value.timerFired()
        }
    }

    /// The last bytes are queued for the client: the connection closes once it has taken them. A
    /// client that stops reading would keep the connection — and its `maxconn` slot — forever, so
    /// `timeout client` bounds the wait, measured from the last time the client took bytes (from
    /// now at first: the client may have waited on the server for longer than that).
    func enterClosing() {
        state.closing()
        lastClientActivity = .now()
        rearmTimer()
    }

    private func timerFired() {
        timer = nil
        timerDeadline = nil
        guard let (deadline, expiry) = currentDeadline() else { return }
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
        case .tunnelServer:
            abort(TerminationState(.serverTimeout, .data))
        case .tarpit:
            endTarpit()
        case .clientNotReading:
            closeClient()
        case .handshake:
            // Closed by usher: no line is logged for it.
            closeClient()
        case .closing:
            runtime.logger.debug("\(frontend.name): client did not read the last response within timeout client; closing")
            state.closed()
            context?.close(promise: nil)
        }
    }
}
