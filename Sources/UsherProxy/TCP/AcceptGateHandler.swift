import Atomics
import NIOCore

/// Sits on a listening channel and stops accepting while the frontend's or the process's `maxconn`
/// is reached; accepting resumes when a connection closes. Nothing is refused: pending clients wait
/// in the kernel's backlog, as with HAProxy.
final class AcceptGateHandler: ChannelDuplexHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel
    typealias OutboundIn = Never

    private let isFull: @Sendable () -> Bool
    private var context: ChannelHandlerContext?
    private var readPending = false

    init(isFull: @escaping @Sendable () -> Bool) {
        self.isFull = isFull
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func read(context: ChannelHandlerContext) {
        if isFull() {
            readPending = true
        } else {
            context.read()
        }
    }

    /// A connection closed somewhere: if accepting was paused and there is room again, resume.
    func wakeUp() {
        guard readPending, let context, !isFull() else { return }
        readPending = false
        context.read()
    }
}

@available(*, unavailable)
extension AcceptGateHandler: Sendable {}
