import Atomics
import NIOCore

/// A client connection as the runtime API sees it (`show sess`, `shutdown session`): where it
/// came from, which frontend took it, which server it was last given to.
///
/// The data path touches it twice per connection (open, close) and once per server choice (one
/// atomic store); nothing here takes a lock per request.
public final class LiveSession: Sendable {
    /// The client's channel: closing it ends the session.
    let channel: Channel
    /// The frontend's name, nil for a runtime API connection (HAProxy's `GLOBAL`).
    let frontendName: String?
    /// Monotonic milliseconds when it was accepted, for `age`.
    let openedMilliseconds: UInt64
    /// The server it was last given to.
    private let currentServer = ManagedAtomic<ServerRuntime?>(nil)

    init(channel: Channel, frontendName: String?) {
        self.channel = channel
        self.frontendName = frontendName
        self.openedMilliseconds = FrequencyCounter.nowMilliseconds()
    }

    /// HAProxy shows a session by its address: usher shows this object's.
    public var id: UInt { UInt(bitPattern: Unmanaged.passUnretained(self).toOpaque()) }

    /// `show sess`'s `0x…` form of `id`.
    public var idText: String { "0x" + String(id, radix: 16) }

    var server: ServerRuntime? { currentServer.load(ordering: .acquiring) }

    /// A connection slot on `server` was reserved for this session.
    @inline(__always)
    func attach(_ server: ServerRuntime) {
        currentServer.store(server, ordering: .releasing)
    }

    /// Ends the session (`shutdown session`): the client's connection is closed, which takes the
    /// server's down with it.
    func shutDown() {
        channel.close(promise: nil)
    }
}

extension ServerRuntime: AtomicReference {}
