import NIOCore
import UsherConfig

/// The life of one HTTP/1 client connection as one value: which phase it is in, and what each
/// event means in that phase. It never touches a socket or a clock: the driver
/// (`HTTPSessionHandler` today) tells it what happened and what the sockets look like, and
/// carries out what it answers.
///
/// Every phase is an enum case with its own data, so the combinations that cannot happen cannot be
/// written: a tunnel has no response phase, a tarpit has no server, a connection being closed has
/// no exchange. What the flags of the old handler left implicit — "the request is whole and waits
/// for its server connection", "the last answer is on its way out" — are phases here, each with
/// the timeout that ends it.
public struct HTTPSessionStateMachine: Sendable {
    /// Where the request of an exchange is.
    public enum Request: Sendable, Equatable {
        /// Routed (or being routed), and no server connection carries it yet: it waits for a
        /// connection to be made, or usher answers it itself. Body bytes wait in the client's buffer.
        case pending
        /// Its head is on a server connection; body bytes are still to be forwarded.
        case body
        /// It is with the server whole (or usher has answered it).
        case sent
    }

    /// Where the response of an exchange is.
    public enum Response: Sendable, Equatable {
        /// Not asked for yet: the request is not on a server connection.
        case none
        /// Waiting for (the rest of) the response head.
        case head
        /// Forwarding the response body.
        case body
    }

    public enum Phase: Sendable, Equatable {
        /// Before requests can be read: a PROXY header (`accept-proxy`) and/or a TLS handshake
        /// (`bind … ssl`) are still to come.
        case settingUp(proxyHeader: Bool, handshake: Bool)
        /// Waiting for a request head: the first, or the next one on a kept-alive connection.
        case awaitingHead
        /// A head arrived whole; the password checks its rules need run off the event loop.
        case checkingCredentials
        /// A request and its response are under way.
        case exchange(request: Request, response: Response)
        /// `http-request tarpit` holds the request until `until` (or until the client closes).
        case tarpit(until: NIODeadline)
        /// After a 101: bytes pass untouched both ways.
        case tunnel(TunnelStateMachine)
        /// The last bytes (an answer, an error page) are on their way to the client; the
        /// connection closes once it has taken them, or when `timeout client` runs out.
        case closing
        /// Closed, or handed to another protocol (HTTP/2): nothing more happens here.
        case closed
    }

    public private(set) var phase: Phase
    /// The client has half-closed: nothing more will come from it.
    public private(set) var clientInputClosed = false
    /// Requests started on this connection (those refused before routing not counted).
    public private(set) var requestCount = 0

    /// A connection just accepted (`acceptProxy`: a PROXY header comes first; `handshake`: the
    /// bind terminates TLS).
    public init(acceptProxy: Bool, handshake: Bool) {
        phase = acceptProxy || handshake ? .settingUp(proxyHeader: acceptProxy, handshake: handshake) : .awaitingHead
    }

    // MARK: - What the phase says

    /// Closing or closed: no request is read any more, no server is asked anything.
    public var isEnding: Bool {
        switch phase {
        case .closing, .closed: return true
        default: return false
        }
    }

    public var isTunnel: Bool {
        if case .tunnel = phase { return true }
        return false
    }

    /// The TLS handshake is not done yet (nothing may go out in clear on that port).
    public var awaitsHandshake: Bool {
        if case .settingUp(_, true) = phase { return true }
        return false
    }

    /// A PROXY header is still to read.
    public var awaitsProxyHeader: Bool {
        if case .settingUp(true, _) = phase { return true }
        return false
    }

    /// The request head is still to come (or to be checked): no exchange exists.
    public var awaitsRequest: Bool {
        switch phase {
        case .settingUp, .awaitingHead, .checkingCredentials: return true
        default: return false
        }
    }

    /// The request side of the exchange under way (nil outside an exchange).
    public var request: Request? {
        if case .exchange(let request, _) = phase { return request }
        return nil
    }

    /// The response side of the exchange under way (nil outside an exchange).
    public var response: Response? {
        if case .exchange(_, let response) = phase { return response }
        return nil
    }

    // MARK: - Setting up

    /// The PROXY header was read (or found absent where allowed).
    public mutating func proxyHeaderRead() {
        guard case .settingUp(true, let handshake) = phase else { return unexpected("proxyHeaderRead") }
        phase = handshake ? .settingUp(proxyHeader: false, handshake: true) : .awaitingHead
    }

    /// The TLS handshake completed.
    public mutating func handshakeCompleted() {
        guard case .settingUp(let proxyHeader, true) = phase else { return unexpected("handshakeCompleted") }
        phase = proxyHeader ? .settingUp(proxyHeader: true, handshake: false) : .awaitingHead
    }

    // MARK: - Requests

    /// A head arrived whole and waits for its password checks.
    public mutating func credentialCheckStarted() {
        guard case .awaitingHead = phase else { return unexpected("credentialCheckStarted") }
        phase = .checkingCredentials
    }

    /// The password checks are done (the head goes on as if it had just arrived).
    public mutating func credentialCheckEnded() {
        guard case .checkingCredentials = phase else { return }
        phase = .awaitingHead
    }

    /// The request passed the checks that can refuse it before routing: it counts as a request.
    public mutating func requestCounted() {
        requestCount += 1
    }

    /// A request head was accepted: its rules run, then it goes to a server or is answered here.
    public mutating func exchangeStarted() {
        guard case .awaitingHead = phase else { return unexpected("exchangeStarted") }
        phase = .exchange(request: .pending, response: .none)
    }

    /// The head went out on a server connection (with every body byte received so far); the
    /// response is awaited from now on.
    public mutating func requestWritten(bodyComplete: Bool) {
        guard case .exchange(.pending, _) = phase else { return unexpected("requestWritten") }
        phase = .exchange(request: bodyComplete ? .sent : .body, response: .head)
    }

    /// The last byte of the request body went to the server.
    public mutating func requestBodyForwarded() {
        guard case .exchange(.body, let response) = phase else { return unexpected("requestBodyForwarded") }
        phase = .exchange(request: .sent, response: response)
    }

    /// The response head went to the client; its body follows.
    public mutating func responseBodyStarted() {
        guard case .exchange(let request, .head) = phase else { return unexpected("responseBodyStarted") }
        phase = .exchange(request: request, response: .body)
    }

    /// The server closed a reused connection before answering: the request goes again on a new one.
    public mutating func retrying() {
        guard case .exchange(_, .head) = phase else { return unexpected("retrying") }
        phase = .exchange(request: .pending, response: .none)
    }

    /// usher answers the request itself (a rule's reply, an error page, the stats page): nothing of
    /// it goes further, and no server's response is awaited.
    public mutating func answeredLocally() {
        switch phase {
        case .exchange, .tarpit: phase = .exchange(request: .sent, response: .none)
        default: unexpected("answeredLocally")
        }
    }

    /// The server connection went away (dropped by usher, or closed between exchanges): no
    /// response is awaited on it any more.
    public mutating func serverDetached() {
        if case .exchange(let request, _) = phase { phase = .exchange(request: request, response: .none) }
    }

    /// The answer went out whole: with `keepAlive` the next request is awaited, else the
    /// connection closes once the client has taken what is queued for it.
    public mutating func exchangeEnded(keepAlive: Bool) {
        guard case .exchange = phase else { return unexpected("exchangeEnded") }
        phase = keepAlive ? .awaitingHead : .closing
    }

    /// `http-request tarpit` holds the request until `until`.
    public mutating func tarpitStarted(until: NIODeadline) {
        guard case .exchange = phase else { return unexpected("tarpitStarted") }
        phase = .tarpit(until: until)
    }

    /// The server answered 101: the connection is a tunnel from now on. A client that half-closed
    /// before has its FIN passed on now (the returned action).
    public mutating func switchedProtocols() -> TunnelStateMachine.FINAction {
        guard case .exchange(.sent, .head) = phase else {
            unexpected("switchedProtocols")
            return .none
        }
        var tunnel = TunnelStateMachine()
        let action = clientInputClosed ? tunnel.inputClosed(.client) : .none
        phase = .tunnel(tunnel)
        return action
    }

    // MARK: - Ending

    /// The last bytes are queued for the client: the connection closes once they are taken.
    public mutating func closing() {
        if phase != .closed { phase = .closing }
    }

    /// Closed (or handed over): nothing more happens.
    public mutating func closed() {
        phase = .closed
    }

    // MARK: - Half-closes

    /// What the driver knows of the client's side when its FIN is judged.
    public struct ClientEnd {
        /// Client bytes received and not handled yet (a partial head, pipelined requests, body bytes).
        public var pendingBytes: Int
        /// The client's socket takes more of what usher writes.
        public var clientWritable: Bool
        /// `option http-ignore-probes`.
        public var ignoresProbes: Bool
        /// A server connection is being made for the request.
        public var connecting: Bool
        /// The rest of the request body is among the pending bytes (or none is owed).
        public var bodyIsBuffered: () -> Bool

        public init(pendingBytes: Int, clientWritable: Bool, ignoresProbes: Bool, connecting: Bool, bodyIsBuffered: @escaping () -> Bool) {
            self.pendingBytes = pendingBytes
            self.clientWritable = clientWritable
            self.ignoresProbes = ignoresProbes
            self.connecting = connecting
            self.bodyIsBuffered = bodyIsBuffered
        }
    }

    /// What to do about a client that sent its FIN.
    public enum ClientEndAction: Sendable, Equatable {
        /// Nothing now: what it sent whole is being answered; the end is judged again after.
        case wait
        /// Close at once, without a word (before the TLS handshake; a probe under
        /// `http-ignore-probes`).
        case close
        /// A partial (or no) request will never complete: 400, as HAProxy answers.
        case badRequest
        /// Between requests: close once the last answer has gone out.
        case closeAfterFlush
        /// The tarpit ends when the client closes: its answer goes now.
        case endTarpit
        /// The request body can never complete: what the server was sent still reaches it,
        /// then both sides close.
        case abortRequestBody
        /// In a tunnel: pass the half-close on.
        case tunnel(TunnelStateMachine.FINAction)
    }

    /// The client sent its FIN.
    public mutating func clientInputEnded(_ end: ClientEnd) -> ClientEndAction {
        let first = !clientInputClosed
        clientInputClosed = true
        if case .tunnel(var tunnel) = phase {
            let action = tunnel.inputClosed(.client)
            phase = .tunnel(tunnel)
            return first ? .tunnel(action) : .wait
        }
        return whatCannotComplete(end)
    }

    /// After the client's FIN, judged when it arrives and again after each answer while requests
    /// wait in the buffer: what it sent whole is still answered, and only what can never complete
    /// ends the connection.
    public func whatCannotComplete(_ end: ClientEnd) -> ClientEndAction {
        guard clientInputClosed else { return .wait }
        switch phase {
        case .closing, .closed, .tunnel:
            return .wait
        case .settingUp(let proxyHeader, let handshake):
            // Nothing can go out in clear on a TLS port; a connection that never sent its PROXY
            // header has nothing to answer.
            if handshake || proxyHeader { return .close }
            return .wait
        case .checkingCredentials:
            // The head is started when its checks are done; the end is judged after its answer.
            return .wait
        case .tarpit:
            return .endTarpit
        case .awaitingHead:
            // Requests held back until the client reads its answers are served first.
            if !end.clientWritable, end.pendingBytes > 0 { return .wait }
            if requestCount == 0, end.pendingBytes == 0, end.ignoresProbes { return .close }
            if end.pendingBytes > 0 || requestCount == 0 { return .badRequest }
            return .closeAfterFlush
        case .exchange(let request, _):
            guard request != .sent, !end.bodyIsBuffered() else { return .wait }
            // Without `option abortonclose`, HAProxy does not give up a connection being made for
            // a client that closed: what was received reaches the server first; judged again
            // once it is sent.
            if request == .pending, end.connecting { return .wait }
            return .abortRequestBody
        }
    }

    /// The server sent its FIN in a tunnel: what to pass on.
    public mutating func serverInputEnded() -> TunnelStateMachine.FINAction {
        guard case .tunnel(var tunnel) = phase else { return .none }
        let action = tunnel.inputClosed(.server)
        phase = .tunnel(tunnel)
        return action
    }

    /// What to do about a server connection that closed.
    public enum ServerCloseAction: Sendable, Equatable {
        /// Nothing: an idle connection closed, or the connection is already ending.
        case none
        /// A reused connection closed before answering: send the request again on a new one.
        case retry
        /// Closed before the response head: 502.
        case badGateway
        /// A body delimited by the close: the response is complete.
        case responseComplete
        /// Closed mid-body: both sides close.
        case abort
        /// The tunnel's server is gone: the client closes once it has what is queued.
        case closeClientAfterFlush
    }

    /// The server's connection closed. `canRetry`: the request went on a reused connection, nothing
    /// came back and everything sent is kept; `bodyEndsAtClose`: the response body is delimited by
    /// the close.
    public func serverClosed(canRetry: Bool, bodyEndsAtClose: Bool) -> ServerCloseAction {
        switch phase {
        case .tunnel:
            return .closeClientAfterFlush
        case .exchange(_, .head):
            return canRetry ? .retry : .badGateway
        case .exchange(_, .body):
            return bodyEndsAtClose ? .responseComplete : .abort
        default:
            return .none
        }
    }

    // MARK: - Reading

    /// What the driver knows of the sockets and the buffer when deciding what to read and how long to wait.
    public struct Sockets: Sendable {
        /// The client's socket takes more of what usher writes.
        public var clientWritable: Bool
        /// The server connection's socket takes more (nil: there is no server connection).
        public var serverWritable: Bool?
        /// Client bytes received and not handled yet.
        public var pendingBytes: Int

        public init(clientWritable: Bool, serverWritable: Bool?, pendingBytes: Int) {
            self.clientWritable = clientWritable
            self.serverWritable = serverWritable
            self.pendingBytes = pendingBytes
        }

        var tunnel: TunnelStateMachine.Sockets {
            TunnelStateMachine.Sockets(clientWritable: clientWritable, serverWritable: serverWritable ?? false)
        }
    }

    /// Whether to read from the client now (nil: the connection is ending; leave it as it is).
    /// Reading stops while the server cannot take the bytes, and while enough is buffered for a
    /// request that cannot start yet; in a tunnel, while the server's socket is full.
    /// `headLimit`: the largest request head (`tune.bufsize` less `tune.maxrewrite`);
    /// `bufferSize`: `tune.bufsize`.
    public func readsClient(_ sockets: Sockets, headLimit: Int, bufferSize: Int) -> Bool? {
        switch phase {
        case .closing, .closed:
            return nil
        case .tunnel(let tunnel):
            return tunnel.shouldRead(.client, sockets.tunnel)
        case .settingUp, .awaitingHead:
            return sockets.clientWritable || sockets.pendingBytes < headLimit
        case .checkingCredentials, .exchange(.sent, _):
            return sockets.pendingBytes < headLimit
        case .exchange, .tarpit:
            return (sockets.serverWritable ?? false) || sockets.pendingBytes < bufferSize
        }
    }

    /// Whether to read from the server now: a response body only while the client takes more;
    /// in a tunnel, only while the client's socket takes more.
    public func readsServer(_ sockets: Sockets) -> Bool {
        switch phase {
        case .tunnel(let tunnel):
            return tunnel.shouldRead(.server, sockets.tunnel)
        case .exchange(_, .body):
            return sockets.clientWritable
        default:
            return true
        }
    }

    // MARK: - Timeouts

    /// Which wait ran out.
    public enum Expiry: Sendable, Equatable {
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
        /// `timeout tunnel` (or the client's) after an upgrade.
        case tunnel
        /// The server's side of a tunnel.
        case tunnelServer
        /// `timeout client` before the TLS handshake has completed.
        case handshake
        /// `timeout tarpit`: the held request gets its answer.
        case tarpit
        /// `timeout client` while the last answer waits for the client to take it.
        case closing
    }

    /// When the phase's activity was last seen.
    public struct Activity: Sendable {
        /// When the wait for the current request head began.
        public var requestWaitStarted: NIODeadline
        public var lastClient: NIODeadline
        public var lastServer: NIODeadline

        public init(requestWaitStarted: NIODeadline, lastClient: NIODeadline, lastServer: NIODeadline) {
            self.requestWaitStarted = requestWaitStarted
            self.lastClient = lastClient
            self.lastServer = lastServer
        }
    }

    /// The deadline in force now and what its expiry means (nil: nothing is waited on). Every
    /// phase but `closed` and a tunnel with nothing pending has one whenever the timeouts say so.
    /// `handshakeLimit`: how long a TLS handshake may take; `serverChosen`: the exchange has a
    /// server (a connection is made or being made), so `timeout server` applies.
    public func deadline(
        timeouts: Timeouts, handshakeLimit: Duration, activity: Activity, sockets: Sockets, serverChosen: Bool
    ) -> (NIODeadline, Expiry)? {
        func at(_ start: NIODeadline, _ limit: Duration?) -> NIODeadline? {
            limit.map { start + .milliseconds(max(1, $0.milliseconds)) }
        }
        switch phase {
        case .closed:
            return nil
        case .closing:
            return at(activity.lastClient, timeouts.client).map { ($0, .closing) }
        case .tunnel(let tunnel):
            let found = tunnel.deadline(
                sockets.tunnel, timeouts: timeouts, lastClientActivity: activity.lastClient, lastServerActivity: activity.lastServer
            )
            return found.map { ($0.0, $0.1 == .client ? .tunnel : .tunnelServer) }
        case .settingUp(_, true):
            return at(activity.requestWaitStarted, handshakeLimit).map { ($0, .handshake) }
        case .settingUp, .awaitingHead, .checkingCredentials:
            if !sockets.clientWritable, requestCount > 0 {
                return at(activity.lastClient, timeouts.client).map { ($0, .clientNotReading) }
            }
            if requestCount > 0, sockets.pendingBytes == 0 {
                let limit = timeouts.httpKeepAlive ?? timeouts.httpRequest ?? timeouts.client
                return at(activity.requestWaitStarted, limit).map { ($0, .idleBetweenRequests) }
            }
            return at(activity.requestWaitStarted, timeouts.httpRequest ?? timeouts.client).map { ($0, .requestHead) }
        case .tarpit(let until):
            return (until, .tarpit)
        case .exchange(let request, let response):
            var earliest: (NIODeadline, Expiry)? = nil
            // The client is waited on while it owes body bytes the server can take, or while it is
            // not reading usher's.
            let clientOwesBytes = request != .sent && (sockets.serverWritable ?? true)
            if clientOwesBytes || !sockets.clientWritable, let deadline = at(activity.lastClient, timeouts.client) {
                earliest = (deadline, .client)
            }
            if response != .none || request == .sent, serverChosen, let deadline = at(activity.lastServer, timeouts.server),
                earliest.map({ deadline < $0.0 }) ?? true
            {
                earliest = (deadline, .server)
            }
            return earliest
        }
    }

    /// A transition the phase does not allow: a driver bug. Debug builds (the tests) stop on it;
    /// a release build keeps the phase, which every later decision still handles.
    private func unexpected(_ event: String) {
        assertionFailure("HTTP session: \(event) in phase \(phase)")
    }
}
