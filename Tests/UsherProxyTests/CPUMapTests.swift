import Foundation
import Testing

/// `cpu-map` on a running usher: the event loops' threads are bound to the CPUs given (read back
/// from /proc). Needs two CPUs.
@Suite(.serialized) struct CPUMapPinningTests {
    /// The CPU lists of the process's threads, from /proc/PID/task/*/status.
    static func threadCPUs(_ pid: pid_t) -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.compactMap { task in
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8) else { return nil }
            return status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }
                .map { $0.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces) }
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount >= 2, "needs two CPUs"))
    func eventLoopsArePinned() throws {
        let directory = TemporaryDirectory()
        let port = freePort()
        let file = "\(directory.path)/usher.cfg"
        try """
            global
                nbthread 2
                cpu-map auto:1/1-2 0-1
            defaults
                mode tcp
                timeout connect 1s
                timeout client 1s
                timeout server 1s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be
            backend be
                server s 127.0.0.1:1

            """.write(toFile: file, atomically: true, encoding: .utf8)
        let usher = try UsherProcess(["-db", "-f", file])
        defer { usher.stop() }
        #expect(ClientSocket.waitUntilAccepting(port, timeout: 10, alive: { usher.isRunning }))
        let lists = Self.threadCPUs(usher.pid)
        // One loop thread on CPU 0, the other on CPU 1; the process's other threads are free.
        #expect(lists.filter { $0 == "0" }.count == 1, "\(lists)")
        #expect(lists.filter { $0 == "1" }.count == 1, "\(lists)")
        #expect(lists.contains("0-1"), "\(lists)")
    }
}
