import NIOConcurrencyHelpers
import NIOCore
import UsherConfig

/// One listening socket and what serves the connections it accepts. The socket outlives a
/// configuration: a reload in place that keeps the address points the slot at the new
/// configuration's frontend (`retarget`), so the socket never closes and no client is refused.
/// Connections already accepted keep the configuration they started with.
final class ListenerSlot: Sendable {
    /// What a newly accepted connection is given to.
    struct Target: Sendable {
        let runtime: ProxyRuntime
        let frontend: FrontendRuntime
        let bind: Bind
        /// This socket's counters (`option socket-stats`), nil without them.
        let listener: ListenerStats?
        /// The bind's TLS (`ssl`), nil for a plain listener.
        let termination: BindTermination?
        /// The listener's number when it is a UNIX socket (its clients have no IP address).
        let unixListenerID: Int?

        /// In front of TLS the PROXY header is read by `TLSAcceptHandler`, which passes it on.
        var sessionReadsProxyHeader: Bool { bind.acceptProxy && termination == nil }
    }

    /// What identifies the socket across configurations: its address (see `UsherServer.socketKey`).
    let key: String
    private let current: NIOLockedValueBox<Target>
    /// The token of the waker the accept gate registered with the process (removed on close).
    let wakerToken = NIOLockedValueBox<UInt64?>(nil)

    init(key: String, target: Target) {
        self.key = key
        current = NIOLockedValueBox(target)
    }

    var target: Target { current.withLockedValue { $0 } }

    /// A reload in place: connections accepted from now on go to `target`.
    func retarget(_ target: Target) {
        current.withLockedValue { $0 = target }
    }
}

/// A listening socket bound for a slot, and the file to remove when it closes (a UNIX path); or,
/// for `sockpair@N`, the socket pair connections arrive over.
struct BoundListener: Sendable {
    let slot: ListenerSlot
    let channel: Channel?
    let socketFile: UnixSocketFile?
    let socketPair: SocketPairListener?

    var frontendName: String { slot.target.frontend.name }

    /// Stops or resumes taking connections (a hand-over to another process pauses it).
    func setAccepting(_ accepting: Bool) {
        try? channel?.setOption(ChannelOptions.autoRead, value: accepting).wait()
        socketPair?.setAccepting(accepting)
    }

    func close() {
        try? channel?.close().wait()
        socketPair?.stop()
    }
}
