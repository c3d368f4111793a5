import NIOCore
import UsherConfig

/// A tunnel between a client and a server — TCP mode once the server is connected, and an HTTP
/// connection after a 101 (Switching Protocols): bytes pass through untouched, and what remains to
/// decide is when to read each side, when to pass a half-close (FIN) across, and which inactivity
/// limit applies. Both modes decide with this one value (TCP mode's `TCPSession`, HTTP's
/// `HTTPSessionStateMachine`), with no channel in sight.
///
/// - Each direction reads only while the other side's socket takes more (backpressure both ways):
///   a client that stops reading stops usher reading the server, and the other way round.
/// - A side's FIN is passed to the other side once what is queued there is written; the other
///   direction goes on until it ends too, or a timeout ends the whole tunnel.
public struct TunnelStateMachine: Sendable, Equatable {
    /// Which end of the tunnel.
    public enum Side: Sendable {
        case client
        case server
    }

    public init() {}

    /// The client sent its FIN (nothing more will come from it).
    public private(set) var clientInputClosed = false
    /// The server sent its FIN.
    public private(set) var serverInputClosed = false

    /// What the socket state is at the moment of a decision.
    public struct Sockets: Sendable {
        /// The client's socket takes more (usher's queue toward it is below the high mark).
        public var clientWritable: Bool
        /// The server's socket takes more.
        public var serverWritable: Bool

        public init(clientWritable: Bool, serverWritable: Bool) {
            self.clientWritable = clientWritable
            self.serverWritable = serverWritable
        }
    }

    /// What to do when a side's FIN arrives.
    public enum FINAction: Equatable, Sendable {
        /// Shut the other side's output once what is queued for it is written.
        case shutOutput(of: Side)
        /// Already seen: nothing to do.
        case none
    }

    /// `side` sent its FIN.
    public mutating func inputClosed(_ side: Side) -> FINAction {
        switch side {
        case .client:
            guard !clientInputClosed else { return .none }
            clientInputClosed = true
            return .shutOutput(of: .server)
        case .server:
            guard !serverInputClosed else { return .none }
            serverInputClosed = true
            return .shutOutput(of: .client)
        }
    }

    /// Whether usher should read from `side` now: only while the other side takes more.
    public func shouldRead(_ side: Side, _ sockets: Sockets) -> Bool {
        switch side {
        case .client: return !clientInputClosed && sockets.serverWritable
        case .server: return !serverInputClosed && sockets.clientWritable
        }
    }

    /// The inactivity limit on `side` now, if usher waits on it: while it may still send, or while
    /// bytes for it are held up (its socket is full). Once either direction of that side is shut
    /// (its FIN came, or the other side's FIN was passed on to it), its `-fin` timeout applies,
    /// as in TCP mode; otherwise `timeout tunnel`, or the side's own timeout without one.
    public func idleLimit(_ side: Side, _ sockets: Sockets, timeouts: Timeouts) -> Duration? {
        let sentFIN = side == .client ? clientInputClosed : serverInputClosed
        let gotFIN = side == .client ? serverInputClosed : clientInputClosed
        let blocked = side == .client ? !sockets.clientWritable : !sockets.serverWritable
        guard !sentFIN || blocked else { return nil }
        let halfClosed = sentFIN || gotFIN
        switch side {
        case .client:
            return halfClosed ? (timeouts.clientFin ?? timeouts.tunnel ?? timeouts.client) : (timeouts.tunnel ?? timeouts.client)
        case .server:
            return halfClosed ? (timeouts.serverFin ?? timeouts.tunnel ?? timeouts.server) : (timeouts.tunnel ?? timeouts.server)
        }
    }

    /// The earliest deadline in force and the side it belongs to (nil: nothing is waited on).
    public func deadline(
        _ sockets: Sockets, timeouts: Timeouts, lastClientActivity: NIODeadline, lastServerActivity: NIODeadline
    ) -> (NIODeadline, Side)? {
        func at(_ side: Side, _ last: NIODeadline) -> (NIODeadline, Side)? {
            idleLimit(side, sockets, timeouts: timeouts).map { (last + .milliseconds(max(1, $0.milliseconds)), side) }
        }
        let client = at(.client, lastClientActivity)
        let server = at(.server, lastServerActivity)
        switch (client, server) {
        case (nil, nil): return nil
        case (let one?, nil), (nil, let one?): return one
        case (let client?, let server?): return server.0 < client.0 ? server : client
        }
    }
}
