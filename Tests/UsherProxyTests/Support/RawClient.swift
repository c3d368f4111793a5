import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plain blocking TCP client on a POSIX socket, for tests that need exact control over what goes
/// on the wire and when: bytes in chosen segments, pauses, a half-close.
final class RawClient: @unchecked Sendable {
    let fd: Int32

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Connects to `host` (an IPv4 address, 127.0.0.1 by default):`port`; reads time out after
    /// `timeout` seconds. `receiveBuffer`: `SO_RCVBUF` set before connecting (it then bounds the
    /// window offered). `source`: the local IPv4 address to connect from (any of 127.0.0.0/8 on
    /// loopback), else the system's choice.
    init(port: Int, host: String = "127.0.0.1", timeout: Double = 10, receiveBuffer: Int32? = nil, source: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw Failure(description: "bind to \(source): errno \(errno)") }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            // Every property is set: `deinit` runs and closes the descriptor (closing it here too
            // would close whatever socket got the number meanwhile).
            throw Failure(description: "connect to port \(port): errno \(errno)")
        }
    }

    /// Wraps a connected socket (one a test server accepted); closed when the value goes away.
    init(descriptor: Int32, timeout: Double = 10) {
        fd = descriptor
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += written
        }
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    /// Sends `bytes` as separate segments of `size`, pausing between them so each leaves alone.
    func sendInSegments(_ bytes: [UInt8], size: Int, pause: Double = 0.02) throws {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + size)
            try send(Array(bytes[offset..<end]))
            offset = end
            if offset < bytes.count { Thread.sleep(forTimeInterval: pause) }
        }
    }

    /// Half-close: no more bytes from us, we can still read.
    func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Reads one chunk (up to `maximum` bytes); empty at end of stream; throws on timeout.
    func receive(maximum: Int = 65536) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, maximum, 0) }
        if count < 0 {
            throw Failure(description: errno == EAGAIN || errno == EWOULDBLOCK ? "receive timed out" : "recv: errno \(errno)")
        }
        return Array(buffer[0..<count])
    }

    /// Reads until the peer closes.
    func receiveAll() throws -> [UInt8] {
        var result: [UInt8] = []
        while true {
            let chunk = try receive()
            if chunk.isEmpty { return result }
            result += chunk
        }
    }

    /// Reads until a newline or the end of the stream.
    func receiveLine() throws -> String {
        var result: [UInt8] = []
        while !result.contains(0x0A) {
            let chunk = try receive(maximum: 1)
            if chunk.isEmpty { break }
            result += chunk
        }
        return String(decoding: result, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    /// True if the peer has closed (reads end of stream, or reset) within `timeout` seconds.
    func isClosedByPeer(within timeout: Double) -> Bool {
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        while true {
            let count = recv(fd, &byte, 1, 0)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }
}
