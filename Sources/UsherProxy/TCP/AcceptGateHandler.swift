import Atomics
import NIOCore

/// Sits on a listening channel and stops accepting while the frontend's or the process's `maxconn`
/// is reached; accepting resumes when a connection closes. Nothing is refused: pending clients wait
/// in the kernel's backlog, as with HAProxy. (One accept burst may take up to the channel's
/// `maxMessagesPerRead` connections, so the limit is kept to within that many.)
///
/// It also stops accepting when an accept fails for want of a resource (no descriptor left in the
/// process or the system, no memory for a socket): the listening socket stays readable, and asking
/// again at once would only fail again, as fast as the loop turns (NIO keeps a listener whose
/// accept failed registered for reading: only turning `autoRead` off takes it out of the poll
/// set). As HAProxy does, it says why to the frontend's logs and tries again after a short pause,
/// or as soon as a connection closes. Clients wait in the backlog meanwhile.
final class AcceptGateHandler: ChannelDuplexHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel
    typealias OutboundIn = Never

    /// The frontend, configuration and socket counters in force (a reload in place changes them).
    private let slot: ListenerSlot
    private var context: ChannelHandlerContext?
    /// A read waits for a `maxconn` slot.
    private var readPending = false
    /// Accepting pauses after a resource shortage: whether it is, and the timer that ends the pause.
    private var inResourcePause = false
    private var resourcePauseEnd: Scheduled<Void>?
    private var lastResourceMessage: NIODeadline?

    init(slot: ListenerSlot) {
        self.slot = slot
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        endResourcePause(reading: false)
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

    /// An accept that failed for want of a resource pauses accepting; other errors go on.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let shortage = AcceptShortage.of(error) else {
            context.fireErrorCaught(error)
            return
        }
        let (runtime, frontend) = (slot.target.runtime, slot.target.frontend)
        let now = NIODeadline.now()
        if lastResourceMessage.map({ now - $0 >= AcceptShortage.messageInterval }) ?? true {
            lastResourceMessage = now
            runtime.event(AcceptShortage.message(proxy: frontend.name, shortage: shortage), level: .emerg, frontend: frontend)
        }
        guard !inResourcePause else { return }
        inResourcePause = true
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
        // Closing connections wake paused listeners: one that closes ends the pause early.
        runtime.pausedListeners.wrappingIncrement(ordering: .sequentiallyConsistent)
        resourcePauseEnd = context.eventLoop.assumeIsolated().scheduleTask(in: AcceptShortage.pause) { [self] in
            self.endResourcePause(reading: true)
        }
    }

    /// A connection closed somewhere: if accepting was paused and there may be room again, resume.
    func wakeUp() {
        if inResourcePause {
            endResourcePause(reading: true)
        }
        let (runtime, frontend) = (slot.target.runtime, slot.target.frontend)
        guard readPending, let context, !runtime.isFull(frontend) else { return }
        readPending = false
        runtime.pausedListeners.wrappingDecrement(ordering: .sequentiallyConsistent)
        context.read()
    }

    /// Ends a pause for want of a resource (from its timer, or early), and accepts again unless
    /// the listeners were paused meanwhile for another reason (a hand-over to a new process).
    /// Turning `autoRead` back on reads at once, past the `maxconn` gate: one connection may be
    /// accepted beyond the limit then, as in one accept burst.
    private func endResourcePause(reading: Bool) {
        guard inResourcePause else { return }
        inResourcePause = false
        resourcePauseEnd?.cancel()
        resourcePauseEnd = nil
        let runtime = slot.target.runtime
        runtime.pausedListeners.wrappingDecrement(ordering: .sequentiallyConsistent)
        if reading, runtime.listenersAccepting.load(ordering: .relaxed), let context {
            try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        }
    }
}

@available(*, unavailable)
extension AcceptGateHandler: Sendable {}
