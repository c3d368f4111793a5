import Dispatch
import Foundation
import Logging
import UsherProxy
import UsherRouting

#if canImport(Glibc)
import Glibc
#endif

/// `-W` / `master-worker` (and `-Ws` under systemd): a master process that runs the proxy in a
/// worker process and reloads it on SIGUSR2 or SIGHUP without a refused connection. The master
/// reads the configuration again first: if it has errors, they are printed and the running worker
/// goes on untouched. Otherwise:
/// - by default the worker reloads in place (the master sends it SIGUSR2): same process, same
///   sockets, established connections on unchanged routes untouched (`UsherServer.reload(to:)`);
/// - when the usher binary on disk has changed since the master started (an upgrade), or with
///   `USHER_RELOAD=process` in the master's environment, a new worker is started from the binary
///   with `-x` (it takes the listening sockets over through the old worker's hand-over socket)
///   and `-sf` (once listening, it tells the old worker to finish its connections and exit,
///   within `hard-stop-after` if set), as HAProxy reloads. `mworker-max-reloads` bounds how many
///   such reloads an old worker may outlive.
///
/// SIGTERM/SIGINT stop the workers and the master; SIGUSR1 soft-stops them. If the worker dies on
/// its own, the master stops too (as HAProxy's does), with the worker's status.
final class MasterWorker: @unchecked Sendable {
    final class Worker {
        let process: Process
        let socket: String
        /// Reloads by a new process it has outlived (`mworker-max-reloads`, `show proc`).
        var reloadsSurvived = 0
        let started = Date()

        init(process: Process, socket: String) {
            self.process = process
            self.socket = socket
        }
    }

    let files: [String]
    let quiet: Bool
    /// `-L`, passed on to each worker.
    let localPeerName: String?
    let notifier: SystemdNotifier?
    let logger: Logger
    private let directory: String
    private let lock = NSLock()
    private var current: Worker?
    /// Every worker still running: the current one, and old ones finishing their connections.
    private var running: [Worker] = []
    private var generation = 0
    private var stopping = false
    /// The worker being replaced: its exit (told by the new worker) does not stop the master.
    private var replacing: Process?
    private var exitStatus: Int32 = 0
    private let finished = DispatchSemaphore(value: 0)
    /// The binary the master runs, and what it was when the master started: a change means an
    /// upgrade, which only a new worker process can take.
    private let executablePath: String
    private let executableStamp: [Int]
    /// Signals and master CLI reloads are served here, one at a time.
    private let queue = DispatchQueue(label: "usher.master")
    /// `-S`: the master CLI's address and options.
    let masterSocket: String?
    private var masterCLI: MasterCLI?
    private let started = Date()
    private var reloads = 0
    private var failedReloads = 0

    init(files: [String], quiet: Bool, systemd: Bool, localPeerName: String? = nil, masterSocket: String? = nil, logger: Logger) throws {
        self.masterSocket = masterSocket
        self.files = files
        self.quiet = quiet
        self.localPeerName = localPeerName
        self.logger = logger
        notifier = systemd ? SystemdNotifier() : nil
        var template = Array("/tmp/usher-master.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw ProcessRunner.Failure(description: "[ALERT] master: cannot create a private directory: \(String(cString: strerror(errno)))")
        }
        directory = String(cString: made)
        executablePath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
        executableStamp = Self.stamp(of: executablePath)
    }

    /// Identity and modification time of a file, to notice it was replaced.
    static func stamp(of path: String) -> [Int] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [] }
        return [Int(info.st_dev), Int(info.st_ino), Int(info.st_size), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec)]
    }

    /// Whether a reload starts a new worker process rather than reloading the worker in place.
    private var reloadsByNewProcess: Bool {
        ProcessInfo.processInfo.environment["USHER_RELOAD"] == "process" || Self.stamp(of: executablePath) != executableStamp
    }

    /// Starts the first worker, then serves signals until the end; returns the exit status.
    func run(pidfile: String?) -> Int32 {
        if let pidfile {
            try? "\(getpid())\n".write(toFile: pidfile, atomically: true, encoding: .utf8)
        }
        defer {
            if let pidfile { unlink(pidfile) }
            try? FileManager.default.removeItem(atPath: directory)
        }
        // The signals are watched before the first worker starts (a reload asked for while it
        // starts would otherwise be lost); their handlers run once it has.
        queue.suspend()
        var sources: [DispatchSourceSignal] = []
        func on(_ sig: Int32, _ action: @escaping () -> Void) {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler(handler: action)
            source.resume()
            sources.append(source)
        }
        on(SIGUSR2) { [self] in reload() }
        on(SIGHUP) { [self] in reload() }
        on(SIGTERM) { [self] in stop(forwarding: SIGTERM) }
        on(SIGINT) { [self] in stop(forwarding: SIGTERM) }
        on(SIGUSR1) { [self] in stop(forwarding: SIGUSR1) }
        guard let first = startWorker(takingOverFrom: nil) else {
            logger.error("master: the worker did not start")
            return 1
        }
        lock.withLock {
            current = first
            running.append(first)
        }
        if let masterSocket {
            do {
                let cli = try MasterCLI(argument: masterSocket, master: cliView())
                cli.start()
                masterCLI = cli
            } catch {
                logger.error("master: \(error)")
                stop(forwarding: SIGTERM)
                return 1
            }
        }
        defer { masterCLI?.stop() }
        notifier?.send("READY=1\nMAINPID=\(getpid())\nSTATUS=worker \(first.process.processIdentifier) running")
        logger.notice("master: worker \(first.process.processIdentifier) started")
        queue.resume()
        finished.wait()
        return lock.withLock { exitStatus }
    }

    /// Reads the configuration again and, if it is valid, replaces the worker.
    private func reload() {
        lock.withLock { reloads += 1 }
        notifier?.send("RELOADING=1\nSTATUS=reloading")
        logger.notice("master: reloading")
        var loader = ConfigurationLoader()
        loader.localPeerName = localPeerName
        let result = loader.load(paths: files)
        for diagnostic in result.diagnostics where diagnostic.severity == .alert || !quiet {
            FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
        }
        guard let table = result.table, let old = lock.withLock({ current }) else {
            lock.withLock { failedReloads += 1 }
            logger.error("master: the new configuration has errors; the running worker goes on with the old one")
            notifier?.send("READY=1\nSTATUS=reload failed: configuration errors")
            return
        }
        guard reloadsByNewProcess else {
            // The worker reads the files again itself and keeps its sockets and connections.
            logger.notice("master: worker \(old.process.processIdentifier) reloads in place")
            kill(old.process.processIdentifier, SIGUSR2)
            notifier?.send("READY=1\nSTATUS=worker \(old.process.processIdentifier) running")
            return
        }
        lock.withLock { replacing = old.process }
        guard let next = startWorker(takingOverFrom: old) else {
            lock.withLock {
                replacing = nil
                failedReloads += 1
            }
            logger.error("master: the new worker did not start; the running worker goes on")
            notifier?.send("READY=1\nSTATUS=reload failed: the new worker did not start")
            return
        }
        let overdue = lock.withLock { () -> [Worker] in
            current = next
            running.append(next)
            replacing = nil
            // `mworker-max-reloads`: old workers still finishing their connections after that
            // many reloads are stopped.
            guard let limit = table.configuration.global.masterWorkerMaxReloads else { return [] }
            var overdue: [Worker] = []
            for worker in running where worker !== next {
                worker.reloadsSurvived += 1
                if worker.reloadsSurvived > limit { overdue.append(worker) }
            }
            return overdue
        }
        for worker in overdue where worker.process.isRunning {
            logger.notice("master: worker \(worker.process.processIdentifier) outlived \(worker.reloadsSurvived) reloads ('mworker-max-reloads'): stopping it")
            kill(worker.process.processIdentifier, SIGTERM)
        }
        logger.notice("master: worker \(next.process.processIdentifier) took over from \(old.process.processIdentifier)")
        notifier?.send("READY=1\nSTATUS=worker \(next.process.processIdentifier) running")
    }

    /// What the master CLI sees of this master.
    private func cliView() -> MasterCLI.Master {
        MasterCLI.Master(
            processes: { [self] in
                lock.withLock {
                    let currentPID = current?.process.processIdentifier
                    let alive = running.filter { $0.process.isRunning }.map(\.process.processIdentifier)
                    return MasterCLIStateMachine.Processes(
                        current: currentPID.map { [$0] } ?? [], old: alive.filter { $0 != currentPID })
                }
            },
            showProc: { [self] in
                lock.withLock {
                    let now = Date()
                    let workers = running.filter { $0.process.isRunning }.map {
                        (pid: $0.process.processIdentifier, reloads: $0.reloadsSurvived, uptime: Int(now.timeIntervalSince($0.started)),
                         current: $0 === current)
                    }
                    return MasterCLIStateMachine.showProc(
                        master: (getpid(), reloads, failedReloads, Int(now.timeIntervalSince(started))), version: UsherVersion.current,
                        workers: workers.sorted { $0.current && !$1.current })
                }
            },
            socketOfWorker: { [self] pid in
                lock.withLock { running.first { $0.process.processIdentifier == pid }?.socket }
            },
            reload: { [self] in queue.async { self.reload() } }
        )
    }

    private func stop(forwarding sig: Int32) {
        let workers = lock.withLock { () -> [Worker] in
            stopping = true
            return running.filter { $0.process.isRunning }
        }
        guard !workers.isEmpty else {
            finished.signal()
            return
        }
        notifier?.send("STOPPING=1")
        for worker in workers { kill(worker.process.processIdentifier, sig) }
    }

    /// Starts a worker; nil if it exits before it is listening (its messages are on stderr).
    private func startWorker(takingOverFrom old: Worker?) -> Worker? {
        let number = lock.withLock { () -> Int in
            generation += 1
            return generation
        }
        let socket = "\(directory)/worker-\(number).sock"
        var arguments = ["-db", "--usher-worker-socket", socket]
        if quiet { arguments.append("-q") }
        if let localPeerName { arguments += ["-L", localPeerName] }
        for file in files { arguments += ["-f", file] }
        if let old { arguments += ["-x", old.socket, "-sf", "\(old.process.processIdentifier)"] }
        let process = Process()
        // The binary as it is on disk now: after an upgrade, the new one.
        process.executableURL = URL(fileURLWithPath: Self.stamp(of: executablePath) == executableStamp ? "/proc/self/exe" : executablePath)
        process.arguments = arguments
        process.terminationHandler = { [weak self] ended in self?.workerEnded(ended) }
        do {
            try process.run()
        } catch {
            logger.error("master: cannot start a worker: \(error)")
            return nil
        }
        // Ready once its hand-over socket exists: it is bound after every listener.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: socket) { return Worker(process: process, socket: socket) }
            if !process.isRunning { return nil }
            usleep(10_000)
        }
        process.terminate()
        return nil
    }

    /// A worker exited: an old one after a reload is expected; the current one ends the master.
    private func workerEnded(_ process: Process) {
        let endsMaster = lock.withLock { () -> Bool in
            running.removeAll { $0.process === process || !$0.process.isRunning }
            if stopping { return running.isEmpty }
            guard let current, current.process === process, replacing !== process else { return false }
            exitStatus = process.terminationStatus == 0 ? 1 : process.terminationStatus
            return true
        }
        if endsMaster {
            if !lock.withLock({ stopping }) {
                logger.error("master: worker \(process.processIdentifier) exited (status \(process.terminationStatus)); stopping")
            }
            finished.signal()
        }
    }
}

/// `sd_notify`: messages to systemd over the datagram socket named by `NOTIFY_SOCKET`.
struct SystemdNotifier {
    let path: String?

    init() {
        path = ProcessInfo.processInfo.environment["NOTIFY_SOCKET"]
    }

    func send(_ message: String) {
        guard let path, !path.isEmpty else { return }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        // `@name`: an abstract socket (a leading NUL).
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        let payload = Array(message.utf8)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, payload, payload.count, Int32(MSG_NOSIGNAL), $0, length) }
        }
    }
}
