import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// An origin for protocol-switch tests, on 127.0.0.1 (port 0). It answers each request with the
/// next scripted answer — a 101 with any `Sec-WebSocket-Accept` (right, wrong, missing), or any
/// bytes — and after a 101 echoes every byte back, as a tunnel. Per connection it keeps every
/// byte received, the request lines read while the connection spoke HTTP, the bytes that came
/// through the tunnel, and whether the proxy closed the connection.
final class UpgradeOrigin: Sendable {
    enum Answer: Sendable {
        /// `101 Switching Protocols` with `Upgrade: websocket`, `Connection: Upgrade` and, if not
        /// nil, this `Sec-WebSocket-Accept`; then the connection is a tunnel.
        case switchProtocols(accept: String?)
        /// These bytes (one character per byte); the connection goes on speaking HTTP.
        case response(String)

        /// A complete response with a `Content-Length` body.
        static func status(_ code: Int, _ reason: String, _ fields: [String] = [], body: String = "") -> Answer {
            .response("HTTP/1.1 \(code) \(reason)\r\n" + fields.map { $0 + "\r\n" }.joined() + "Content-Length: \(body.utf8.count)\r\n\r\n" + body)
        }
    }

    /// What one connection brought and how it ended.
    struct Connection: Sendable {
        var received: [UInt8] = []
        var requestLines: [String] = []
        /// Bytes that came after a 101.
        var tunnelled: [UInt8] = []
        /// Bytes that could not be read as a request.
        var unparsable: [UInt8] = []
        /// The proxy closed it (end of stream or reset).
        var closedByPeer = false
    }

    /// RFC 6455's example `Sec-WebSocket-Key`, and the accept value it calls for.
    static let exampleKey = "dGhlIHNhbXBsZSBub25jZQ=="
    static let exampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

    let channel: Channel
    private let state = NIOLockedValueBox<(connections: [Connection], requests: Int)>(([], 0))

    /// Request `n` (counted over all connections) gets `answers[n]`, or the last answer.
    init(answers: [Answer], group: EventLoopGroup = testGroup) throws {
        let state = self.state
        let script = answers.isEmpty ? [Answer.status(200, "OK")] : answers
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let index = state.withLockedValue { state -> Int in
                        state.connections.append(Connection())
                        return state.connections.count - 1
                    }
                    let handler = Handler(
                        update: { change in state.withLockedValue { change(&$0.connections[index]) } },
                        nextAnswer: {
                            state.withLockedValue { state in
                                state.requests += 1
                                return script[min(state.requests - 1, script.count - 1)]
                            }
                        }
                    )
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    var port: Int { channel.localAddress!.port! }
    var address: String { "127.0.0.1:\(port)" }

    var connections: [Connection] { state.withLockedValue { $0.connections } }

    /// Every request line received, in order, over all connections.
    var requestLines: [String] { connections.flatMap(\.requestLines) }

    /// Whether any connection received `bytes` anywhere in its stream.
    func received(_ bytes: [UInt8]) -> Bool {
        connections.contains { $0.received.contains(bytes) }
    }

    /// Waits up to `seconds` for `condition` on the connections.
    func wait(seconds: Double, until condition: ([Connection]) -> Bool) -> Bool {
        let deadline = NIODeadline.now() + .milliseconds(Int64(seconds * 1000))
        while NIODeadline.now() < deadline {
            if condition(connections) { return true }
            usleep(10_000)
        }
        return condition(connections)
    }

    func stop() {
        try? channel.close().wait()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let update: @Sendable ((inout Connection) -> Void) -> Void
        let nextAnswer: @Sendable () -> Answer
        var buffer: [UInt8] = []
        var isTunnel = false

        init(update: @escaping @Sendable ((inout Connection) -> Void) -> Void, nextAnswer: @escaping @Sendable () -> Answer) {
            self.update = update
            self.nextAnswer = nextAnswer
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).readableBytesView)
            update { $0.received += bytes }
            if isTunnel {
                tunnel(bytes, context: context)
                return
            }
            buffer += bytes
            while !isTunnel && !buffer.isEmpty {
                switch HTTPWire.parseRequest(buffer[...]) {
                case .incomplete:
                    return
                case .invalid:
                    let rest = buffer
                    update { $0.unparsable += rest }
                    buffer.removeAll()
                    return
                case .complete(let message, let consumed):
                    buffer.removeFirst(consumed)
                    update { $0.requestLines.append(message.startLine) }
                    answer(nextAnswer(), context: context)
                }
            }
            if isTunnel && !buffer.isEmpty {
                let rest = buffer
                buffer.removeAll()
                tunnel(rest, context: context)
            }
        }

        private func answer(_ answer: Answer, context: ChannelHandlerContext) {
            let text: String
            switch answer {
            case .switchProtocols(let accept):
                text = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + (accept.map { "Sec-WebSocket-Accept: \($0)\r\n" } ?? "") + "\r\n"
                isTunnel = true
            case .response(let bytes):
                text = bytes
            }
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: HTTPWire.bytes(text))), promise: nil)
        }

        private func tunnel(_ bytes: [UInt8], context: ChannelHandlerContext) {
            update { $0.tunnelled += bytes }
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case ChannelEvent.inputClosed = event {
                update { $0.closedByPeer = true }
                context.close(promise: nil)
                return
            }
            context.fireUserInboundEventTriggered(event)
        }

        func channelInactive(context: ChannelHandlerContext) {
            update { $0.closedByPeer = true }
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            update { $0.closedByPeer = true }
            context.close(promise: nil)
        }
    }
}
