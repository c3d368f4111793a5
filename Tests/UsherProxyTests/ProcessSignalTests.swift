import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `-Ws` (master-worker under systemd, `Type=notify`), `-st` and `grace`, the same scripts against
/// usher and HAProxy 2.6: what systemd is told (`READY=1`, `RELOADING=1`), a hard hand-over, a
/// delayed soft stop.
@Suite(.serialized, .enabled(if: ExternalProcess.required("haproxy"), "needs haproxy")) struct ProcessSignalTests {
    /// A datagram socket standing in for systemd's `NOTIFY_SOCKET`; collects the messages.
    final class NotifySocket {
        let path: String
        let descriptor: Int32

        init(path: String) throws {
            self.path = path
            descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw RawClient.Failure(description: "bind \(path): \(errno)") }
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        /// Messages received until one contains `text` (or `timeout` seconds pass), in order.
        func messages(until text: String, timeout: Double = 10) -> [String] {
            var received: [String] = []
            let deadline = Date().addingTimeInterval(timeout)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                guard count > 0 else { continue }
                let message = String(decoding: buffer[0..<count], as: UTF8.self)
                received.append(message)
                if message.contains(text) { break }
            }
            return received
        }

        deinit {
            close(descriptor)
            unlink(path)
        }
    }

    /// Starts `program -Ws`, waits for READY, reloads with SIGUSR2, waits for READY again.
    /// Returns the notifications' first lines, in order, with the answers seen before and after.
    static func notifications(_ program: String) throws -> (atStart: [String], atReload: [String], before: String, after: String) {
        let directory = try ScratchDirectory()
        let notify = try NotifySocket(path: directory.path + "/notify")
        let port = freePort()
        let file = try directory.write("proxy.cfg", MasterWorkerTests.configuration(port: port, answer: "one"))
        let pidfile = directory.path + "/proxy.pid"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["-Ws", "-f", file, "-p", pidfile]
        process.environment = ProcessInfo.processInfo.environment.merging(["NOTIFY_SOCKET": notify.path]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        let atStart = notify.messages(until: "READY=1")
        let before = (try? httpGet(port: port)) ?? ""
        _ = try directory.write("proxy.cfg", MasterWorkerTests.configuration(port: port, answer: "two"))
        kill(process.processIdentifier, SIGUSR2)
        let atReload = notify.messages(until: "RELOADING=1") + notify.messages(until: "READY=1")
        _ = CommandLineTests.waitUntil(timeout: 10) { (try? httpGet(port: port))?.hasSuffix("two") == true }
        let after = (try? httpGet(port: port)) ?? ""
        // Only what systemd acts on: the READY/RELOADING/STOPPING lines (STATUS texts differ).
        let acted: Set<String> = ["READY=1", "RELOADING=1", "STOPPING=1"]
        func kept(_ messages: [String]) -> [String] {
            var lines: [String] = []
            for message in messages {
                for line in message.split(separator: "\n") where acted.contains(String(line)) { lines.append(String(line)) }
            }
            return lines
        }
        return (kept(atStart), kept(atReload), before, after)
    }

    @Test func systemdIsToldAsByHAProxy() throws {
        let usher = try Self.notifications(UsherExecutable.path)
        let haproxy = try Self.notifications("/usr/sbin/haproxy")
        #expect(usher.atStart == ["READY=1"] && usher.atReload == ["RELOADING=1", "READY=1"], "\(usher)")
        // HAProxy's master re-executes itself once started and on each reload, saying RELOADING
        // each time: what systemd acts on is the same — ready once listening; on a reload,
        // reloading, then ready again.
        for run in [usher, haproxy] {
            #expect(run.atStart.last == "READY=1", "\(run.atStart)")
            #expect(run.atReload.first == "RELOADING=1" && run.atReload.last == "READY=1", "\(run.atReload)")
            #expect(run.before.hasSuffix("one") && run.after.hasSuffix("two"))
        }
    }

    /// `-st PID`: once listening, the new process stops the old one at once (SIGTERM): its open
    /// tunnel is cut, as with HAProxy, where `-sf` would have let it finish.
    @Test func hardStopOfTheOldProcess() throws {
        let echo = try TCPBackend(name: "e1", behaviour: .echo, group: testGroup)
        defer { echo.stop() }
        let directory = try ScratchDirectory()
        func configuration(_ port: Int) throws -> String {
            try directory.write("proxy-\(port).cfg", """
                defaults
                    mode tcp
                    timeout connect 2s
                    timeout client 30s
                    timeout server 30s
                frontend tunnels
                    bind 127.0.0.1:\(port)
                    default_backend echo
                backend echo
                    server e1 127.0.0.1:\(echo.port)

                """)
        }
        for program in [UsherExecutable.path, "/usr/sbin/haproxy"] {
            let oldPort = freePort()
            let old = ExternalProcess.makeProcess([program, "-db", "-f", try configuration(oldPort)])
            old.standardOutput = FileHandle.nullDevice
            old.standardError = FileHandle.nullDevice
            try old.run()
            #expect(ClientSocket.waitUntilAccepting(oldPort, timeout: 10, alive: { old.isRunning }))
            let tunnel = try ReloadInPlaceTests.Tunnel(port: oldPort)
            #expect(tunnel.ping("a"))
            let newPort = freePort()
            let new = ExternalProcess.makeProcess([program, "-db", "-f", try configuration(newPort), "-st", "\(old.processIdentifier)"])
            new.standardOutput = FileHandle.nullDevice
            new.standardError = FileHandle.nullDevice
            try new.run()
            defer {
                if new.isRunning { kill(new.processIdentifier, SIGTERM) }
                new.waitUntilExit()
            }
            #expect(ClientSocket.waitUntilAccepting(newPort, timeout: 10, alive: { new.isRunning }), "\(program)")
            #expect(CommandLineTests.waitUntil(timeout: 10) { !old.isRunning }, "\(program): the old process is stopped")
            old.waitUntilExit()
            #expect(tunnel.client.isClosedByPeer(within: 5), "\(program): its tunnel is cut")
            #expect(try ReloadInPlaceTests.Tunnel(port: newPort).ping("b"))
        }
    }

    /// `grace 1s`: after SIGUSR1 the listener goes on accepting for a second, then the soft stop
    /// closes it and the process exits (no connection open).
    @Test func graceDelaysTheSoftStop() throws {
        for program in [UsherExecutable.path, "/usr/sbin/haproxy"] {
            let directory = try ScratchDirectory()
            let port = freePort()
            let file = try directory.write("proxy.cfg", MasterWorkerTests.configuration(port: port, answer: "one", extra: "    grace 1s"))
            let process = ExternalProcess.makeProcess([program, "-db", "-f", file])
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer {
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
            }
            #expect(ClientSocket.waitUntilAccepting(port, timeout: 10, alive: { process.isRunning }))
            kill(process.processIdentifier, SIGUSR1)
            usleep(300_000)
            #expect((try? httpGet(port: port))?.hasSuffix("one") == true, "\(program): still accepting during the grace")
            #expect(CommandLineTests.waitUntil(timeout: 10) { !process.isRunning }, "\(program): stopped after the grace")
            #expect(!waitUntilListening(port, timeout: 0.2))
        }
    }
}
