import Atomics
import NIOCore
import UsherConfig
import UsherRouting

/// Drives one runtime API connection: feeds its bytes to a `RuntimeAPISessionStateMachine`,
/// writes what it answers, closes when it says so, and closes an idle connection after
/// `stats timeout`. Commands are read only while the client takes the answers: one that sends
/// command after command and reads nothing stops being read (its answers stay within the socket's
/// buffers and NIO's high-water mark), and `stats timeout` then ends it.
final class RuntimeAPIHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var machine: RuntimeAPISessionStateMachine
    private let executor: RuntimeAPIExecutor
    private let idleTimeout: TimeAmount
    private var idleTimer: Scheduled<Void>?

    init(level: RuntimeAPILevel, lineLimit: Int, exposesListeners: Bool = false, executor: RuntimeAPIExecutor, idleTimeout: TimeAmount) {
        self.machine = RuntimeAPISessionStateMachine(level: level, lineLimit: lineLimit, exposesListeners: exposesListeners)
        self.executor = executor
        self.idleTimeout = idleTimeout
    }

    func channelActive(context: ChannelHandlerContext) {
        armIdleTimer(context: context)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armIdleTimer(context: context) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        let executor = self.executor
        let actions = machine.receive(bytes.readableBytesView) { request, level in
            executor.execute(request, level: level)
        }
        perform(actions, context: context)
        if !machine.isClosed { armIdleTimer(context: context) }
    }

    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable { context.read() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { context.read() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            perform(machine.inputClosed(), context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        idleTimer = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func perform(_ actions: [RuntimeAPISessionStateMachine.Action], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .write(let text):
                context.write(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
            case .close:
                idleTimer?.cancel()
                idleTimer = nil
                // Close once what was written has left, so the last answer is not cut.
                let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in
                    loopBound.value.close(promise: nil)
                }
                return
            case .handOverListeners:
                idleTimer?.cancel()
                idleTimer = nil
                context.flush()
                let runtime = executor.runtime
                ListenerHandOver.send(over: context.channel, beforeSending: { runtime.pauseListenersForHandOver() })
                return
            }
        }
        context.flush()
    }

    private func armIdleTimer(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        idleTimer = context.eventLoop.scheduleTask(in: idleTimeout) {
            let (handler, context) = loopBound.value
            handler.idleTimer = nil
            // Closed at once: a client that stopped reading would hold a close that waits for
            // its answers to leave.
            _ = handler.machine.idleTimeout()
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension RuntimeAPIHandler: Sendable {}
