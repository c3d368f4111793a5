import NIOCore
import UsherRouting

/// The address of a NIO channel's peer or listener, as the routing layer compares addresses.
extension IPAddress {
    init?(socketAddress: SocketAddress) {
        switch socketAddress {
        case .v4(let address):
            self = .v4(UInt32(bigEndian: address.address.sin_addr.s_addr))
        case .v6(let address):
            var storage = address.address.sin6_addr
            let bytes = withUnsafeBytes(of: &storage) { Array($0) }
            guard let value = IPAddress(bytes: bytes) else { return nil }
            self = value.unmapped
        case .unixDomainSocket:
            return nil
        }
    }
}
