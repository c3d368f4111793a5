import NIOCore
import UsherRouting

/// One peers-protocol connection, accepted or made: hands its bytes and events to its section's
/// `PeersService`, which runs the session's state machine.
final class PeerChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let service: PeersService
    let session: PeersService.Session

    init(service: PeersService, session: PeersService.Session) {
        self.service = service
        self.session = session
    }

    func channelActive(context: ChannelHandlerContext) {
        session.channel = context.channel
        service.sessionActive(session)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        service.sessionReceived(session, bytes: buffer.readableBytesView)
    }

    func channelInactive(context: ChannelHandlerContext) {
        service.sessionClosed(session)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        session.lastError = "\(error)"
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension PeerChannelHandler: Sendable {}
