import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// An in-process TCP server standing in for a backend service. Every connection's received bytes
/// are recorded; what it answers depends on its behaviour.
final class TCPBackend: Sendable {
    enum Behaviour: Sendable {
        /// On the first bytes, answer `NAME\n`; close once the client has finished sending.
        case announce
        /// Like `announce`, but never closes by itself.
        case announceAndStayOpen
        /// Answers `NAME\n`, then closes at once.
        case announceAndClose
        /// Read to the end of the client's stream, then send `replyBytes` of a known pattern, then close.
        case bulkReply(replyBytes: Int, delay: TimeAmount = .zero)
        /// Sends back what it reads, prefixed by `NAME:` each time; closes when the client has finished.
        case echo
    }

    let name: String
    let channel: Channel
    private let received = NIOLockedValueBox<[[UInt8]]>([])
    /// Uploads to a bulk backend, checked against the pattern as they arrive.
    let digest = BulkDigest()
    private let connections = NIOLockedValueBox<Int>(0)

    init(name: String, behaviour: Behaviour, group: EventLoopGroup, port: Int = 0, host: String = "127.0.0.1") throws {
        self.name = name
        let box = received
        let count = connections
        let digest = self.digest
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let slot = box.withLockedValue { list -> Int in
                        list.append([])
                        return list.count - 1
                    }
                    count.withLockedValue { $0 += 1 }
                    try channel.pipeline.syncOperations.addHandler(
                        BackendHandler(name: name, behaviour: behaviour, digest: digest, record: { bytes in
                            box.withLockedValue { $0[slot] += bytes }
                        })
                    )
                }
            }
            .bind(host: host, port: port).wait()
    }

    var port: Int { channel.localAddress!.port! }

    /// Bytes received on each connection so far, in accept order.
    var receivedPerConnection: [[UInt8]] { received.withLockedValue { $0 } }
    var connectionCount: Int { connections.withLockedValue { $0 } }

    func stop() {
        try? channel.close().wait()
    }

}

private final class BackendHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let name: String
    let behaviour: TCPBackend.Behaviour
    let record: (ByteBuffer) -> Void
    let digest: BulkDigest
    var announced = false

    init(name: String, behaviour: TCPBackend.Behaviour, digest: BulkDigest, record: @escaping ([UInt8]) -> Void) {
        self.name = name
        self.digest = digest
        self.behaviour = behaviour
        self.record = { buffer in record(Array(buffer.readableBytesView)) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        switch behaviour {
        case .announce, .announceAndStayOpen, .announceAndClose:
            record(buffer)
            if !announced {
                announced = true
                let written = context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: "\(name)\n")))
                if case .announceAndClose = behaviour {
                    let channel = context.channel
                    written.whenComplete { _ in channel.close(promise: nil) }
                }
            }
        case .bulkReply:
            // Bulk uploads are checked by a running digest, not kept whole.
            digest.add(buffer, connection: ObjectIdentifier(context.channel))
        case .echo:
            record(buffer)
            var reply = context.channel.allocator.buffer(string: "\(name):")
            reply.writeImmutableBuffer(buffer)
            context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case ChannelEvent.inputClosed = event else { return }
        let total: Int
        let delay: TimeAmount
        switch behaviour {
        case .announce, .echo:
            // An announcing backend closes when its client has finished, as most services do.
            context.close(promise: nil)
            return
        case .announceAndStayOpen, .announceAndClose:
            return
        case .bulkReply(let replyBytes, let replyDelay):
            total = replyBytes
            delay = replyDelay
        }
        digest.finish(connection: ObjectIdentifier(context.channel))
        let channel = context.channel
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: delay) {
            handler.value.sendPattern(channel: channel, context: loopBound, offset: 0, total: total)
        }
    }

    /// Writes the pattern in chunks, waiting for each to be written, so memory stays bounded.
    private func sendPattern(channel: Channel, context: NIOLoopBound<ChannelHandlerContext>, offset: Int, total: Int) {
        guard offset < total else {
            channel.close(promise: nil)
            return
        }
        let size = min(1 << 20, total - offset)
        var buffer = channel.allocator.buffer(capacity: size)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { pointer in
            BytePattern.fill(UnsafeMutableRawBufferPointer(rebasing: pointer[0..<size]), offset: offset)
            return size
        }
        context.value.writeAndFlush(NIOAny(buffer)).whenComplete { [self] result in
            guard case .success = result else { return }
            self.sendPattern(channel: channel, context: context, offset: offset + size, total: total)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// Checks uploads against the known pattern as they arrive.
final class BulkDigest: Sendable {
    private let state = NIOLockedValueBox<[ObjectIdentifier: (count: Int, mismatches: Int)]>([:])
    private let finished = NIOLockedValueBox<[(count: Int, mismatches: Int)]>([])

    func add(_ buffer: ByteBuffer, connection: ObjectIdentifier) {
        state.withLockedValue { state in
            var entry = state[connection] ?? (0, 0)
            buffer.withUnsafeReadableBytes { bytes in
                if !BytePattern.matches(bytes, offset: entry.count) { entry.mismatches += 1 }
                entry.count += bytes.count
            }
            state[connection] = entry
        }
    }

    func finish(connection: ObjectIdentifier) {
        let entry = state.withLockedValue { $0.removeValue(forKey: connection) } ?? (0, 0)
        finished.withLockedValue { $0.append(entry) }
    }

    /// Uploads completed so far: bytes received and chunks that differed from the pattern.
    var completedUploads: [(count: Int, mismatches: Int)] { finished.withLockedValue { $0 } }
}
