import Foundation
import NIOConcurrencyHelpers
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// usher out of file descriptors (`EMFILE`, started under `prlimit --nofile=64:64`) with more
/// clients than descriptors: it stays up, says why it stopped accepting (HAProxy's words: "reached
/// process FD limit"), and accepts again once descriptors are free: the clients that waited in the
/// backlog meanwhile are served.
@Suite(.serialized)
final class DescriptorExhaustionFaultTests {
    static let openFileLimit = 64
    static let holders = 100

    @Test func acceptsResumeOnceDescriptorsAreFree() throws {
        let good = try BulkHTTPOrigin(group: testGroup)
        defer { good.stop() }
        let port = freePort()
        let configuration = FaultConfiguration.http(
            port: port, faulty: "127.0.0.1:\(good.port)", good: "127.0.0.1:\(good.port)",
            timeouts: ["timeout connect 2s", "timeout client 60s", "timeout server 60s", "timeout http-request 60s"])
        let proxy = try FaultProxy(configuration: configuration, listening: [port], openFileLimit: Self.openFileLimit)
        defer { proxy.stop() }
        var waiting: [String] = []
        var cpuSeconds = 0.0
        try proxy.measure("EMFILE under a limit of \(Self.openFileLimit) fds, \(Self.holders) clients", bound: .few) {
            for _ in 0..<3 { try WellBehavedClient.download(port: port) }
        } during: {
            // Clients that connect and say nothing hold a descriptor each in usher, until there
            // are none left; the rest wait in the kernel's backlog.
            var holders: [RawClient] = []
            for _ in 0..<Self.holders { holders.append(try RawClient(port: port, timeout: 30)) }
            #expect(CommandLineTests.waitUntil(timeout: 10) { proxy.log.contains("reached process FD limit") }, "the log says why accepting stopped: \(proxy.log.suffix(1000))")
            // While usher cannot accept, it must wait, not spin on the listener.
            let before = Self.cpuSeconds(proxy.pid)
            Thread.sleep(forTimeInterval: 2)
            cpuSeconds = Self.cpuSeconds(proxy.pid) - before
            #expect(proxy.isRunning)
            // Well-behaved clients arrive now, and wait in the backlog with their requests.
            let queued = NIOLockedValueBox<[String]>([])
            let group = DispatchGroup()
            for _ in 0..<5 {
                group.enter()
                Thread.detachNewThread {
                    do {
                        try WellBehavedClient.download(port: port)
                        queued.withLockedValue { $0.append("served") }
                    } catch {
                        queued.withLockedValue { $0.append("\(error)") }
                    }
                    group.leave()
                }
            }
            Thread.sleep(forTimeInterval: 0.5)
            holders.removeAll()
            group.wait()
            waiting = queued.withLockedValue { $0 }
            try WellBehavedClient.download(port: port)
        }
        print("EMFILE: usher used \(String(format: "%.2f", cpuSeconds)) CPU-seconds in 2 s of exhaustion; clients that waited: \(waiting)")
        #expect(waiting == Array(repeating: "served", count: 5), "the clients that waited in the backlog are served once descriptors are free")
        #expect(cpuSeconds < 1, "usher backs off while it cannot accept (\(cpuSeconds) CPU-seconds in 2 s)")
    }

    /// The runtime API's listener, out of descriptors with a client waiting on it, pauses too
    /// (before, it spun as the frontends' did), and the client is answered once descriptors free.
    @Test func runtimeAPIListenerWaitsToo() throws {
        let good = try BulkHTTPOrigin(group: testGroup)
        defer { good.stop() }
        let sockets = try SocketDirectory()
        let statsSocket = sockets.file("stats.sock")
        let port = freePort()
        let configuration = FaultConfiguration.http(
            port: port, faulty: "127.0.0.1:\(good.port)", good: "127.0.0.1:\(good.port)",
            timeouts: ["timeout connect 2s", "timeout client 60s", "timeout server 60s", "timeout http-request 60s"],
            global: ["stats socket \(statsSocket) level admin"])
        let proxy = try FaultProxy(configuration: configuration, listening: [port], openFileLimit: Self.openFileLimit)
        defer { proxy.stop() }
        var cpuSeconds = 0.0
        var answer = ""
        try proxy.measure("EMFILE with a runtime API client waiting", bound: .few) {
            try WellBehavedClient.download(port: port)
        } during: {
            var holders: [RawClient] = []
            for _ in 0..<Self.holders { holders.append(try RawClient(port: port, timeout: 30)) }
            #expect(CommandLineTests.waitUntil(timeout: 10) { proxy.log.contains("reached process FD limit") })
            let admin = try UnixRawClient(.path(statsSocket), timeout: 20)
            try admin.send("show info\n")
            let before = Self.cpuSeconds(proxy.pid)
            Thread.sleep(forTimeInterval: 2)
            cpuSeconds = Self.cpuSeconds(proxy.pid) - before
            holders.removeAll()
            answer = try admin.receiveAll()
        }
        print("EMFILE, runtime API client waiting: usher used \(String(format: "%.2f", cpuSeconds)) CPU-seconds in 2 s")
        #expect(answer.contains("Name: "), "the waiting operator is answered: \(answer.prefix(200))")
        #expect(proxy.log.contains("Proxy GLOBAL reached process FD limit"), "\(proxy.log.suffix(1000))")
        #expect(cpuSeconds < 1, "usher backs off while it cannot accept (\(cpuSeconds) CPU-seconds in 2 s)")
    }

    /// User and system CPU time of process `pid`, in seconds.
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        // After the command's closing parenthesis: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
