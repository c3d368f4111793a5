import NIOCore
import NIOHTTP2
import UsherConfig
import UsherRouting

/// The connection-level session leaves the pipeline when the connection turns to HTTP/2.
extension HTTPSessionHandler: RemovableChannelHandler {}

extension HTTPSessionHandler {
    /// Whether the connection goes on in HTTP/2 once its session has started: `proto h2` on the
    /// bind (prior knowledge), or `h2` chosen by ALPN in the TLS handshake.
    var choosesHTTP2: Bool {
        !isHTTP2Stream && frontend.isHTTP && (startsHTTP2 || connection.tls?.alpn == "h2")
    }

    /// Hands the connection to HTTP/2: `NIOHTTP2Handler` and an `HTTP2ConnectionHandler` take this
    /// handler's place, the bytes already read (after a PROXY header, with the last handshake
    /// record) go to them, and each stream the client opens gets a session of its own.
    func switchToHTTP2() {
        guard let context else { return }
        state.closed()
        countsReleased = true
        timer?.cancel()
        timer = nil
        let owner = HTTP2ConnectionHandler(
            runtime: runtime, frontend: frontend, connection: connection, listener: listener, stickCounters: stickCounters,
            unixListenerID: unixListenerID, sessionVariables: sessionVariables, countsTLSConnectionEnd: countsTLSConnectionEnd
        )
        let bound = NIOLoopBound(owner, eventLoop: context.eventLoop)
        let global = runtime.table.configuration.global
        let settings = global.http2.configuration(bufferSize: global.bufferSize)
        let protocolHandler = NIOHTTP2Handler(
            mode: .server, eventLoop: context.eventLoop, connectionConfiguration: settings.connection,
            streamConfiguration: settings.stream, streamDelegate: HTTP2StreamCounter(owner: bound)
        ) { channel in
            channel.eventLoop.makeCompletedFuture {
                try HTTPSessionHandler.serveStream(on: channel, for: bound.value)
            }
        }
        let pending = inbound
        inbound = ByteBuffer()
        let pipeline = context.pipeline.syncOperations
        do {
            try pipeline.addHandler(protocolHandler, position: .after(self))
            try pipeline.addHandler(owner, position: .after(protocolHandler))
        } catch {
            runtime.logger.debug("\(frontend.name): cannot start HTTP/2: \(error)")
            context.close(promise: nil)
            return
        }
        context.channel.setAutoRead(true)
        if pending.readableBytes > 0 {
            context.fireChannelRead(NIOAny(pending))
            context.fireChannelReadComplete()
        }
        _ = pipeline.removeHandler(context: context)
    }

    /// A stream's channel: a bridge from frames to HTTP/1.1 and a session that serves its one
    /// request, sharing the connection's facts (addresses, TLS) with every other stream.
    static func serveStream(on channel: Channel, for owner: HTTP2ConnectionHandler) throws {
        let now = NIODeadline.now()
        let session = HTTPSessionHandler(
            runtime: owner.runtime, frontend: owner.frontend, acceptProxy: false, unixListenerID: owner.unixListenerID, listener: owner.listener,
            acceptTime: now, acceptWallMicroseconds: LogClock.wallMicroseconds(), stickCounters: owner.stickCounters
        )
        session.isHTTP2Stream = true
        session.started = true
        session.sessionStarted = true
        session.connection = owner.connection
        session.countsTLSConnectionEnd = false
        session.receivedAnyByte = true
        let bridge = HTTP2StreamBridgeHandler(connection: owner)
        bridge.session = session
        try channel.pipeline.syncOperations.addHandlers([bridge, session])
    }

    /// `%r` for an HTTP/2 request, as HAProxy 2.6 writes it: the URI in absolute form (scheme and
    /// authority from the pseudo-header fields) and `HTTP/2.0`.
    func http2RequestLine(_ exchange: HTTPExchange, _ facts: HTTP2RequestTranslator.RequestFacts) -> String {
        let request = exchange.request
        if request.method == "CONNECT" || facts.scheme == nil || facts.authority == nil || !request.target.hasPrefix("/") {
            return "\(request.method) \(request.target) HTTP/2.0"
        }
        return "\(request.method) \(facts.scheme!)://\(facts.authority!)\(request.target) HTTP/2.0"
    }
}
