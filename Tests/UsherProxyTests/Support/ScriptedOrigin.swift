import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// A blocking origin on 127.0.0.1 (port 0) whose every accepted connection runs a script on its
/// own thread, with a plain socket: exact control over when it reads (or does not), what it sends
/// and when it half-closes. For backpressure and half-close tests, where an event-driven peer
/// would read whatever comes.
final class ScriptedOrigin: @unchecked Sendable {
    let listener: Int32
    let port: Int
    private let finished = NIOLockedValueBox<Int>(0)
    private let failures = NIOLockedValueBox<[String]>([])

    init(timeout: Double = 60, script: @escaping @Sendable (RawClient) throws -> Void) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else { throw RawClient.Failure(description: "bind/listen: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let socketFD = self.listener, finished = self.finished, failures = self.failures
        Thread.detachNewThread {
            while true {
                let fd = accept(socketFD, nil, nil)
                if fd < 0 { return }
                Thread.detachNewThread {
                    let connection = RawClient(descriptor: fd, timeout: timeout)
                    do { try script(connection) } catch { failures.withLockedValue { $0.append("\(error)") } }
                    finished.withLockedValue { $0 += 1 }
                }
            }
        }
    }

    var address: String { "127.0.0.1:\(port)" }
    /// Connections whose script has returned.
    var finishedCount: Int { finished.withLockedValue { $0 } }
    /// What the scripts threw.
    var errors: [String] { failures.withLockedValue { $0 } }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }
}

extension RawClient {
    /// Reads up to the end of an HTTP head (CRLF CRLF); returns the head and any bytes after it.
    func receiveHead() throws -> (head: String, rest: [UInt8]) {
        var bytes: [UInt8] = []
        while true {
            if let end = bytes.firstRange(of: [13, 10, 13, 10]) {
                return (String(decoding: bytes[..<end.upperBound], as: UTF8.self), Array(bytes[end.upperBound...]))
            }
            let chunk = try receive(maximum: 4096)
            if chunk.isEmpty { throw Failure(description: "end of stream before a whole head: \(String(decoding: bytes, as: UTF8.self))") }
            bytes += chunk
        }
    }

    /// Sends `count` bytes of `BytePattern` from `offset` 0, in chunks of a MiB.
    func sendPattern(count: Int, chunk size: Int = 1 << 20) throws {
        var sent = 0
        var chunk = [UInt8](repeating: 0, count: size)
        while sent < count {
            let length = min(size, count - sent)
            chunk.withUnsafeMutableBytes { BytePattern.fill(UnsafeMutableRawBufferPointer(rebasing: $0[0..<length]), offset: sent) }
            try send(Array(chunk[0..<length]))
            sent += length
        }
    }
}
