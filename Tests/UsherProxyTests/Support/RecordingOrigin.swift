import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// An in-process HTTP/1 origin server for the HTTP tests. It listens on 127.0.0.1 (port 0), keeps
/// every byte each connection brought, finds where each request ends (Content-Length or chunked),
/// and answers each with the next scripted reply: any status, fields, body framed by length, by
/// chunks or by closing, or garbage, or silence. It keeps connections alive unless a reply says
/// otherwise, answers `Expect: 100-continue` with an interim 100 when the body has not come yet,
/// and serves pipelined requests one after the other.
final class RecordingOrigin: Sendable {
    /// What the origin answers to one request.
    struct Reply: Sendable {
        enum Framing: Sendable {
            /// `Content-Length` and the body.
            case contentLength
            /// `Transfer-Encoding: chunked`, the body in two chunks.
            case chunked
            /// No length; the body, then the origin closes.
            case closeDelimited
            /// No length field and no body (for 204, 304).
            case bodiless
        }

        var status: Int = 200
        var reason: String = "OK"
        var fields: [HTTPWire.Field] = []
        var body: String = "hello from origin\n"
        var framing: Framing = .contentLength
        /// Seconds to wait before answering.
        var delay: Double = 0
        /// Close the connection once the reply is written.
        var closeAfter = false
        /// Exactly these bytes instead of a well-formed reply, then close.
        var raw: [UInt8]?
        /// Never answer (and never close): for server timeouts.
        var silent = false

        static let ok = Reply()

        static func ok(_ body: String, _ fields: [HTTPWire.Field] = []) -> Reply {
            Reply(fields: fields, body: body)
        }

        static func status(_ status: Int, _ reason: String, _ fields: [HTTPWire.Field] = [], body: String = "", framing: Framing = .contentLength) -> Reply {
            Reply(status: status, reason: reason, fields: fields, body: body, framing: framing)
        }

        static func garbage(_ bytes: String) -> Reply {
            Reply(raw: HTTPWire.bytes(bytes))
        }

        static let silence = Reply(silent: true)
    }

    /// A request as the origin received it, and on which of its connections (0-based, accept order).
    struct Request: Sendable {
        var connection: Int
        var message: HTTPWire.Message
    }

    private struct State {
        var connections: [[UInt8]] = []
        var requests: [Request] = []
        var unparsable: [String] = []
    }

    let name: String
    let channel: Channel
    private let state = NIOLockedValueBox(State())

    /// Starts an origin whose `n`th request (counted over all connections) gets `replies[n]`, or the
    /// last reply once the list is exhausted. Every reply carries `X-Origin: <name>`.
    init(name: String, replies: [Reply] = [.ok], group: EventLoopGroup = testGroup) throws {
        self.name = name
        let state = self.state
        let script = replies.isEmpty ? [Reply.ok] : replies
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let connection = state.withLockedValue { state -> Int in
                        state.connections.append([])
                        return state.connections.count - 1
                    }
                    let recorder = Recorder(
                        received: { bytes in state.withLockedValue { $0.connections[connection] += bytes } },
                        request: { message -> Reply in
                            state.withLockedValue { state in
                                state.requests.append(Request(connection: connection, message: message))
                                return script[min(state.requests.count - 1, script.count - 1)]
                            }
                        },
                        unparsable: { reason in state.withLockedValue { $0.unparsable.append("connection \(connection): \(reason)") } }
                    )
                    try channel.pipeline.syncOperations.addHandler(OriginHandler(name: name, recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    var port: Int { channel.localAddress!.port! }
    /// `127.0.0.1:port`, for a `server` line.
    var address: String { "127.0.0.1:\(port)" }

    /// Every request received so far, in arrival order.
    var requests: [Request] { state.withLockedValue { $0.requests } }
    /// The bytes each accepted connection brought, in accept order.
    var receivedPerConnection: [[UInt8]] { state.withLockedValue { $0.connections } }
    /// Connections accepted (health checks and probes that sent nothing included).
    var connectionCount: Int { state.withLockedValue { $0.connections.count } }
    /// Connections that brought at least one byte.
    var connectionsWithBytes: Int { state.withLockedValue { $0.connections.filter { !$0.isEmpty }.count } }
    /// Bytes received over all connections.
    var totalBytesReceived: Int { state.withLockedValue { $0.connections.reduce(0) { $0 + $1.count } } }
    /// Bytes that could not be read as a request, with the reason.
    var unparsable: [String] { state.withLockedValue { $0.unparsable } }

    /// Waits until no byte has arrived for `quiet` seconds (at most `limit`). A proxy may close the
    /// client in the same instant it writes to the server: the client's end is no sign that the
    /// origin has read what was sent to it yet.
    func settle(quiet: Double = 0.05, limit: Double = 1) {
        let deadline = Date().addingTimeInterval(limit)
        var last = totalBytesReceived
        var stableSince = Date()
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
            let now = totalBytesReceived
            if now != last {
                last = now
                stableSince = Date()
            } else if Date().timeIntervalSince(stableSince) >= quiet {
                return
            }
        }
    }

    func stop() {
        try? channel.close().wait()
    }

    deinit {
        channel.close(promise: nil)
    }
}

/// What a connection's handler reports back to its origin.
private struct Recorder: Sendable {
    var received: @Sendable ([UInt8]) -> Void
    /// Records a complete request and returns the reply to send.
    var request: @Sendable (HTTPWire.Message) -> RecordingOrigin.Reply
    var unparsable: @Sendable (String) -> Void
}

private final class OriginHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let name: String
    let recorder: Recorder
    var buffer: [UInt8] = []
    /// A reply is being delayed or will never come: later requests wait.
    var busy = false
    var closing = false
    var sentContinue = false

    init(name: String, recorder: Recorder) {
        self.name = name
        self.recorder = recorder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(unwrapInboundIn(data).readableBytesView)
        recorder.received(bytes)
        buffer += bytes
        process(context: context)
    }

    private func process(context: ChannelHandlerContext) {
        while !busy && !closing && !buffer.isEmpty {
            switch HTTPWire.parseRequest(buffer[...]) {
            case .incomplete:
                if !sentContinue, let end = HTTPWire.headEnd(buffer[...]), let head = HTTPWire.parseHead(buffer[..<end]),
                    head.fields.contains(where: { $0.name.lowercased() == "expect" && $0.value.lowercased() == "100-continue" })
                {
                    sentContinue = true
                    context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: "HTTP/1.1 100 Continue\r\n\r\n")), promise: nil)
                }
                return
            case .invalid(let reason):
                recorder.unparsable(reason + ": " + HTTPWire.printable(buffer.prefix(200)))
                closing = true
                context.close(promise: nil)
                return
            case .complete(let message, let consumed):
                buffer.removeFirst(consumed)
                sentContinue = false
                let reply = recorder.request(message)
                answer(reply, method: message.firstWord, context: context)
            }
        }
    }

    private func answer(_ reply: RecordingOrigin.Reply, method: String, context: ChannelHandlerContext) {
        if reply.silent {
            busy = true
            return
        }
        let bytes = Self.encode(reply, method: method, origin: name)
        let close = reply.closeAfter || reply.raw != nil || reply.framing == .closeDelimited
        guard reply.delay > 0 else {
            write(bytes, close: close, context: context)
            return
        }
        busy = true
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .milliseconds(Int64(reply.delay * 1000))) {
            let handler = handler.value
            handler.busy = false
            handler.write(bytes, close: close, context: loopContext.value)
            if !handler.closing { handler.process(context: loopContext.value) }
        }
    }

    private func write(_ bytes: [UInt8], close: Bool, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let written = context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)))
        if close {
            closing = true
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    static func encode(_ reply: RecordingOrigin.Reply, method: String, origin: String) -> [UInt8] {
        if let raw = reply.raw { return raw }
        var head = "HTTP/1.1 \(reply.status) \(reply.reason)\r\n"
        for field in reply.fields { head += "\(field.name): \(field.value)\r\n" }
        head += "X-Origin: \(origin)\r\n"
        let body = HTTPWire.bytes(reply.body)
        let sendsBody = method != "HEAD"
        var payload: [UInt8] = []
        switch reply.framing {
        case .contentLength:
            head += "Content-Length: \(body.count)\r\n"
            if sendsBody { payload = body }
        case .chunked:
            head += "Transfer-Encoding: chunked\r\n"
            if sendsBody {
                let half = body.count / 2
                for part in [body[..<half], body[half...]] where !part.isEmpty {
                    payload += HTTPWire.bytes(String(part.count, radix: 16) + "\r\n") + part + HTTPWire.bytes("\r\n")
                }
                payload += HTTPWire.bytes("0\r\n\r\n")
            }
        case .closeDelimited:
            if sendsBody { payload = body }
        case .bodiless:
            break
        }
        return HTTPWire.bytes(head + "\r\n") + payload
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
