#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import UsherConfig

/// A listening socket the process was started with (`bind fd@N`, `stats socket fd@N`), as a
/// test harness or a socket-activating supervisor hands it over: checked before SwiftNIO adopts
/// it, because handing NIO a descriptor that is closed or not a stream socket would fail deep
/// inside the event loop instead of with a message naming the configuration line.
public enum InheritedListener {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// What `prepare` found out about the socket.
    struct Facts: Equatable {
        /// A UNIX-domain socket (no TCP options apply to its connections).
        var isUnixDomain: Bool
        /// It was bound but not yet listening; `prepare` made it listen.
        var startedListening: Bool
    }

    /// The `fd@N` of `configuration` (binds and `stats socket`) whose descriptor is not open, with
    /// the line that names it. To call before anything else opens a file: a descriptor the process
    /// did not inherit would otherwise soon be one of its own (an event loop's, a log's).
    public static func unopened(in configuration: Configuration) -> [(descriptor: Int32, location: SourceLocation)] {
        var named: [(descriptor: Int32, location: SourceLocation)] = []
        for proxy in configuration.proxies where !proxy.isDisabled {
            for bind in proxy.binds {
                for address in bind.addresses {
                    if let descriptor = address.inheritedDescriptor { named.append((descriptor, bind.location)) }
                    if let descriptor = address.socketPairDescriptor { named.append((descriptor, bind.location)) }
                }
            }
        }
        for socket in configuration.global.runtimeAPI.sockets {
            if case .inherited(let descriptor) = socket.endpoint { named.append((descriptor, socket.location)) }
        }
        return named.filter { fcntl($0.descriptor, F_GETFD) < 0 }
    }

    /// Whether `descriptor` is a UNIX-domain socket (false if it is not a socket at all: `prepare` says why).
    static func isUnixDomain(_ descriptor: Int32) -> Bool {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return named == 0 && Int32(address.ss_family) == AF_UNIX
    }

    /// Checks that `descriptor` is an open, bound stream socket, and makes it listen with `backlog`
    /// if whoever bound it did not.
    static func prepare(_ descriptor: Int32, backlog: Int32) throws -> Facts {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw Problem(description: "fd@\(descriptor) is not an open file descriptor (\(String(cString: strerror(errno))))")
        }
        guard (status.st_mode & S_IFMT) == S_IFSOCK else {
            throw Problem(description: "fd@\(descriptor) is not a socket")
        }
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_TYPE, &type, &length) == 0 else {
            throw Problem(description: "fd@\(descriptor): cannot read the socket's type (\(String(cString: strerror(errno))))")
        }
        #if canImport(Glibc) || canImport(Musl)
        let streamType = Int32(SOCK_STREAM.rawValue)
        #else
        let streamType = SOCK_STREAM
        #endif
        guard type == streamType else {
            throw Problem(description: "fd@\(descriptor) is not a stream socket (usher listens on TCP and UNIX stream sockets only)")
        }
        var address = sockaddr_storage()
        var addressLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &addressLength) }
        }
        guard named == 0 else {
            throw Problem(description: "fd@\(descriptor): cannot read the socket's address (\(String(cString: strerror(errno))))")
        }
        let isUnixDomain = Int32(address.ss_family) == AF_UNIX
        var accepting: Int32 = 0
        length = socklen_t(MemoryLayout<Int32>.size)
        var startedListening = false
        if getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) != 0 || accepting == 0 {
            guard listen(descriptor, backlog) == 0 else {
                throw Problem(description: "fd@\(descriptor): cannot listen (\(String(cString: strerror(errno))))")
            }
            startedListening = true
        }
        return Facts(isUnixDomain: isUnixDomain, startedListening: startedListening)
    }
}
