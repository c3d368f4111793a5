#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import UsherConfig

extension SocketAddress {
    /// The `sockaddr_un` for a UNIX socket path or an abstract name.
    ///
    /// An abstract name is a NUL byte followed by the name, the rest of `sun_path` left as zeros,
    /// and NIO passes the whole `sockaddr_un` to bind and connect: the kernel keys abstract sockets
    /// by every byte of the length given, so this is the same socket as HAProxy's `abns@NAME`
    /// (which also uses the full length), not the one `socat ABSTRACT:NAME` makes with a short
    /// length. NIO's own `init(unixDomainSocketPath:)` cannot make it: it stops at the first NUL.
    init(unixSocket: UnixSocketName) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes: [UInt8]
        switch unixSocket {
        case .path(let path): bytes = Array(path.utf8)
        case .abstract(let name): bytes = [0] + Array(name.utf8)
        }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        // A path needs its terminating NUL; an abstract name may fill `sun_path`.
        guard bytes.count < capacity || (bytes.first == 0 && bytes.count <= capacity) else {
            throw SocketAddressError.unixDomainSocketPathTooLong
        }
        withUnsafeMutableBytes(of: &address.sun_path) { destination in
            destination.copyBytes(from: bytes)
        }
        self.init(address)
    }
}
