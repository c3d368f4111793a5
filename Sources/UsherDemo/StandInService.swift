import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// A small HTTP/1.1 service (optionally over TLS, optionally with a WebSocket echo on any path) that
/// plays the part of a real service behind the proxy: the web server, its TLS site, pump.io.
public final class StandInService: Sendable {
    public let name: String
    public let channel: Channel

    /// Starts the service on `host:port` (port 0 picks a free one).
    public static func start(
        name: String, host: String = "127.0.0.1", port: Int, tls: TLSConfiguration? = nil, webSocketEcho: Bool = false,
        group: EventLoopGroup
    ) throws -> StandInService {
        let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext {
                        try pipeline.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    let responder = StandInResponder(serviceName: name)
                    if webSocketEcho {
                        let upgrader = NIOWebSocketServerUpgrader(
                            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
                            upgradePipelineHandler: { channel, _ in
                                channel.eventLoop.makeCompletedFuture {
                                    try channel.pipeline.syncOperations.addHandler(WebSocketEchoHandler())
                                }
                            }
                        )
                        try pipeline.configureHTTPServerPipeline(
                            withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                                context.pipeline.syncOperations.removeHandler(responder, promise: nil)
                            })
                        )
                    } else {
                        try pipeline.configureHTTPServerPipeline()
                    }
                    try pipeline.addHandler(responder)
                }
            }
        do {
            let channel = try bootstrap.bind(host: host, port: port).wait()
            return StandInService(name: name, channel: channel)
        } catch {
            throw StandInError(description: "cannot listen on \(host):\(port) for \(name): \(error)")
        }
    }

    private init(name: String, channel: Channel) {
        self.name = name
        self.channel = channel
    }

    public var port: Int { channel.localAddress?.port ?? 0 }

    public func stop() {
        try? channel.close().wait()
    }
}

public struct StandInError: Error, CustomStringConvertible {
    public var description: String
}

/// Answers every request with a page naming the service, the request line and the Host header.
final class StandInResponder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let serviceName: String
    private var head: HTTPRequestHead?

    init(serviceName: String) {
        self.serviceName = serviceName
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
        case .body:
            break
        case .end:
            guard let request = head else { return }
            let body = "Hello from \(serviceName).\nYou asked for \(request.method) \(request.uri) on host \(request.headers.first(name: "host") ?? "-").\n"
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            headers.add(name: "X-Served-By", value: serviceName)
            let keepAlive = request.isKeepAlive
            headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let channel = context.channel
                done.whenComplete { _ in channel.close(promise: nil) }
            }
            head = nil
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// Echoes WebSocket text and binary frames, answers pings, and closes when asked.
final class WebSocketEchoHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary, .continuation:
            let reply = WebSocketFrame(fin: frame.fin, opcode: frame.opcode, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)))
                .whenComplete { _ in channel.close(promise: nil) }
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
