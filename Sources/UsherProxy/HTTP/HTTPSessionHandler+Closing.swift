import NIOCore
import UsherConfig

/// The closing phase: the last response (or an error page) is written, the connection closes once
/// the client has taken it. A client that stops reading would keep the connection — and its
/// `maxconn` slot — forever, so `timeout client` bounds the wait, measured from the last time the
/// client took bytes; when it expires the connection is closed at once, unsent bytes dropped.
extension HTTPSessionHandler {
    /// Arms the closing phase's timer. Called once `closed` is set and the final flush is queued;
    /// replaces any phase timer. The wait on the client starts now (not at its last activity: the
    /// client may have waited on the server for longer than `timeout client`).
    func armClosingTimer(starting: Bool = true) {
        if starting { lastClientActivity = .now() }
        timer?.cancel()
        timer = nil
        timerDeadline = nil
        guard let context, let limit = frontend.timeouts.client else { return }
        let deadline = lastClientActivity + .milliseconds(max(1, limit.milliseconds))
        timerDeadline = deadline
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            loopBound.value.closingTimerFired()
        }
    }

    private func closingTimerFired() {
        timer = nil
        timerDeadline = nil
        guard let context, context.channel.isActive else { return }
        if let limit = frontend.timeouts.client, lastClientActivity + .milliseconds(max(1, limit.milliseconds)) > .now() {
            // The client took some of it meanwhile: it is slow, not gone.
            armClosingTimer(starting: false)
            return
        }
        runtime.logger.debug("\(frontend.name): client did not read the last response within timeout client; closing")
        context.close(promise: nil)
    }
}
