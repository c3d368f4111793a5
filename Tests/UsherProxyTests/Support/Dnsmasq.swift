import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real dnsmasq (Debian's dnsmasq-base) answering on 127.0.0.1 on a free port, from records the
/// test writes: A records in a hosts directory it watches (a change is read at once, no signal
/// needed), SRV records on its command line (changed by `restart`, on the same port). It never
/// forwards anything (`--no-resolv`), so a name it does not hold is refused.
final class Dnsmasq {
    let port: Int
    let directory: ScratchDirectory
    private var process: Process?
    private(set) var services: [String]

    static var isRequired: Bool { ExternalProcess.required("dnsmasq") }

    /// - Parameters:
    ///   - hosts: lines of a hosts file (`127.0.0.1 web.test`).
    ///   - services: `--srv-host` values (`_app._tcp.svc.test,one.test,8080,0,10`).
    init(hosts: [String], services: [String] = []) throws {
        directory = try ScratchDirectory()
        port = freeUDPPort()
        self.services = services
        try FileManager.default.createDirectory(atPath: directory.path + "/hosts", withIntermediateDirectories: true)
        try setHosts(hosts)
        try start()
    }

    /// Replaces the A/AAAA records; dnsmasq sees the file change and reads it again.
    func setHosts(_ lines: [String]) throws {
        // Written in place (not renamed over): dnsmasq reacts to the file being closed after writing.
        let path = directory.path + "/hosts/records"
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data((lines.joined(separator: "\n") + "\n").utf8))
        try handle.close()
    }

    /// Stops dnsmasq and starts it again on the same port with these SRV records.
    func restart(services: [String]) throws {
        stop()
        self.services = services
        try start()
    }

    /// Freezes dnsmasq (SIGSTOP): queries go unanswered, as with a name server that went silent.
    func freeze() {
        if let process { kill(process.processIdentifier, SIGSTOP) }
    }

    func thaw() {
        if let process { kill(process.processIdentifier, SIGCONT) }
    }

    private func start() throws {
        let log = directory.path + "/dnsmasq.log"
        try? FileManager.default.removeItem(atPath: log)
        var arguments = [
            "dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--no-daemon",
            "--listen-address=127.0.0.1", "--bind-interfaces", "--port=\(port)",
            "--hostsdir=\(directory.path)/hosts", "--log-facility=\(log)", "--log-queries",
            "--user=\(String(cString: getpwuid(getuid()).pointee.pw_name))", "--pid-file=",
        ]
        arguments += services.map { "--srv-host=\($0)" }
        // dnsmasq reads its configuration file by default: an empty one keeps the system's out.
        arguments.append("--conf-file=" + (try directory.write("empty.conf", "")))
        let process = try ExternalProcess.start(arguments, logFile: directory.path + "/dnsmasq.out")
        self.process = process
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: log, encoding: .utf8), text.contains("started") { return }
            guard process.isRunning else { break }
            usleep(20_000)
        }
        let output = (try? String(contentsOfFile: directory.path + "/dnsmasq.out", encoding: .utf8)) ?? ""
        stop()
        throw UsherUnderTest.Failure(description: "dnsmasq did not start: \(output)")
    }

    /// What dnsmasq logged (each query with `--log-queries`).
    var log: String { (try? String(contentsOfFile: directory.path + "/dnsmasq.log", encoding: .utf8)) ?? "" }

    func stop() {
        guard let process else { return }
        // SIGKILL: the test process's threads block the other signals, and children inherit that.
        kill(process.processIdentifier, SIGCONT)
        killAndReap(process.processIdentifier)
        self.process = nil
    }

    deinit {
        stop()
    }
}

/// A UDP port on 127.0.0.1 that was free a moment ago (and free for TCP too, so that `freePort`'s
/// bookkeeping keeps covering it).
func freeUDPPort() -> Int {
    for _ in 0..<50 {
        let port = freePort()
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if bound == 0 { return port }
    }
    return freePort()
}

/// Kills `pid` with SIGKILL and waits (at most 5 seconds) until it is gone, reaping it if nothing
/// else has: Foundation's `waitUntilExit` was seen to wait forever for a killed child here.
func killAndReap(_ pid: Int32) {
    kill(pid, SIGKILL)
    var status: Int32 = 0
    for _ in 0..<500 {
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid || (result == -1 && errno == ECHILD) { return }
        usleep(10_000)
    }
}
