import Atomics
import UsherConfig

/// The live state of one server: health and connection counts, shared by every event loop.
public final class ServerRuntime: Sendable {
    public let server: Server
    public let backendName: String
    /// Position in its backend.
    public let index: Int
    /// Passes its checks (always true for an unchecked server); a disabled server is never up.
    let up: ManagedAtomic<Bool>
    /// Connections open to this server now.
    let activeConnections = ManagedAtomic<Int>(0)
    /// Connections ever sent to it.
    let totalConnections = ManagedAtomic<Int>(0)

    init(server: Server, backendName: String, index: Int) {
        self.server = server
        self.backendName = backendName
        self.index = index
        self.up = ManagedAtomic(!server.isDisabled)
    }

    public var name: String { server.name }
    public var isUp: Bool { up.load(ordering: .relaxed) }
    public var currentConnections: Int { activeConnections.load(ordering: .relaxed) }

    /// `backend/server`, as HAProxy names servers in messages.
    public var qualifiedName: String { "\(backendName)/\(server.name)" }
}
