import Foundation
import Glibc
import NIOConcurrencyHelpers

/// A syslog daemon's UNIX datagram socket, in a fresh directory under /tmp (a socket path holds at
/// most 107 bytes): it keeps every datagram received. `remove()` and `open()` play a daemon that
/// restarts: the socket disappears, then a new one is bound at the same path.
final class UnixSyslogCollector: Sendable {
    let directory: String
    let path: String
    private let messages = NIOLockedValueBox<[String]>([])
    /// The reader of the socket bound now, if any: its stop flag and its end.
    private let reader = NIOLockedValueBox<(stop: NIOLockedValueBox<Bool>, done: DispatchSemaphore)?>(nil)

    /// - Parameter bound: bind the socket now (else the path stays free until `open()`).
    init(bound: Bool = true) throws {
        var template = Array("/tmp/usher-log-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        directory = String(cString: made)
        path = directory + "/log.sock"
        if bound { try open() }
    }

    /// Binds the socket at `path` and reads it on a thread of its own.
    func open() throws {
        let socket = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard socket >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            close(socket)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        // A short receive timeout, so the reader sees its stop flag.
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let stop = NIOLockedValueBox(false)
        let done = DispatchSemaphore(value: 0)
        reader.withLockedValue { $0 = (stop, done) }
        let messages = self.messages
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 70_000)
            while !stop.withLockedValue({ $0 }) {
                let count = recv(socket, &buffer, buffer.count, 0)
                if count > 0 {
                    let text = String(decoding: buffer[..<count], as: UTF8.self)
                    messages.withLockedValue { $0.append(text) }
                }
            }
            close(socket)
            done.signal()
        }
        thread.start()
    }

    /// Closes the socket and removes its path, as a daemon that stops does.
    func remove() {
        if let (stop, done) = reader.withLockedValue({ reader in defer { reader = nil }; return reader }) {
            stop.withLockedValue { $0 = true }
            done.wait()
        }
        unlink(path)
    }

    var received: [String] { messages.withLockedValue { $0 } }

    /// Waits up to `timeout` seconds for a datagram containing `text`.
    func waitFor(_ text: String, timeout: Double = 5) async throws -> String? {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while ContinuousClock.now < deadline {
            if let match = received.first(where: { $0.contains(text) }) { return match }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Waits up to `timeout` seconds until `count` datagrams contain `text`; returns those there are.
    func waitFor(_ count: Int, containing text: String, timeout: Double = 5) async throws -> [String] {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while ContinuousClock.now < deadline {
            let matches = received.filter { $0.contains(text) }
            if matches.count >= count { return matches }
            try await Task.sleep(for: .milliseconds(20))
        }
        return received.filter { $0.contains(text) }
    }

    func stop() {
        remove()
        rmdir(directory)
    }
}
