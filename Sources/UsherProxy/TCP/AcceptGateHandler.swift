import Atomics
import NIOCore

/// Sits on a listening channel and stops accepting while the frontend's or the process's `maxconn`
/// is reached; accepting resumes when a connection closes. Nothing is refused: pending clients wait
/// in the kernel's backlog, as with HAProxy. (One accept burst may take up to the channel's
/// `maxMessagesPerRead` connections, so the limit is kept to within that many.)
final class AcceptGateHandler: ChannelDuplexHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel
    typealias OutboundIn = Never

    /// The frontend, configuration and socket counters in force (a reload in place changes them).
    private let slot: ListenerSlot
    private var context: ChannelHandlerContext?
    private var readPending = false

    init(slot: ListenerSlot) {
        self.slot = slot
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Counts a connection the moment it is accepted, before its channel is set up on its own
    /// event loop, so that the next check already sees it.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let target = slot.target
        if target.frontend.isPaused.load(ordering: .relaxed) {
            // `disable frontend`: HAProxy's paused listener refuses connections; one accepted in
            // the meantime is closed at once.
            unwrapInboundIn(data).close(promise: nil)
            return
        }
        target.runtime.accepted(on: target.frontend)
        target.listener?.sessionStarted()
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        let (runtime, frontend) = (slot.target.runtime, slot.target.frontend)
        guard runtime.isFull(frontend) else {
            context.read()
            return
        }
        // Say we are paused before looking again: a connection that closes in between then
        // sees the mark and wakes us, rather than both missing each other.
        runtime.pausedListeners.wrappingIncrement(ordering: .sequentiallyConsistent)
        if runtime.isFull(frontend) {
            readPending = true
        } else {
            runtime.pausedListeners.wrappingDecrement(ordering: .sequentiallyConsistent)
            context.read()
        }
    }

    /// A connection closed somewhere: if accepting was paused and there is room again, resume.
    func wakeUp() {
        let (runtime, frontend) = (slot.target.runtime, slot.target.frontend)
        guard readPending, let context, !runtime.isFull(frontend) else { return }
        readPending = false
        runtime.pausedListeners.wrappingDecrement(ordering: .sequentiallyConsistent)
        context.read()
    }
}

@available(*, unavailable)
extension AcceptGateHandler: Sendable {}
