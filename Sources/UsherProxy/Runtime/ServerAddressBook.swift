import NIOCore
import UsherConfig

/// Server and check addresses resolved once at start, so no connection waits on name resolution.
struct ServerAddressBook {
    /// Resolves `host` (an IP or a name) with the system resolver; a UNIX socket needs no resolving.
    static func resolve(_ address: Address, defaultPort: Int) throws -> SocketAddress {
        if let unixSocket = address.unixSocket { return try SocketAddress(unixSocket: unixSocket) }
        let host = address.host ?? "127.0.0.1"
        return try SocketAddress.makeAddressResolvingHost(host, port: address.ports?.lowerBound ?? defaultPort)
    }
}
