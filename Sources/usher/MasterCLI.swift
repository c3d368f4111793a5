import Dispatch
import Foundation
import UsherConfig
import UsherRouting

#if canImport(Glibc)
import Glibc
#endif

/// The master CLI (`-S <bind>[,option,value…]`): a UNIX or TCP socket of the master process that
/// answers `show proc`, `reload` and passes `@N`/`@!PID` commands on to the workers' runtime API.
/// The protocol is `MasterCLIStateMachine`; this is its socket driver: one thread accepts, one
/// per connection reads and answers (the master's control plane: a handful of operators at most).
final class MasterCLI: @unchecked Sendable {
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// What the CLI asks of the master.
    struct Master: Sendable {
        var processes: @Sendable () -> MasterCLIStateMachine.Processes
        var showProc: @Sendable () -> String
        /// The runtime API socket of a worker, to pass commands on.
        var socketOfWorker: @Sendable (Int32) -> String?
        var reload: @Sendable () -> Void
    }

    let listener: Int32
    let path: String?
    let level: RuntimeAPILevel
    let master: Master
    /// An idle connection is closed after this long (the runtime API's default `stats timeout`).
    static let idleTimeout: Double = 10
    /// At most this many connections at once; more are closed on arrival.
    static let maxConnections = 10
    private let open = NSLock()
    private var connections = 0

    /// Binds `argument`: `PATH` or `[HOST]:PORT`, then `,option,value` pairs (`mode`, `uid`,
    /// `gid`, `user`, `group`, `level`).
    init(argument: String, master: Master) throws {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard let address = parts.first, !address.isEmpty else { throw SetupError(description: "-S: an address is needed (a path or HOST:PORT)") }
        var mode: mode_t?
        var uid: uid_t?
        var gid: gid_t?
        var level = RuntimeAPILevel.admin
        var index = 1
        while index < parts.count {
            let option = parts[index]
            guard index + 1 < parts.count else { throw SetupError(description: "-S: option '\(option)' needs a value") }
            let value = parts[index + 1]
            switch option {
            case "mode":
                guard let bits = mode_t(value, radix: 8) else { throw SetupError(description: "-S: 'mode' expects octal permissions, not '\(value)'") }
                mode = bits
            case "uid":
                guard let id = uid_t(value) else { throw SetupError(description: "-S: 'uid' expects a number, not '\(value)'") }
                uid = id
            case "gid":
                guard let id = gid_t(value) else { throw SetupError(description: "-S: 'gid' expects a number, not '\(value)'") }
                gid = id
            case "user":
                guard let entry = getpwnam(value) else { throw SetupError(description: "-S: unknown user '\(value)'") }
                uid = entry.pointee.pw_uid
            case "group":
                guard let entry = getgrnam(value) else { throw SetupError(description: "-S: unknown group '\(value)'") }
                gid = entry.pointee.gr_gid
            case "level":
                guard let named = RuntimeAPILevel.allCases.first(where: { "\($0)" == value }) else {
                    throw SetupError(description: "-S: 'level' expects 'user', 'operator' or 'admin', not '\(value)'")
                }
                level = named
            default:
                throw SetupError(description: "-S: unknown option '\(option)' (mode, uid, gid, user, group, level)")
            }
            index += 2
        }
        self.level = level
        self.master = master
        if let colon = address.lastIndex(of: ":"), !address.hasPrefix("/"), let port = Int(address[address.index(after: colon)...]) {
            let host = address[..<colon].isEmpty ? "0.0.0.0" : String(address[..<colon])
            listener = try Self.listenTCP(host: host, port: port)
            path = nil
        } else {
            let file = address.hasPrefix("unix@") ? String(address.dropFirst(5)) : address
            listener = try Self.listenUnix(file) { temporary in
                // Set before the socket appears at its path: no client sees it with other permissions.
                if uid != nil || gid != nil, chown(temporary, uid ?? uid_t.max, gid ?? gid_t.max) != 0 {
                    throw SetupError(description: "-S: cannot change the owner of \(file): \(String(cString: strerror(errno)))")
                }
                if let mode, chmod(temporary, mode) != 0 {
                    throw SetupError(description: "-S: cannot change the mode of \(file): \(String(cString: strerror(errno)))")
                }
            }
            path = file
        }
    }

    func start() {
        Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 {
                    if errno == EINTR || errno == ECONNABORTED { continue }
                    return
                }
                let admitted = open.withLock { () -> Bool in
                    guard connections < Self.maxConnections else { return false }
                    connections += 1
                    return true
                }
                guard admitted else {
                    close(client)
                    continue
                }
                Thread { [self] in
                    serve(client)
                    close(client)
                    open.withLock { connections -= 1 }
                }.start()
            }
        }.start()
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        if let path { unlink(path) }
    }

    private func serve(_ client: Int32) {
        var timeout = timeval(tv_sec: Int(Self.idleTimeout), tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var machine = MasterCLIStateMachine(level: level)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !machine.isClosed {
            let count = read(client, &buffer, buffer.count)
            let actions: [MasterCLIStateMachine.Action]
            if count <= 0 {
                actions = machine.inputClosed()
            } else {
                actions = machine.receive(
                    buffer[0..<count], processes: master.processes(), showProc: master.showProc, version: UsherVersion.current,
                    forward: { pid, command in self.forward(command, to: pid) })
            }
            for action in actions {
                switch action {
                case .write(let text): Self.writeAll(client, Array(text.utf8))
                case .close: shutdown(client, Int32(SHUT_RDWR))
                case .reload: master.reload()
                }
            }
        }
    }

    /// Runs `command` on a worker's runtime API and returns its answer.
    private func forward(_ command: String, to pid: Int32) -> String? {
        guard let path = master.socketOfWorker(pid) else { return nil }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard Self.connectUnix(descriptor, path) else { return nil }
        Self.writeAll(descriptor, Array((command + "\n").utf8))
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            answer += buffer[0..<count]
            // A worker's answer is bounded: a runaway one is cut rather than held whole.
            if answer.count > 64 << 20 { break }
        }
        return String(decoding: answer, as: UTF8.self)
    }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }

    static func unixAddress(_ path: String) throws -> (sockaddr_un, socklen_t) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw SetupError(description: "-S: the path '\(path)' is too long for a UNIX socket")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        return (address, socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1))
    }

    static func connectUnix(_ descriptor: Int32, _ path: String) -> Bool {
        guard case (var address, let length)? = try? unixAddress(path) else { return false }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
        } == 0
    }

    /// Listens at `path`: bound and listening under a temporary name, `prepare`d (permissions), then
    /// renamed over the path, so a client never finds the file before it accepts.
    static func listenUnix(_ path: String, prepare: (String) throws -> Void) throws -> Int32 {
        let temporary = "\(path).\(getpid()).tmp"
        unlink(temporary)
        let (unix, length) = try unixAddress(temporary)
        var address = unix
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SetupError(description: "-S: cannot create a socket: \(String(cString: strerror(errno)))") }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw SetupError(description: "-S: cannot bind UNIX socket \(path): \(reason)")
        }
        do {
            try prepare(temporary)
            guard rename(temporary, path) == 0 else {
                throw SetupError(description: "-S: cannot create \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        return descriptor
    }

    static func listenTCP(host: String, port: Int) throws -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw SetupError(description: "-S: '\(host)' is not an IPv4 address") }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SetupError(description: "-S: cannot create a socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw SetupError(description: "-S: cannot bind \(host):\(port): \(reason)")
        }
        return descriptor
    }
}
