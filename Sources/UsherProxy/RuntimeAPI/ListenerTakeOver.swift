#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// `-x SOCKET`: the receiving side of HAProxy's `_getsocks` exchange (see `ListenerHandOver`).
/// The running process (usher or HAProxy, with `stats socket … expose-fd listeners`) sends its
/// listening sockets; the new process binds each of its listeners to the received socket with the
/// same address, so that no connection is refused between the two.
public enum ListenerTakeOver {
    /// A received listening socket and the address it is bound to.
    public struct Socket: Sendable {
        public let descriptor: Int32
        /// IPv4/IPv6 address bytes and port; nil for a UNIX socket.
        let ip: [UInt8]?
        let port: Int
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Connects to the runtime API at `path`, asks for the listening sockets and receives them.
    public static func fetch(from path: String) throws -> [Socket] {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "cannot create a socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(description: "socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "cannot connect to \(path): \(String(cString: strerror(errno)))") }
        let request = Array("_getsocks\n".utf8)
        guard send(descriptor, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else {
            throw Failure(description: "cannot send the request to \(path)")
        }
        // The number of sockets, a native 32-bit integer.
        var countBytes = [UInt8](repeating: 0, count: 4)
        var received = 0
        while received < 4 {
            let got = countBytes.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + received, 4 - received, 0) }
            guard got > 0 else {
                throw Failure(description: "\(path) sent no sockets (is it a 'stats socket … expose-fd listeners' at level admin?)")
            }
            received += got
        }
        let count = Int(countBytes.withUnsafeBytes { $0.load(as: Int32.self) })
        guard count >= 0, count < 65536 else { throw Failure(description: "\(path) announced \(count) sockets") }
        var descriptors: [Int32] = []
        while descriptors.count < count {
            let batch = try receiveBatch(descriptor, expected: min(ListenerHandOver.descriptorsPerMessage, count - descriptors.count))
            descriptors += batch
            if batch.count == ListenerHandOver.descriptorsPerMessage, descriptors.count < count {
                var acknowledgement: [UInt8] = [0, 0, 0, 0]
                _ = send(descriptor, &acknowledgement, 4, Int32(MSG_NOSIGNAL))
            }
        }
        return descriptors.compactMap(describe)
    }

    /// One message: its descriptors (`SCM_RIGHTS`); the data (names of namespaces and interfaces)
    /// is read and not used: usher binds to neither.
    private static func receiveBatch(_ descriptor: Int32, expected: Int) throws -> [Int32] {
        let (got, descriptors) = DescriptorMessage.receive(from: descriptor, dataCapacity: expected * 600 + 64, maxDescriptors: expected)
        guard got > 0 else { throw Failure(description: "the sockets did not arrive: \(got < 0 ? String(cString: strerror(errno)) : "connection closed")") }
        return descriptors
    }

    /// The address a received socket listens on; nil (and closed) if it is not an IP listener.
    private static func describe(_ descriptor: Int32) -> Socket? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard ok == 0 else {
            close(descriptor)
            return nil
        }
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self) }
            let ip = withUnsafeBytes(of: address.sin_addr) { Array($0) }
            return Socket(descriptor: descriptor, ip: ip, port: Int(UInt16(bigEndian: address.sin_port)))
        case AF_INET6:
            let address = withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self) }
            let ip = withUnsafeBytes(of: address.sin6_addr) { Array($0) }
            return Socket(descriptor: descriptor, ip: ip, port: Int(UInt16(bigEndian: address.sin6_port)))
        default:
            // UNIX sockets are bound anew (their file is replaced atomically).
            close(descriptor)
            return nil
        }
    }

    /// Whether `socket` listens where `address` (host, port) says.
    static func matches(_ socket: Socket, host: String, port: Int) -> Bool {
        guard socket.port == port, let ip = socket.ip else { return false }
        guard let wanted = try? SocketAddress(ipAddress: host, port: port) else { return false }
        switch wanted {
        case .v4(let v4):
            return ip.count == 4 && withUnsafeBytes(of: v4.address.sin_addr) { Array($0) } == ip
        case .v6(let v6):
            return ip.count == 16 && withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) } == ip
        default:
            return false
        }
    }
}
