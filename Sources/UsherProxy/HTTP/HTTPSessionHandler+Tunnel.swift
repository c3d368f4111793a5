import NIOCore
import UsherConfig

/// The 101 tunnel's driver: carries out what `HTTPTunnel` decides on the two channels.
extension HTTPSessionHandler {
    /// The sockets' state as the tunnel's decisions need it.
    var tunnelSockets: HTTPTunnel.Sockets {
        HTTPTunnel.Sockets(
            clientWritable: context?.channel.isWritable ?? false,
            serverWritable: link?.channel.isWritable ?? false
        )
    }

    /// Bytes came in from either side of the tunnel. They go out to the other side at once, so
    /// both count as active (as in TCP mode).
    func noteTunnelActivity() {
        let now = NIODeadline.now()
        lastClientActivity = now
        lastServerActivity = now
    }

    /// Reads each side only while the other takes more; re-checks the deadline, which depends on
    /// which socket is full.
    func updateTunnelReading() {
        guard let tunnel, let context, !closed else { return }
        let sockets = tunnelSockets
        if let link { link.setReading(tunnel.shouldRead(.server, sockets)) }
        let clientWanted = tunnel.shouldRead(.client, sockets)
        if clientWanted == isClientReadingPaused {
            isClientReadingPaused = !clientWanted
            context.channel.setAutoRead(clientWanted)
        }
        rearmTimer()
    }

    /// The client sent its FIN: the server gets it once what is queued for it is written.
    func tunnelClientInputClosed() {
        guard var tunnel else { return }
        let action = tunnel.inputClosed(.client)
        self.tunnel = tunnel
        carryOut(action)
        updateTunnelReading()
    }

    /// The server sent its FIN: the client gets it once what is queued for it is written; the
    /// client may go on sending.
    func tunnelServerInputClosed(_ source: HTTPServerLink) {
        guard source === link, var tunnel, !closed else { return }
        let action = tunnel.inputClosed(.server)
        self.tunnel = tunnel
        carryOut(action)
        updateTunnelReading()
    }

    private func carryOut(_ action: HTTPTunnel.FINAction) {
        switch action {
        case .none:
            return
        case .shutOutput(of: .server):
            guard let link else { return }
            // Pending writes go out first: NIO shuts the socket's output once they are written.
            link.channel.flush()
            link.channel.close(mode: .output, promise: nil)
        case .shutOutput(of: .client):
            guard let context else { return }
            context.flush()
            context.close(mode: .output, promise: nil)
        }
    }

    /// The deadline in force in the tunnel, per side: the client's ends as `timeout tunnel`
    /// (or `client-fin`) on the client, the server's as the same on the server.
    func tunnelDeadline(_ timeouts: Timeouts) -> (NIODeadline, Expiry)? {
        guard let tunnel else { return nil }
        let found = tunnel.deadline(
            tunnelSockets, timeouts: timeouts, lastClientActivity: lastClientActivity, lastServerActivity: lastServerActivity
        )
        return found.map { ($0.0, $0.1 == .client ? .tunnel : .server) }
    }
}
