import NIOCore
import NIOSSL
import NIOTLS
import UsherRouting

/// Sits behind the `NIOSSLClientHandler` of a server connection. It says once how the handshake
/// went: done (and the certificate carries the expected name, when there is one), failed, closed,
/// or out of time; the caller adds its own handlers in `completion`, behind this one. Then it stays,
/// to turn a ragged end (the server closing without close_notify, which NIOSSL reports as an
/// error) into the plain end of input it is for a proxy, as HAProxy reads it.
///
/// A connection to a server counts as made only once its handshake is done: a failed handshake is a
/// failed connection, retried and logged as one (`SC`, or `sC` past `timeout connect`).
final class ServerTLSWatchHandler: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    /// The name the certificate must carry, nil to check the chain alone.
    private let expectedName: String?
    private let deadline: NIODeadline
    private var completion: ((Result<Void, ServerTLSHandshakeError>) -> Void)?
    private var timer: Scheduled<Void>?

    init(expectedName: String?, deadline: NIODeadline, completion: @escaping (Result<Void, ServerTLSHandshakeError>) -> Void) {
        self.expectedName = expectedName
        self.deadline = deadline
        self.completion = completion
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func channelActive(context: ChannelHandlerContext) {
        // Armed once connected: until then the connection's own timeout runs.
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.fail(.timedOut, context: context)
        }
        context.fireChannelActive()
        // The proxy's server connections start with auto-read off (their handlers turn it on): the
        // handshake needs the server's answers read all the same. NIOSSL asks for more itself as long
        // as what it reads yields no data.
        if let autoRead = try? context.channel.syncOptions?.getOption(ChannelOptions.autoRead), !autoRead {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case TLSUserEvent.handshakeCompleted = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if let expectedName {
            let certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self).peerCertificate
            guard let names = certificate.flatMap({ try? ServerCertificateNames($0) }), names.matches(expectedName) else {
                fail(.nameMismatch(expected: expectedName), context: context)
                return
            }
        }
        timer?.cancel()
        let completion = self.completion
        self.completion = nil
        completion?(.success(()))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard completion != nil else {
            // NIOSSL follows a ragged end with the end of input, which the caller handles.
            if case NIOSSLError.uncleanShutdown = error { return }
            context.fireErrorCaught(error)
            return
        }
        fail(.failed(error), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if completion != nil { fail(.closed, context: context) }
        context.fireChannelInactive()
    }

    private func fail(_ error: ServerTLSHandshakeError, context: ChannelHandlerContext) {
        timer?.cancel()
        guard let completion else { return }
        self.completion = nil
        completion(.failure(error))
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension ServerTLSWatchHandler: Sendable {}
