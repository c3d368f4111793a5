import NIOCore
import UsherConfig
import UsherRouting
import UsherSession

/// `http-request tarpit`: the request is held, without a word, for `timeout tarpit` (else
/// `timeout connect`, else `timeout client`) of the proxy whose rule decided, or until the client
/// closes or half-closes; then the rule's answer goes out (500 by default) and the connection goes
/// on as after any answer. Logged `PT` (`CT` if the client left), with the time held as `Tw`, as
/// HAProxy logs it; counted as a denied request.
extension HTTPSessionHandler {
    func startTarpit(_ answer: CompiledHTTPRules.Outcome, framing: HTTPBodyFraming, timeouts: Timeouts) {
        guard let exchange else { return }
        exchange.outcome = .denied
        // HAProxy reports no request time for a tarpitted request.
        exchange.headMilliseconds = -1
        let limit = timeouts.tarpit ?? timeouts.connect ?? frontend.timeouts.client
        let now = NIODeadline.now()
        let until = now + .milliseconds(Int64(max(0, limit?.milliseconds ?? 0)))
        exchange.tarpit = HTTPExchange.Tarpit(started: now, until: until, answer: answer, framing: framing)
        state.tarpitStarted(until: until)
        // Every wait has a limit: without any of the three timeouts, the answer goes at once.
        guard limit != nil, !clientInputClosed else {
            endTarpit()
            return
        }
        rearmTimer()
    }

    /// The tarpit is over: the answer goes out.
    func endTarpit() {
        guard let exchange, let tarpit = exchange.tarpit else { return }
        exchange.tarpit = nil
        exchange.tarpitMilliseconds = ServerConnector.milliseconds(since: tarpit.started)
        let termination = TerminationState(.proxy, .tarpit)
        exchange.termination = termination
        switch tarpit.answer {
        case .reply(let status, let bytes):
            // A request body nobody will read cannot be skipped safely: the connection closes.
            replyLocally(status: status, bytes: bytes, keepAlive: tarpit.framing == .none && exchange.clientKeepAlive)
        case .error(let status):
            finishWithError(status, termination: termination, reason: "tarpitted by an http-request rule", keepAlive: true)
        default:
            finishWithError(500, termination: termination, reason: "tarpitted by an http-request rule", keepAlive: true)
        }
    }
}
