import Glibc
import NIOCore

/// What an accept error says the process is short of, in HAProxy's words, and how long a
/// listener waits before it tries again.
enum AcceptShortage {
    /// How long accepting pauses after an accept failed for want of a resource (HAProxy's delay
    /// for a listener's transient error).
    static let pause = TimeAmount.milliseconds(100)
    /// At most one message about a shortage per listener in this time.
    static let messageInterval = TimeAmount.seconds(1)

    /// What is missing ("process FD limit", …), or nil for an error that is not a shortage.
    static func of(_ error: Error) -> String? {
        guard let error = error as? IOError else { return nil }
        switch error.errnoCode {
        case EMFILE: return "process FD limit"
        case ENFILE: return "system FD limit"
        case ENOBUFS, ENOMEM: return "system memory limit"
        default: return nil
        }
    }

    /// HAProxy's alert for proxy `name` short of `shortage`.
    static func message(proxy name: String, shortage: String) -> String {
        let advice = shortage == "process FD limit" ? "Please check 'ulimit-n' and restart." : "Please check system tunables."
        return "Proxy \(name) reached \(shortage) (maxsock=\(RuntimeAPIInfo.fileDescriptorLimit)). \(advice)"
    }
}

/// On a listener without a `maxconn` gate (the runtime API's, the peers'): when an accept fails
/// for want of a resource, it stops reading the listening socket for `AcceptShortage.pause` and
/// says why, instead of retrying as fast as the loop turns (NIO keeps a listener whose accept
/// failed registered for reading; only turning `autoRead` off takes it out of the poll set).
/// Clients wait in the backlog meanwhile. (Frontends' listeners do the same in `AcceptGateHandler`,
/// which also resumes early when a connection closes.)
final class AcceptShortageHandler: ChannelInboundHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    private let proxyName: String
    private let report: (String) -> Void
    private var paused = false
    private var lastMessage: NIODeadline?

    /// `report` receives the alert (at most one a second); `proxyName` is the name it gives.
    init(proxyName: String, report: @escaping (String) -> Void) {
        self.proxyName = proxyName
        self.report = report
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let shortage = AcceptShortage.of(error) else {
            context.fireErrorCaught(error)
            return
        }
        let now = NIODeadline.now()
        if lastMessage.map({ now - $0 >= AcceptShortage.messageInterval }) ?? true {
            lastMessage = now
            report(AcceptShortage.message(proxy: proxyName, shortage: shortage))
        }
        guard !paused else { return }
        paused = true
        let channel = context.channel
        try? channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
        context.eventLoop.assumeIsolated().scheduleTask(in: AcceptShortage.pause) { [self] in
            self.paused = false
            try? channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        }
    }
}

@available(*, unavailable)
extension AcceptShortageHandler: Sendable {}
