import NIOCore

/// Sits on a server connection and hands what happens there to the client's HTTP session, on the
/// same event loop.
final class HTTPServerSideHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var session: HTTPSessionHandler?
    private weak var link: HTTPServerLink?

    init(session: HTTPSessionHandler, link: HTTPServerLink) {
        self.session = session
        self.link = link
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let link else { return }
        session?.serverRead(unwrapInboundIn(data), from: link)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        session?.serverReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        guard let link else { return }
        session?.serverWritabilityChanged(link)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            if let session, let link, session.isTunnel {
                // In a 101 tunnel a FIN is a half-close: passed to the client, as TCP mode does.
                session.tunnelServerInputClosed(link)
                return
            }
            // A server that stops sending is done with this connection.
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let link { session?.serverClosed(link) }
        session = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension HTTPServerSideHandler: Sendable {}
