import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `-S`: the master CLI, the same script against usher and HAProxy 2.6 in master-worker mode.
@Suite(.serialized, .enabled(if: ExternalProcess.required("haproxy"), "needs haproxy")) struct MasterCLITests {
    struct Run {
        let showProc: String
        let workerInfo: String
        let workerPID: pid_t
        let masterPID: pid_t
        let afterReload: String
        let showProcAfter: String
        let unknown: String
    }

    /// Starts `command` with `-W -S`, then asks: `show proc`, `@1 show info`, `reload` (after
    /// rewriting the file), `show proc` again, an unknown command.
    static func script(_ command: [String], environment: [String: String] = [:]) throws -> Run {
        let directory = try ScratchDirectory()
        let port = freePort()
        let master = directory.path + "/master.sock"
        let file = try directory.write("proxy.cfg", MasterWorkerTests.configuration(port: port, answer: "one"))
        let pidfile = directory.path + "/proxy.pid"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst()) + ["-W", "-S", master + ",mode,600", "-f", file, "-p", pidfile]
        process.standardOutput = FileHandle.nullDevice
        let log = directory.path + "/stderr"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log)
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        try process.run()
        defer {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        #expect(ClientSocket.waitUntilAccepting(port, timeout: 10, alive: { process.isRunning }))
        RuntimeAPIClient.waitForSocket(master)
        var mode = stat()
        #expect(stat(master, &mode) == 0 && mode.st_mode & 0o777 == 0o600)
        let showProc = Self.ask(master, "show proc")
        let workerPID = pid_t(showProc.split(separator: "\n").first { $0.contains(" worker ") }?.split(separator: " ").first ?? "") ?? 0
        let info = Self.ask(master, "@1 show info")
        _ = try directory.write("proxy.cfg", MasterWorkerTests.configuration(port: port, answer: "two"))
        // HAProxy's master re-executes itself: the connection may end with a reset instead of a close.
        let reload: String = {
            guard let client = try? RuntimeAPIClient(path: master), (try? client.send("reload\n")) != nil else { return "not sent" }
            shutdown(client.fd, Int32(SHUT_WR))
            return (try? client.receiveAll()) ?? ""
        }()
        #expect(CommandLineTests.waitUntil(timeout: 10) { (try? httpGet(port: port))?.hasSuffix("two") == true })
        let after = Self.ask(master, "show proc")
        let unknown = Self.ask(master, "frob")
        return Run(
            showProc: showProc, workerInfo: info, workerPID: workerPID, masterPID: process.processIdentifier, afterReload: reload,
            showProcAfter: after, unknown: unknown)
    }

    /// `command`'s answer, asked until one comes (HAProxy's master, re-executed by a reload, binds
    /// its CLI again), for up to ten seconds; empty if none.
    static func ask(_ path: String, _ command: String) -> String {
        var answer = ""
        _ = CommandLineTests.waitUntil(timeout: 10) {
            // As `echo CMD | socat - PATH`: the command, then the end of input. (HAProxy's master
            // CLI waits for that end before it closes; usher's closes once it has answered.)
            guard let client = try? RuntimeAPIClient(path: path), (try? client.send(command + "\n")) != nil else { return false }
            shutdown(client.fd, Int32(SHUT_WR))
            answer = (try? client.receiveAll()) ?? ""
            return !answer.isEmpty
        }
        return answer
    }

    /// The layout of `show proc`: its header, the master's row, the workers' section.
    static func shape(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            if line.hasPrefix("#") { return String(line) }
            let cells = line.split(separator: " ")
            return cells.count >= 2 ? "<pid> \(cells[1]) \(cells[2...].dropLast(2).joined(separator: " "))" : String(line)
        }
    }

    @Test func sameAnswersAsHAProxy() throws {
        let usher = try Self.script([UsherExecutable.path])
        let haproxy = try Self.script(["/usr/sbin/haproxy"])
        for run in [usher, haproxy] {
            let pid = "\(run.masterPID)"
            let master = pid + String(repeating: " ", count: max(0, 16 - pid.count)) + "master          0 [failed: 0]   0d00h00m"
            #expect(run.showProc.hasPrefix("#<PID>          <type>          <reloads>       <uptime>        <version>      \n" + master), "\(run.showProc)")
            #expect(run.workerPID > 0 && run.workerPID != run.masterPID)
            #expect(run.workerInfo.contains("\nPid: \(run.workerPID)\n"), "\(run.workerInfo.prefix(300))")
            #expect(run.afterReload.isEmpty)
            #expect(run.showProcAfter.contains("master          1 [failed: 0]"), "\(run.showProcAfter)")
            #expect(run.unknown.hasPrefix("Unknown command"))
        }
        #expect(Self.shape(usher.showProc) == Self.shape(haproxy.showProc), "\(usher.showProc)\n\(haproxy.showProc)")
    }
}
