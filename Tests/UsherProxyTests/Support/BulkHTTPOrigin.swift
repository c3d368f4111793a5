import NIOCore
import NIOPosix

/// An HTTP origin for bulk transfers: `GET /bytes/N` answers N bytes of `BytePattern` with a
/// Content-Length, written a megabyte at a time as the socket drains; a request with a
/// Content-Length body is checked against the pattern as it streams in, and answered with
/// `received N ok` (or `mismatch`). Nothing is held whole.
final class BulkHTTPOrigin: Sendable {
    let channel: Channel

    init(group: EventLoopGroup) throws {
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(BulkHTTPHandler()) }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    var port: Int { channel.localAddress?.port ?? 0 }

    func stop() {
        channel.close(promise: nil)
    }
}

private final class BulkHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var head: [UInt8] = []
    private var bodyRemaining = 0
    private var bodyReceived = 0
    private var mismatch = false
    private var inBody = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        while buffer.readableBytes > 0 {
            if inBody {
                let take = min(bodyRemaining, buffer.readableBytes)
                let slice = buffer.readSlice(length: take)!
                if !slice.withUnsafeReadableBytes({ BytePattern.matches($0, offset: bodyReceived) }) { mismatch = true }
                bodyReceived += take
                bodyRemaining -= take
                if bodyRemaining == 0 {
                    inBody = false
                    respond(context: context, text: "received \(bodyReceived) \(mismatch ? "mismatch" : "ok")")
                }
                continue
            }
            head.append(buffer.readInteger(as: UInt8.self)!)
            guard head.count >= 4, head.suffix(4) == [13, 10, 13, 10] else { continue }
            let text = String(decoding: head, as: UTF8.self)
            head = []
            let lines = text.split(separator: "\r\n")
            let requestLine = lines.first.map(String.init) ?? ""
            let length = lines.first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].filter { $0 != " " }) } ?? 0
            if length > 0 {
                inBody = true
                bodyRemaining = length
                bodyReceived = 0
                mismatch = false
            } else if requestLine.hasPrefix("GET /bytes/"), let total = Int(requestLine.split(separator: " ")[1].dropFirst(7)) {
                var header = context.channel.allocator.buffer(capacity: 64)
                header.writeString("HTTP/1.1 200 OK\r\nContent-Length: \(total)\r\n\r\n")
                context.write(wrapOutboundOut(header), promise: nil)
                sendPattern(context: NIOLoopBound(context, eventLoop: context.eventLoop), offset: 0, total: total)
            } else {
                respond(context: context, text: "hello")
            }
        }
    }

    private func respond(context: ChannelHandlerContext, text: String) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeString("HTTP/1.1 200 OK\r\nContent-Length: \(text.utf8.count)\r\n\r\n\(text)")
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private func sendPattern(context: NIOLoopBound<ChannelHandlerContext>, offset: Int, total: Int) {
        guard offset < total else { return }
        let size = min(1 << 20, total - offset)
        var buffer = context.value.channel.allocator.buffer(capacity: size)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { pointer in
            BytePattern.fill(UnsafeMutableRawBufferPointer(rebasing: pointer[0..<size]), offset: offset)
            return size
        }
        context.value.writeAndFlush(NIOAny(buffer)).whenComplete { [self] result in
            guard case .success = result else { return }
            self.sendPattern(context: context, offset: offset + size, total: total)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
