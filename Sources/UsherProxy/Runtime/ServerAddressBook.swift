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

    /// The address a server starts with: its IP, or what its `init-addr` methods find (nil for
    /// none: the server starts in maintenance until DNS gives it one). Throws when no method
    /// finds one and `none` is not among them.
    static func initialAddress(of server: Server) throws -> SocketAddress? {
        let port = server.address.ports?.lowerBound ?? 0
        guard let host = server.address.host, server.address.unixSocket == nil, !Address.looksLikeIP(host) else {
            return try resolve(server.address, defaultPort: 0)
        }
        // An SRV name has no address of its own: the records fill it.
        if server.isSRV { return nil }
        var lastError: Error? = nil
        for method in server.initAddr {
            switch method {
            case .last:
                // The address before a reload comes from a server-state-file, which usher does not keep.
                continue
            case .libc:
                do {
                    return try resolve(server.address, defaultPort: 0)
                } catch {
                    lastError = error
                }
            case .none:
                return nil
            case .ip(let text):
                if let address = try? SocketAddress(ipAddress: text, port: port) { return address }
            }
        }
        throw lastError ?? InitialAddressError(description: "server '\(server.name)' at \(server.location): no 'init-addr' method found an address for '\(host)'")
    }

    /// Where a server without an address points: never connected to, since it is in maintenance.
    static func placeholder(for server: Server) -> SocketAddress {
        (try? SocketAddress(ipAddress: "0.0.0.0", port: server.address.ports?.lowerBound ?? 0)) ?? (try! SocketAddress(ipAddress: "0.0.0.0", port: 0))
    }
}

struct InitialAddressError: Error, CustomStringConvertible {
    var description: String
}
