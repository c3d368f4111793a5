import NIOCore
import UsherConfig
import UsherRouting

/// A TCP-mode connection from accept until its tunnel is up: the PROXY header and the TLS
/// handshake a bind asks for, the inspection of the first bytes by the content rules (within
/// `tcp-request inspect-delay`), the wait for a server. Once connected the connection is a tunnel,
/// decided by the `TunnelStateMachine` this machine hands over. No socket, no clock: the driver
/// (`TCPSessionHandler`) reports what happened and carries out the answer.
public struct TCPSessionStateMachine: Sendable {
    public enum Phase: Sendable, Equatable {
        /// A PROXY header (`accept-proxy`) and/or a TLS handshake (`bind … ssl`) are still to come;
        /// both must be done within the frontend's handshake limit.
        case settingUp(proxyHeader: Bool, handshake: Bool)
        /// The content rules look at the bytes received so far (until they decide, the buffer is
        /// full, the client half-closes, or `inspect-delay` runs out).
        case inspecting
        /// Waiting for a server slot (queued) or for the connection to it; client bytes wait in
        /// the buffer, up to a buffer's worth.
        case connecting
        /// The tunnel is up: the `TunnelStateMachine` handed over decides from here.
        case forwarding
        /// Closed, or handed to an HTTP session (a mode http backend chosen).
        case closed
    }

    public private(set) var phase: Phase
    /// The client half-closed before the tunnel was up: its FIN is passed on once it is.
    public private(set) var clientInputClosed = false

    public init(acceptProxy: Bool, handshake: Bool) {
        phase = acceptProxy || handshake ? .settingUp(proxyHeader: acceptProxy, handshake: handshake) : .inspecting
    }

    /// Nothing more is read as the session's own: it is closed or handed over.
    public var isClosed: Bool { phase == .closed }

    /// A PROXY header is still to read.
    public var awaitsProxyHeader: Bool {
        if case .settingUp(true, _) = phase { return true }
        return false
    }

    /// The TLS handshake is not done yet.
    public var awaitsHandshake: Bool {
        if case .settingUp(_, true) = phase { return true }
        return false
    }

    // MARK: - Transitions

    /// What the driver does once a step of the setting up is done.
    public enum SetUpStep: Sendable, Equatable {
        /// The connection is set up: run the `tcp-request session` rules, then inspect.
        case startSession
        /// Still waiting (for the handshake after the PROXY header, or the other way round).
        case wait
    }

    /// The PROXY header was read.
    public mutating func proxyHeaderRead() -> SetUpStep {
        guard case .settingUp(true, let handshake) = phase else { return .wait }
        phase = .settingUp(proxyHeader: false, handshake: handshake)
        return handshake ? .wait : .startSession
    }

    /// The TLS handshake completed.
    public mutating func handshakeCompleted() -> SetUpStep {
        guard case .settingUp(let proxyHeader, true) = phase else { return .wait }
        phase = .settingUp(proxyHeader: proxyHeader, handshake: false)
        return proxyHeader ? .wait : .startSession
    }

    /// The `tcp-request session` rules accepted the connection: its first bytes are inspected.
    public mutating func sessionStarted() {
        guard case .settingUp(false, false) = phase else { return }
        phase = .inspecting
    }

    /// The content rules accepted, a backend and a server are being chosen and connected.
    public mutating func connecting() {
        guard phase == .inspecting else { return }
        phase = .connecting
    }

    /// The server is connected: the tunnel's machine, with the client's FIN already in it if the
    /// client half-closed before (the driver then shuts the server's output after the buffered
    /// bytes). Nil when the session is no longer waiting for it (the client left): the driver
    /// closes the new connection.
    public mutating func connected() -> TunnelStateMachine? {
        guard phase == .connecting else { return nil }
        phase = .forwarding
        var tunnel = TunnelStateMachine()
        if clientInputClosed { _ = tunnel.inputClosed(.client) }
        return tunnel
    }

    /// Closed, or handed over to an HTTP session.
    public mutating func closed() {
        phase = .closed
    }

    // MARK: - Events

    /// What to do with client bytes that arrived before the tunnel is up.
    public enum ReadAction: Sendable, Equatable {
        /// Try to read the PROXY header from the buffer.
        case readProxyHeader
        /// Keep them in the buffer (the TLS library passes nothing on before its handshake).
        case keep
        /// Run the content rules on the buffer; `final`: no more waiting for bytes.
        case inspect(final: Bool)
        /// Keep them, and stop reading the client: a buffer's worth waits for the server.
        case keepAndPause
        /// Not the session's any more (forwarding or closed): the glue or nobody takes them.
        case pass
    }

    /// Client bytes arrived; `buffered` bytes are now held, the buffer holds `bufferSize` (`tune.bufsize`).
    public func bytesReceived(buffered: Int, bufferSize: Int) -> ReadAction {
        switch phase {
        case .settingUp(true, _): return .readProxyHeader
        case .settingUp: return .keep
        case .inspecting: return .inspect(final: buffered >= bufferSize)
        case .connecting: return buffered >= bufferSize ? .keepAndPause : .keep
        case .forwarding, .closed: return .pass
        }
    }

    /// What to do when the client half-closes before the tunnel is up.
    public enum ClientEndAction: Sendable, Equatable {
        /// A connection that never finished setting up has nothing to forward: close it.
        case close
        /// Decide on what arrived: the client will send nothing more.
        case inspectFinal
        /// Remembered: the server gets the FIN after the buffered bytes once connected.
        case passOnceConnected
        /// Not the session's any more.
        case none
    }

    /// The client sent its FIN.
    public mutating func clientInputEnded() -> ClientEndAction {
        switch phase {
        case .settingUp:
            return .close
        case .inspecting:
            clientInputClosed = true
            return .inspectFinal
        case .connecting:
            clientInputClosed = true
            return .passOnceConnected
        case .forwarding, .closed:
            return .none
        }
    }

    // MARK: - Timeouts and logs

    /// What the running timer means in this phase.
    public enum Expiry: Sendable, Equatable {
        /// The PROXY header or the TLS handshake did not come within the limit: closed (`cR`).
        case setUp
        /// `inspect-delay` ran out: the content rules decide on what is there.
        case inspection
    }

    /// The wait in force from `start` (when the phase began): the handshake limit while setting
    /// up, `inspect-delay` while inspecting with rules that may wait for bytes. The connect and
    /// queue timeouts belong to the server connector; the tunnel's to its machine.
    public func deadline(from start: NIODeadline, handshakeLimit: Duration, inspectDelay: Duration?) -> (NIODeadline, Expiry)? {
        switch phase {
        case .settingUp:
            return (start + .milliseconds(max(1, handshakeLimit.milliseconds)), .setUp)
        case .inspecting:
            return inspectDelay.map { (start + .milliseconds($0.milliseconds), .inspection) }
        case .connecting, .forwarding, .closed:
            return nil
        }
    }

    /// Where the session was when it ended, in the log's terms (`queued`: waiting for a slot).
    public func terminationPhase(queued: Bool) -> TerminationState.Phase {
        switch phase {
        case .settingUp, .inspecting: return .request
        case .connecting: return queued ? .queue : .connect
        case .forwarding, .closed: return .data
        }
    }
}
