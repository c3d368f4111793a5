import NIOCore
import NIOHPACK
import NIOHTTP2
import UsherRouting

/// Sits in one HTTP/2 stream's channel in front of an `HTTPSessionHandler`: the stream's frames
/// become the HTTP/1.1 request the session reads, and the HTTP/1.1 response the session writes
/// becomes HEADERS and DATA frames. The translation itself is `HTTP2RequestTranslator` and
/// `HTTP2ResponseTranslator` (UsherRouting); this handler only moves frames.
///
/// Why a bridge rather than HTTP/2 code in the session: the session is where every rule, fetch,
/// balancing decision, error page, timeout and log field of HTTP mode is decided, and it reads
/// bytes. Giving it the same bytes for an HTTP/2 stream means none of that is written twice, so
/// h2 and h1 cannot drift apart; the cost is one serialisation and one parse of each head, which
/// the session's parser does anyway.
///
/// Flow control follows from the stream channel: the session stops reading (autoRead off) when
/// its server does not take the body, and the stream's window is then not opened again; the
/// stream channel is not writable while the client's window is shut, and the session then stops
/// reading from the server.
final class HTTP2StreamBridgeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = HTTP2Frame.FramePayload

    private var request = HTTP2RequestTranslator()
    private var response: HTTP2ResponseTranslator?
    private let connection: HTTP2ConnectionHandler
    /// The session behind this bridge: it is told the request's HTTP/2 facts for its log line.
    weak var session: HTTPSessionHandler?
    private var failed = false

    init(connection: HTTP2ConnectionHandler) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        connection.noteActivity()
        var output = context.channel.allocator.buffer(capacity: 0)
        do throws(HTTP2TranslationError) {
            switch unwrapInboundIn(data) {
            case .headers(let headers):
                let fields = headers.headers.map { (name: $0.name, value: $0.value) }
                if request.isComplete { return }
                if response == nil {
                    let facts = try request.head(fields, endStream: headers.endStream, into: &output)
                    response = HTTP2ResponseTranslator(requestMethod: facts.method)
                    session?.http2Request = facts
                } else {
                    try request.trailers(fields, into: &output)
                }
            case .data(let data):
                guard case .byteBuffer(let buffer) = data.data else { return }
                try request.data(buffer, endStream: data.endStream, into: &output)
            case .rstStream:
                // The stream channel closes by itself; the session logs the client's abort.
                return
            default:
                return
            }
        } catch {
            fail(context: context, reason: error.reason)
            return
        }
        if output.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(output)) }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bytes = unwrapOutboundIn(data)
        guard !failed, response != nil else {
            promise?.succeed(())
            return
        }
        let outputs: [HTTP2ResponseTranslator.Output]
        do {
            outputs = try response!.consume(bytes)
        } catch {
            fail(context: context, reason: error.reason)
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        connection.noteActivity()
        guard !outputs.isEmpty else {
            promise?.succeed(())
            return
        }
        for (index, output) in outputs.enumerated() {
            let frame: HTTP2Frame.FramePayload
            switch output {
            case .head(let status, let fields, let endStream):
                var headers = HPACKHeaders()
                headers.reserveCapacity(fields.count + 1)
                headers.add(name: ":status", value: String(status))
                for field in fields { headers.add(name: field.name, value: field.value) }
                frame = .headers(.init(headers: headers, endStream: endStream))
            case .data(let buffer, let endStream):
                frame = .data(.init(data: .byteBuffer(buffer), endStream: endStream))
            }
            context.write(wrapOutboundOut(frame), promise: index == outputs.count - 1 ? promise : nil)
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        // A body that ends at close ends the stream cleanly rather than resetting it.
        if !failed, let last = response?.finish() {
            if case .data(let buffer, let endStream) = last {
                context.writeAndFlush(wrapOutboundOut(.data(.init(data: .byteBuffer(buffer), endStream: endStream))), promise: nil)
            }
        }
        context.close(mode: mode, promise: promise)
    }

    /// A malformed request or a response that cannot be expressed in HTTP/2: the stream is reset
    /// with PROTOCOL_ERROR (RFC 9113 §8.1.1), the session closed (it logs what it had).
    private func fail(context: ChannelHandlerContext, reason: String) {
        failed = true
        connection.logger.debug("HTTP/2 stream reset: \(reason)")
        context.writeAndFlush(wrapOutboundOut(.rstStream(.protocolError)), promise: nil)
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension HTTP2StreamBridgeHandler: Sendable {}
