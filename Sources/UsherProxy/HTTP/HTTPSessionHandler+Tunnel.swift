import NIOCore
import UsherConfig
import UsherSession

/// The 101 tunnel's driver: carries out what `TunnelStateMachine` (in `state`) decides on the two channels.
extension HTTPSessionHandler {
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
        guard isTunnel, let context else { return }
        let sockets = self.sockets
        if let link { link.setReading(state.readsServer(sockets)) }
        if let clientWanted = state.readsClient(sockets, headLimit: frontend.httpLimits.maxHeadBytes, bufferSize: runtime.bufferSize),
            clientWanted == isClientReadingPaused
        {
            isClientReadingPaused = !clientWanted
            context.channel.setAutoRead(clientWanted)
        }
        rearmTimer()
    }

    /// The server sent its FIN: the client gets it once what is queued for it is written; the
    /// client may go on sending.
    func tunnelServerInputClosed(_ source: HTTPServerLink) {
        guard source === link, isTunnel else { return }
        carryOut(state.serverInputEnded())
        updateTunnelReading()
    }

    func carryOut(_ action: TunnelStateMachine.FINAction) {
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
}
