#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes log lines to stdout or stderr from a thread of its own, behind a bounded queue.
///
/// A pipe (a container runtime's log collector, `| logger`) that stops reading would block a
/// `write` on an event loop, and with it every connection of that loop. The caller only appends
/// to the queue; when the queue is full the line is dropped and counted (HAProxy also drops rather
/// than blocks on `fd@` targets). The file descriptor itself stays blocking: setting `O_NONBLOCK`
/// on a descriptor inherited from the parent would change it for the other processes sharing it.
final class LogStreamWriter: @unchecked Sendable {
    /// The most lines waiting; beyond, lines are dropped.
    static let capacity = 4096

    private let descriptor: Int32
    /// Guards `lines` and `stopping`; signalled when either changes.
    private let condition = NSCondition()
    private var lines: [[UInt8]] = []
    private var stopping = false
    private let done = DispatchSemaphore(value: 0)

    init(descriptor: Int32) {
        self.descriptor = descriptor
        let thread = Thread { [self] in run() }
        thread.name = "usher-log-fd\(descriptor)"
        thread.start()
    }

    /// Queues `line`; false when the queue is full and the line is dropped.
    func enqueue(_ line: String) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard lines.count < Self.capacity else { return false }
        lines.append(Array(line.utf8))
        condition.signal()
        return true
    }

    /// Writes what is queued, then ends the thread.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
        // A reader that stopped reading must not keep the process from ending: what is still
        // queued after a second is dropped, as when the queue is full.
        _ = done.wait(timeout: .now() + .seconds(1))
    }

    private func run() {
        while true {
            condition.lock()
            while lines.isEmpty && !stopping { condition.wait() }
            let batch = lines
            let stop = stopping
            lines = []
            condition.unlock()
            for line in batch { writeAll(line) }
            if stop { break }
        }
        done.signal()
    }

    private func writeAll(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
