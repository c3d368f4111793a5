import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A UDP listener on 127.0.0.1 that keeps every datagram, as a syslog server would receive them.
final class SyslogCollector: Sendable {
    let channel: Channel
    private let messages = NIOLockedValueBox<[String]>([])

    init(group: EventLoopGroup) throws {
        let box = messages
        channel = try DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(box: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    var port: Int { channel.localAddress!.port! }
    var received: [String] { messages.withLockedValue { $0 } }

    /// Waits up to `timeout` seconds for a datagram containing `text`.
    func waitFor(_ text: String, timeout: Double = 5) async throws -> String? {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while ContinuousClock.now < deadline {
            if let match = received.first(where: { $0.contains(text) }) { return match }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    func stop() {
        try? channel.close().wait()
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let box: NIOLockedValueBox<[String]>

        init(box: NIOLockedValueBox<[String]>) {
            self.box = box
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            let text = String(buffer: envelope.data)
            box.withLockedValue { $0.append(text) }
        }
    }
}
