import NIOCore
import NIOSSL
import UsherRouting

/// The first handler of a connection to a `bind … ssl`: holds the client's bytes until its
/// ClientHello is whole, puts the TLS library (with the context of the certificate chosen for the
/// hello's server name) behind itself, replays the bytes to it, and reads the library's ServerHello
/// on its way out. Then it only passes bytes through. The decisions are `TLSAcceptStateMachine`'s.
///
/// Every wait here is bounded: the hello by the parser's size limit, the time by the session
/// handler's own timer (armed when the connection became active: `timeout http-request` or
/// `timeout client`), which closes the channel.
final class TLSAcceptHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let termination: BindTermination
    private var machine: TLSAcceptStateMachine
    private var pending: ByteBuffer?
    private var reads = 0
    /// Real clients send their hello in one to three reads.
    static let maximumReads = 64
    /// What the handshake settled that the library does not tell: read by the session handler
    /// once the handshake has completed.
    private(set) var serverName: String?
    private(set) var serverHello: ServerHelloSummary?

    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Closes the socket under the TLS library: for a connection the library is closing (its
    /// close_notify sent) whose client has gone (FIN) without sending one back — the library would
    /// otherwise wait out its shutdown timeout with the descriptor held.
    static func closeSocket(under pipeline: ChannelPipeline.SynchronousOperations) {
        guard let handler = try? pipeline.handler(type: TLSAcceptHandler.self), let context = handler.context else { return }
        context.close(promise: nil)
    }

    init(termination: BindTermination, acceptProxy: Bool) {
        self.termination = termination
        self.machine = TLSAcceptStateMachine(chooser: termination.chooser, parser: termination.helloParser, expectsProxyHeader: acceptProxy)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard machine.isReading else {
            context.fireChannelRead(data)
            return
        }
        var incoming = unwrapInboundIn(data)
        if pending == nil {
            pending = incoming
        } else {
            pending!.writeBuffer(&incoming)
        }
        // A hello is parsed again from its start on each read: a client that sends it in tiny
        // records or a byte at a time is stopped well before that costs much, as is one whose
        // records add more than their payload's own size (the parser caps the hello itself).
        reads += 1
        if reads > Self.maximumReads || pending!.readableBytes > 2 * termination.helloParser.maximumHelloSize {
            pending = nil
            context.close(promise: nil)
            return
        }
        decide(context: context)
    }

    private func decide(context: ChannelHandlerContext) {
        let action = pending!.withUnsafeReadableBytes { machine.received($0) }
        switch action {
        case .readMore:
            return
        case .proxyHeader(let header, let length):
            pending!.moveReaderIndex(forwardBy: length)
            // The session handler takes the client's address from it, as from a plain connection's.
            context.fireUserInboundEventTriggered(ClientProxyHeader(header: header))
            if pending!.readableBytes > 0 { decide(context: context) }
        case .close:
            pending = nil
            context.close(promise: nil)
        case .refuse(let alert):
            pending = nil
            var record = context.channel.allocator.buffer(capacity: 7)
            record.writeBytes(TLSAcceptStateMachine.alertRecord(alert))
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(record)).whenComplete { _ in channel.close(promise: nil) }
        case .handshake(let index, let hello):
            serverName = hello?.serverName
            let library = NIOSSLServerHandler(context: termination.contexts[index])
            do {
                try context.pipeline.syncOperations.addHandlers([library, RaggedEndFilter()], position: .after(self))
            } catch {
                context.close(promise: nil)
                return
            }
            let bytes = pending!
            pending = nil
            context.fireChannelRead(wrapInboundOut(bytes))
            context.fireChannelReadComplete()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Nothing for the library before it is in place.
        guard machine.isReading else {
            context.fireChannelReadComplete()
            return
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .waitingForServerHello = machine.state {
            let bytes = unwrapOutboundIn(data)
            serverHello = bytes.withUnsafeReadableBytes { machine.sent($0) }
        }
        context.write(data, promise: promise)
    }
}

/// The PROXY protocol header read in front of a TLS hello (`accept-proxy ssl`), for the session
/// handler: the client's real addresses (nil header: a `LOCAL` connection, keep the socket's).
struct ClientProxyHeader {
    var header: ProxyProtocolHeader?
}

/// Behind the TLS library: a client that closes its side without a close_notify first (most do)
/// ends its input like a plain connection's FIN, as HAProxy reads it — the library reports it as
/// an error, followed by the end of input, which the session handles.
final class RaggedEndFilter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if case NIOSSLError.uncleanShutdown = error { return }
        context.fireErrorCaught(error)
    }
}
