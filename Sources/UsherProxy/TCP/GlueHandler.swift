import NIOCore

/// One half of a tunnel between a client channel and a server channel on the same event loop.
/// Passes buffers through untouched, flushes once per read burst, reads only while the partner can
/// take more (backpressure), carries a half-close (FIN) across, and reports to the session.
final class GlueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let side: TCPSession.Side
    let session: TCPSession
    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    private var outputShutdownRequested = false

    private init(side: TCPSession.Side, session: TCPSession) {
        self.side = side
        self.session = session
    }

    /// A linked pair: the first goes on the client channel, the second on the server channel.
    static func matchedPair(session: TCPSession) -> (client: GlueHandler, server: GlueHandler) {
        let client = GlueHandler(side: .client, session: session)
        let server = GlueHandler(side: .server, session: session)
        client.partner = server
        server.partner = client
        return (client, server)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.partner = nil
    }

    // MARK: Inbound: from our channel to the partner

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if side == .client {
            session.bytesFromClient += buffer.readableBytes
        } else {
            session.bytesToClient += buffer.readableBytes
        }
        session.noteRead()
        partner?.partnerWrite(buffer)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            session.inputClosed(side)
            partner?.partnerShutdownOutput()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.partnerClose()
        if side == .client { session.clientChannel = nil } else { session.serverChannel = nil }
        if session.clientChannel == nil && session.serverChannel == nil {
            session.finish()
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        session.failed(side)
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { session.noteWritable(side) }
        session.writabilityChanged()
        partner?.partnerWritabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    // MARK: Outbound: reads are held while the partner is full

    func read(context: ChannelHandlerContext) {
        if let partner, partner.partnerIsWritable {
            context.read()
        } else {
            pendingRead = true
        }
    }

    // MARK: Called by the partner

    private var partnerIsWritable: Bool {
        context?.channel.isWritable ?? false
    }

    private func partnerWrite(_ buffer: ByteBuffer) {
        context?.write(wrapOutboundOut(buffer), promise: nil)
    }

    private func partnerFlush() {
        context?.flush()
    }

    private func partnerWritabilityChanged(_ isWritable: Bool) {
        if isWritable, pendingRead {
            pendingRead = false
            context?.read()
        }
    }

    /// The partner's peer finished sending: once everything queued here is written, send our FIN.
    private func partnerShutdownOutput() {
        guard let context, !outputShutdownRequested else { return }
        outputShutdownRequested = true
        // An empty write completes after every write queued before it, so the FIN follows the data.
        let flushed = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: flushed)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        flushed.futureResult.whenComplete { _ in
            loopBound.value.close(mode: .output, promise: nil)
        }
    }

    /// The partner's channel is gone: close ours once what is queued has been written.
    private func partnerClose() {
        guard let context else { return }
        let flushed = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: flushed)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        flushed.futureResult.whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension GlueHandler: Sendable {}
