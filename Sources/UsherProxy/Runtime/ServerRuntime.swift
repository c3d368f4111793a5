import Atomics
import NIOCore
import UsherConfig
import UsherRouting

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

    /// The server's address, resolved at start; its port is the client's destination port when the
    /// configuration gives none.
    let address: SocketAddress
    let hasPort: Bool

    init(server: Server, backendName: String, index: Int) throws {
        self.server = server
        self.address = try ServerAddressBook.resolve(server.address, defaultPort: 0)
        self.hasPort = server.address.ports != nil
        self.backendName = backendName
        self.index = index
        self.up = ManagedAtomic(!server.isDisabled)
    }

    public var name: String { server.name }

    /// Where to connect for a client that came in on `destinationPort`.
    func connectAddress(clientDestinationPort: Int) -> SocketAddress {
        guard !hasPort else { return address }
        var copy = address
        copy.port = clientDestinationPort
        return copy
    }
    public var isUp: Bool { up.load(ordering: .relaxed) }
    public var currentConnections: Int { activeConnections.load(ordering: .relaxed) }

    /// `backend/server`, as HAProxy names servers in messages.
    public var qualifiedName: String { "\(backendName)/\(server.name)" }
}

extension ServerRuntime {
    /// The PROXY protocol header this server wants first on a connection for `connection`
    /// (`send-proxy`, `send-proxy-v2`), or nil.
    func proxyProtocolHeader(for connection: ConnectionInfo) -> [UInt8]? {
        let version = server.proxyProtocol
        guard version != .none, let source = connection.source, let destination = connection.destination else { return nil }
        let header = ProxyProtocolHeader(
            source: source, sourcePort: connection.sourcePort,
            destination: destination, destinationPort: connection.destinationPort
        )
        return version == .v2 ? header.encodeV2() : header.encodeV1()
    }
}
