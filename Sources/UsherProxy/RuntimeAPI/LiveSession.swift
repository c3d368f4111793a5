import Atomics
import NIOCore

/// A client connection as the runtime API sees it (`show sess`, `shutdown session`): where it
/// came from, which frontend took it, which server it was last given to.
///
/// The data path touches it twice per connection (open, close) and once per server choice (one
/// relaxed store of a word); nothing here takes a lock or a reference count per request.
public final class LiveSession: Sendable {
    /// The client's channel: closing it ends the session.
    let channel: Channel
    /// The frontend's name, nil for a runtime API connection (HAProxy's `GLOBAL`).
    let frontendName: String?
    /// Monotonic milliseconds when it was accepted, for `age`.
    let openedMilliseconds: UInt64
    /// The identity of the server it was last given to, 0 for none. Only compared with the servers
    /// of the runtime that owns the registry (which outlive its sessions), never dereferenced.
    private let currentServer = ManagedAtomic<UInt>(0)

    /// The configuration that serves it (`ProxyRuntime.generation`): a reload in place leaves a
    /// session with the configuration it started in.
    let generation: Int

    init(channel: Channel, frontendName: String?, generation: Int = 0) {
        self.generation = generation
        self.channel = channel
        self.frontendName = frontendName
        self.openedMilliseconds = FrequencyCounter.nowMilliseconds()
    }

    /// HAProxy shows a session by its address: usher shows this object's.
    public var id: UInt { UInt(bitPattern: ObjectIdentifier(self)) }

    /// `show sess`'s `0x…` form of `id`.
    public var idText: String { "0x" + String(id, radix: 16) }

    /// The server it was last given to, among `runtime`'s.
    func server(in runtime: ProxyRuntime) -> ServerRuntime? {
        let id = currentServer.load(ordering: .relaxed)
        guard id != 0 else { return nil }
        for backend in runtime.backends {
            if let server = backend.servers.first(where: { Self.identity($0) == id }) { return server }
        }
        return nil
    }

    /// Whether it was last given to `server`.
    func isOn(_ server: ServerRuntime) -> Bool {
        currentServer.load(ordering: .relaxed) == Self.identity(server)
    }

    /// A connection slot on `server` was reserved for this session.
    @inline(__always)
    func attach(_ server: ServerRuntime) {
        currentServer.store(Self.identity(server), ordering: .relaxed)
    }

    @inline(__always)
    static func identity(_ server: ServerRuntime) -> UInt {
        UInt(bitPattern: ObjectIdentifier(server))
    }

    /// Ends the session (`shutdown session`): the client's connection is closed, which takes the
    /// server's down with it.
    func shutDown() {
        channel.close(promise: nil)
    }
}

