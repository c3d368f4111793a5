import Logging
import NIOCore
import NIOHTTP2
import UsherConfig
import UsherRouting

/// Owns a client connection that speaks HTTP/2 (ALPN `h2` on a TLS bind, `proto h2` on a plain
/// one), after `NIOHTTP2Handler` in its pipeline: what the HTTP/1 session owned for the whole
/// connection (its counts in the frontend and listener, its TLS count, its stick counters and
/// `sess` scope, its entry in the runtime API's sessions) is handed to it at the switch and
/// given back when the connection ends. Each stream is served by its own `HTTPSessionHandler`
/// behind an `HTTP2StreamBridgeHandler`.
///
/// An idle connection (no stream open) is closed after `timeout http-keep-alive` (else
/// `timeout client`), with a GOAWAY, as HAProxy closes an idle HTTP/2 connection.
final class HTTP2ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    let runtime: ProxyRuntime
    let frontend: FrontendRuntime
    /// The client and frontend addresses and the TLS facts, shared by every stream.
    let connection: ConnectionInfo
    let listener: ListenerStats?
    let stickCounters: StickCounters?
    let unixListenerID: Int?
    private var sessionVariables: SessionVariables
    private let countsTLSConnectionEnd: Bool
    private var countsReleased = false
    private var context: ChannelHandlerContext?
    private var openStreams = 0
    private var lastActivity = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?
    private var clientInputClosed = false
    var logger: Logger { runtime.logger }

    init(
        runtime: ProxyRuntime, frontend: FrontendRuntime, connection: ConnectionInfo, listener: ListenerStats?, stickCounters: StickCounters?,
        unixListenerID: Int?, sessionVariables: SessionVariables, countsTLSConnectionEnd: Bool
    ) {
        self.runtime = runtime
        self.frontend = frontend
        self.connection = connection
        self.listener = listener
        self.stickCounters = stickCounters
        self.unixListenerID = unixListenerID
        self.sessionVariables = sessionVariables
        self.countsTLSConnectionEnd = countsTLSConnectionEnd
    }

    /// How long a connection without a stream stays open.
    private var idleLimit: TimeAmount {
        let limit = frontend.timeouts.httpKeepAlive ?? frontend.timeouts.client ?? .seconds(60)
        return .milliseconds(max(1, limit.milliseconds))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        armIdleTimer()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        self.context = nil
    }

    /// Something happened on a stream: the connection is not idle.
    func noteActivity() {
        lastActivity = .now()
    }

    func streamOpened() {
        openStreams += 1
        noteActivity()
    }

    func streamClosed() {
        openStreams = max(0, openStreams - 1)
        noteActivity()
        guard openStreams == 0 else { return }
        if clientInputClosed {
            closeAfterInputClosed()
        } else {
            armIdleTimer()
        }
    }

    private func armIdleTimer() {
        guard let context, idleTimer == nil else { return }
        let deadline = lastActivity + idleLimit
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        idleTimer = context.eventLoop.scheduleTask(deadline: deadline) {
            bound.value.idleTimerFired()
        }
    }

    private func idleTimerFired() {
        idleTimer = nil
        guard let context, openStreams == 0 else { return }
        guard NIODeadline.now() >= lastActivity + idleLimit else {
            armIdleTimer()
            return
        }
        // Idle: the client is told no more streams will be served, then the connection closes.
        let goAway = HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: .maxID, errorCode: .noError, opaqueData: nil))
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(goAway)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Connection-level frames (SETTINGS, PING, GOAWAY, WINDOW_UPDATE) are NIOHTTP2's business.
        noteActivity()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            // The client will send nothing more: no new stream can come. The streams it opened
            // are answered, then the connection closes (HTTP/2 has no use for a half-open one).
            clientInputClosed = true
            if openStreams == 0 { closeAfterInputClosed() }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Under TLS, the socket is closed under the library as well, which would otherwise wait for
    /// a close_notify that cannot come.
    private func closeAfterInputClosed() {
        guard let context else { return }
        context.close(promise: nil)
        if connection.tls != nil { TLSAcceptHandler.closeSocket(under: context.pipeline.syncOperations) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // NIOHTTP2 has answered already: a GOAWAY for a connection error, a RST_STREAM for a
        // stream error. Only the former ends the connection; a malformed request (its header
        // block or its length) costs its own stream only (RFC 9113 §8.1.1), and NIOHTTP2 reports
        // those here unwrapped.
        logger.debug("HTTP/2 connection on \(frontend.name): \(error)")
        if Self.isStreamError(error) { return }
        context.close(promise: nil)
    }

    static func isStreamError(_ error: Error) -> Bool {
        switch error {
        case is NIOHTTP2Errors.StreamError, is NIOHTTP2Errors.MissingPseudoHeader, is NIOHTTP2Errors.DuplicatePseudoHeader,
            is NIOHTTP2Errors.PseudoHeaderAfterRegularHeader, is NIOHTTP2Errors.UnknownPseudoHeader, is NIOHTTP2Errors.UnsupportedPseudoHeader,
            is NIOHTTP2Errors.InvalidPseudoHeaders, is NIOHTTP2Errors.EmptyPathHeader, is NIOHTTP2Errors.InvalidHTTP2HeaderFieldName,
            is NIOHTTP2Errors.InvalidHTTP2HeaderFieldValue, is NIOHTTP2Errors.ForbiddenHeaderField, is NIOHTTP2Errors.InvalidPseudoHeaderValue,
            is NIOHTTP2Errors.ContentLengthViolated, is NIOHTTP2Errors.ContentLengthHeadersMismatch, is NIOHTTP2Errors.ContentLengthHeaderNegative,
            is NIOHTTP2Errors.ContentLengthHeaderMalformedValue:
            return true
        default:
            return false
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        idleTimer = nil
        stickCounters?.endSession()
        sessionVariables.endSession()
        context.fireChannelInactive()
    }

    func channelUnregistered(context: ChannelHandlerContext) {
        releaseCounts()
        context.fireChannelUnregistered()
    }

    private func releaseCounts() {
        guard !countsReleased else { return }
        countsReleased = true
        if connection.tls != nil, countsTLSConnectionEnd { runtime.tlsCounters.clientConnectionEnded() }
        listener?.sessionEnded()
        runtime.released(from: frontend)
    }
}

@available(*, unavailable)
extension HTTP2ConnectionHandler: Sendable {}

/// Tells the connection's owner when streams open and close (NIOHTTP2 calls it on the event loop
/// of the connection).
struct HTTP2StreamCounter: NIOHTTP2StreamDelegate {
    let owner: NIOLoopBound<HTTP2ConnectionHandler>

    func streamCreated(_ id: HTTP2StreamID, channel: Channel) {
        owner.value.streamOpened()
    }

    func streamClosed(_ id: HTTP2StreamID, channel: Channel) {
        owner.value.streamClosed()
    }
}
