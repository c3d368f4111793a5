import Dispatch
import Foundation
import Logging
import UsherProxy
import UsherRouting

#if canImport(Glibc)
import Glibc
#endif

/// Runs a configuration as a process: detaches when asked, binds, writes the pidfile, drops
/// privileges, and stops on signals (SIGTERM/SIGINT: now; SIGUSR1: after the last connection).
struct ProcessRunner {
    let table: RoutingTable
    let options: ProcessOptions

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func run() throws {
        // Before this process opens anything that could take the number of a descriptor that was
        // not passed on.
        if let missing = InheritedListener.unopened(in: table.configuration).first {
            throw Failure(description: "[ALERT] \(missing.location): fd@\(missing.descriptor) is not an open file descriptor: nothing was passed on as descriptor \(missing.descriptor) to listen on")
        }
        var readyPipe: (read: Int32, write: Int32)? = nil
        if options.daemon {
            readyPipe = try detach()
        }
        var logger = Logger(label: "usher")
        logger.logLevel = options.debugOutput ? .debug : .info
        if options.handOverSocket != nil {
            // A master's worker does not outlive its master.
            Self.stopWhenParentDies()
        }
        if let wanted = table.configuration.global.fileDescriptorLimit {
            Self.raiseFileDescriptorLimit(to: wanted, logger: logger)
        }
        do {
            let server = try UsherServer(table: table, logger: logger, handOverSocket: options.handOverSocket)
            if let path = options.takeOverSocket {
                do {
                    server.adopt(try ListenerTakeOver.fetch(from: path))
                } catch {
                    // As HAProxy: without the old sockets, bind anew (a moment of refusals is possible).
                    logger.warning("could not take the listening sockets over from \(path): \(error); binding anew")
                }
            }
            // A process replacing another (-x, -sf) first waits for its tables from it (peers).
            try server.start(replacingAnotherProcess: options.takeOverSocket != nil || !options.softStopPIDs.isEmpty)
            // The new process listens: the old ones may go (`-sf`: after their connections).
            for pid in options.softStopPIDs where pid > 0 { kill(pid, SIGUSR1) }
            for pid in options.hardStopPIDs where pid > 0 { kill(pid, SIGTERM) }
            if let pidfile = options.pidfile {
                try "\(getpid())\n".write(toFile: pidfile, atomically: true, encoding: .utf8)
            }
            try dropPrivileges()
            if let pipe = readyPipe {
                _ = write(pipe.write, "ok", 2)
                close(pipe.write)
            }
            wait(for: server, logger: logger)
        } catch {
            if let pipe = readyPipe {
                let message = "\(error)"
                _ = message.withCString { write(pipe.write, $0, strlen($0)) }
                close(pipe.write)
                exit(1)
            }
            throw Failure(description: "[ALERT] \(error)")
        }
    }

    /// A worker stops (as on SIGTERM) once its master is gone: its parent changes. (The kernel's
    /// parent-death signal would not do: it follows the thread that started the worker, and the
    /// master starts workers from threads that come and go.)
    static func stopWhenParentDies() {
        let master = getppid()
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler {
            if getppid() != master { kill(getpid(), SIGTERM) }
        }
        timer.resume()
        parentWatch = timer
    }

    /// Keeps the parent watch alive.
    nonisolated(unsafe) private static var parentWatch: DispatchSourceTimer?

    /// `ulimit-n`: sets the open-file limit, raising the hard limit if allowed (as root); if not,
    /// goes as far as the hard limit and says so, as HAProxy does.
    static func raiseFileDescriptorLimit(to wanted: Int, logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let target = rlim_t(wanted)
        var desired = rlimit(rlim_cur: target, rlim_max: max(target, limit.rlim_max))
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &desired) == 0 { return }
        desired = rlimit(rlim_cur: min(target, limit.rlim_max), rlim_max: limit.rlim_max)
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &desired)
        _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < target {
            logger.warning("cannot raise the open-file limit to \(wanted) ('ulimit-n'); it is \(limit.rlim_cur)")
        }
    }

    /// Forks; the parent waits until the child reports that it is listening (or why it is not) and
    /// exits with that status. The child continues in a new session.
    private func detach() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw Failure(description: "[ALERT] cannot create a pipe: \(String(cString: strerror(errno)))") }
        let pid = fork()
        if pid < 0 { throw Failure(description: "[ALERT] cannot fork: \(String(cString: strerror(errno)))") }
        if pid > 0 {
            close(fds[1])
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(fds[0], &buffer, buffer.count)
            let answer = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : "the background process exited"
            if answer == "ok" { exit(0) }
            FileHandle.standardError.write(Data("[ALERT] \(answer)\n".utf8))
            exit(1)
        }
        close(fds[0])
        setsid()
        let devnull = open("/dev/null", O_RDWR)
        if devnull >= 0 {
            dup2(devnull, 0)
            dup2(devnull, 1)
            dup2(devnull, 2)
        }
        return (fds[0], fds[1])
    }

    /// `chroot`, then `group`/`gid`, then `user`/`uid`, after the sockets are bound.
    private func dropPrivileges() throws {
        var targetGID: gid_t? = options.gid.map { gid_t($0) }
        var targetUID: uid_t? = options.uid.map { uid_t($0) }
        if let group = options.group {
            guard let entry = getgrnam(group) else { throw Failure(description: "unknown group '\(group)' in 'group'") }
            targetGID = entry.pointee.gr_gid
        }
        if let user = options.user {
            guard let entry = getpwnam(user) else { throw Failure(description: "unknown user '\(user)' in 'user'") }
            targetUID = entry.pointee.pw_uid
            if targetGID == nil { targetGID = entry.pointee.pw_gid }
        }
        if let root = options.chroot {
            guard chroot(root) == 0, chdir("/") == 0 else {
                throw Failure(description: "cannot chroot to '\(root)': \(String(cString: strerror(errno)))")
            }
        }
        if let gid = targetGID {
            guard setgroups(0, nil) == 0 || getuid() != 0, setgid(gid) == 0 else {
                throw Failure(description: "cannot switch to group id \(gid): \(String(cString: strerror(errno)))")
            }
        }
        if let uid = targetUID {
            guard setuid(uid) == 0 else {
                throw Failure(description: "cannot switch to user id \(uid): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Blocks until a stop signal; SIGUSR1 stops listening and waits for connections to end;
    /// SIGUSR2 and SIGHUP reload the configuration in place.
    private func wait(for server: UsherServer, logger: Logger) {
        let waiter = SignalWaiter { sig in logger.notice("stopping on signal \(sig)") }
        let options = self.options
        let reload: @Sendable () -> Void = { Self.reloadInPlace(server, options: options, logger: logger) }
        waiter.handle(SIGUSR2, reload)
        waiter.handle(SIGHUP, reload)
        let softStop: @Sendable () -> Void = {
            logger.notice("soft stop: no longer accepting, waiting for \(server.activeConnections) connection(s) to end")
            server.stopListening()
            server.handOverPeers()
            if let limit = server.runtime.table.configuration.global.hardStopAfter {
                // `hard-stop-after`: the connections still open then are closed.
                waiter.stop(after: .milliseconds(Int(limit.milliseconds)))
            }
            // Not on the signal queue: it must stay free to handle SIGTERM/SIGINT during the wait.
            DispatchQueue.global().async {
                while server.activeConnections > 0 || server.isHandingOverPeers { usleep(50_000) }
                waiter.stop()
            }
        }
        waiter.handle(SIGUSR1) {
            if let grace = server.runtime.table.configuration.global.grace, grace > .zero {
                // `grace`: the listeners go on accepting that long first (signals are still served).
                logger.notice("soft stop in \(grace.milliseconds) ms ('grace')")
                waiter.after(.milliseconds(Int(grace.milliseconds)), softStop)
            } else {
                softStop()
            }
        }
        waiter.wait()
        server.shutdown()
        if let pidfile = options.pidfile { unlink(pidfile) }
    }

    /// Reads the configuration files again and, if they are valid, replaces the running
    /// configuration with them in place (`UsherServer.reload(to:)`). Otherwise says why (file:line)
    /// and goes on with the configuration in force. Runs on the signal queue: reloads asked for
    /// while one runs wait their turn (and signals that arrive meanwhile count once).
    static func reloadInPlace(_ server: UsherServer, options: ProcessOptions, logger: Logger) {
        logger.notice("reload: reading \(options.configurationFiles.joined(separator: " "))")
        var loader = ConfigurationLoader()
        loader.localPeerName = options.localPeerName
        loader.previousStickTables = server.runtime.table.stickTables
        let result = loader.load(paths: options.configurationFiles)
        for diagnostic in result.diagnostics where diagnostic.severity == .alert || !options.quiet {
            FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
        }
        guard let table = result.table else {
            logger.error("reload refused: the configuration has errors (above); going on with the one in force")
            return
        }
        do {
            _ = try server.reload(to: table)
        } catch {
            logger.error("reload refused: \(error); going on with the configuration in force")
        }
    }
}
