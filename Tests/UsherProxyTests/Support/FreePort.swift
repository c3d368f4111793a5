import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// Ports already handed out in this process: the kernel may offer a just-closed port again, and
/// two programs told to bind the same one would make a test fail for no reason of its own.
private let handedOut = NIOLockedValueBox<Set<Int>>([])

/// A port on 127.0.0.1 that was free a moment ago and has not been handed out before.
func freePort() -> Int {
    for _ in 0..<50 {
        let port = kernelFreePort()
        let fresh = handedOut.withLockedValue { $0.insert(port).inserted }
        if fresh { return port }
    }
    return kernelFreePort()
}

private func kernelFreePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Waits until something accepts connections on 127.0.0.1:`port`.
func waitUntilListening(_ port: Int, timeout: Double = 5) -> Bool {
    let deadline = Double(time(nil)) + timeout
    while Double(time(nil)) <= deadline {
        if (try? RawClient(port: port, timeout: 1)) != nil { return true }
        usleep(50_000)
    }
    return false
}
