import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// An HTTP origin that answers every request `200` after `delay`, with `X-Origin: name`, keeping
/// connections alive: requests are still in progress when an operator changes the server's state.
final class SlowOrigin {
    let name: String
    let channel: Channel
    private let served = NIOLockedValueBox(0)

    init(name: String, delay: TimeAmount, group: EventLoopGroup = testGroup) throws {
        self.name = name
        let served = self.served
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SlowOriginHandler(name: name, delay: delay, served: served))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    var port: Int { channel.localAddress!.port! }
    var address: String { "127.0.0.1:\(port)" }
    var requestsServed: Int { served.withLockedValue { $0 } }

    func stop() {
        try? channel.close().wait()
    }
}

private final class SlowOriginHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let name: String
    let delay: TimeAmount
    let served: NIOLockedValueBox<Int>
    var pending: [UInt8] = []

    init(name: String, delay: TimeAmount, served: NIOLockedValueBox<Int>) {
        self.name = name
        self.delay = delay
        self.served = served
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending += unwrapInboundIn(data).readableBytesView
        // GET requests only: each ends with its head.
        while let end = HTTPWire.headEnd(pending[...]) {
            pending.removeFirst(end)
            let body = "served by \(name)\n"
            let response = "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\nX-Origin: \(name)\r\n\r\n\(body)"
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let served = self.served
            context.eventLoop.scheduleTask(in: delay) {
                let context = loopBound.value
                served.withLockedValue { $0 += 1 }
                context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: response)), promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
