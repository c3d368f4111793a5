import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A WebSocket client built on NIOWebSocket: opens the handshake through a proxy, sends text
/// frames, and collects what comes back.
final class WebSocketTestClient: Sendable {
    let channel: Channel
    private let received: NIOLockedValueBox<[String]>
    private let upgraded: EventLoopFuture<Void>

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Connects to `port` and asks for a WebSocket on `path` with `host` as the Host header.
    init(port: Int, host: String, path: String = "/", group: EventLoopGroup) throws {
        let received = NIOLockedValueBox<[String]>([])
        let upgradePromise = group.next().makePromise(of: Void.self)
        let channel = try ClientBootstrap(group: group)
            .channelInitializer { channel in
                let requester = UpgradeRequester(host: host, path: path, failure: upgradePromise)
                let upgrader = NIOWebSocketClientUpgrader(
                    requestKey: "dGhlIHNhbXBsZSBub25jZQ==",
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            channel.pipeline.syncOperations.removeHandler(requester, promise: nil)
                            try channel.pipeline.syncOperations.addHandler(Collector(received: received))
                            upgradePromise.succeed(())
                        }
                    }
                )
                let configuration: NIOHTTPClientUpgradeConfiguration = (upgraders: [upgrader], completionHandler: { _ in })
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(leftOverBytesStrategy: .forwardBytes, withClientUpgrade: configuration)
                    try channel.pipeline.syncOperations.addHandler(requester)
                }
            }
            .connect(host: "127.0.0.1", port: port).wait()
        self.channel = channel
        self.received = received
        self.upgraded = upgradePromise.futureResult
    }

    /// Waits for the 101 (and the server's accept value, which NIO checks).
    func waitForUpgrade(seconds: Int64 = 10) throws {
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(seconds)) { [channel] in channel.close(promise: nil) }
        defer { timeout.cancel() }
        try upgraded.wait()
    }

    func send(_ text: String) throws {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)
        try channel.writeAndFlush(frame).wait()
    }

    /// Waits until `count` messages have come back, for at most `seconds`.
    func messages(count: Int, seconds: Double = 10) -> [String] {
        let deadline = NIODeadline.now() + .milliseconds(Int64(seconds * 1000))
        while NIODeadline.now() < deadline {
            let current = received.withLockedValue { $0 }
            if current.count >= count { return current }
            usleep(10_000)
        }
        return received.withLockedValue { $0 }
    }

    func close() {
        channel.close(promise: nil)
    }

    /// Sends the request that carries the upgrade headers; fails the wait if the answer is not 101.
    private final class UpgradeRequester: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPClientResponsePart
        typealias OutboundOut = HTTPClientRequestPart
        let host: String
        let path: String
        let failure: EventLoopPromise<Void>

        init(host: String, path: String, failure: EventLoopPromise<Void>) {
            self.host = host
            self.path = path
            self.failure = failure
        }

        func channelActive(context: ChannelHandlerContext) {
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
            head.headers.add(name: "Host", value: host)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .head(let head) = unwrapInboundIn(data) {
                failure.fail(Failure(description: "no upgrade: \(head.status.code) \(head.status.reasonPhrase)"))
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            failure.fail(Failure(description: "connection closed before the upgrade"))
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            failure.fail(error)
            context.close(promise: nil)
        }
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = WebSocketFrame
        let received: NIOLockedValueBox<[String]>

        init(received: NIOLockedValueBox<[String]>) {
            self.received = received
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            guard frame.opcode == .text else { return }
            var data = frame.unmaskedData
            let text = data.readString(length: data.readableBytes) ?? ""
            received.withLockedValue { $0.append(text) }
        }
    }
}
