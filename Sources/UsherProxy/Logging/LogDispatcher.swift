import Atomics
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOConcurrencyHelpers
import NIOCore
import UsherConfig
import UsherRouting

/// Sends log lines to `log` targets: syslog over UDP or a UNIX datagram socket, stdout or stderr.
/// Thread-safe; called from the event loops at the end of each session. stdout and stderr are
/// written by `LogStreamWriter`s, behind a bounded queue.
///
/// Datagrams go out with a plain non-blocking `sendto` from the caller's thread, not through a
/// SwiftNIO `DatagramChannel`, because:
/// - logging must never hold up the data path: a channel written from another thread queues each
///   message (unbounded) behind an event-loop hop, where one `sendto(…, MSG_DONTWAIT)` either hands
///   the datagram to the kernel at once or fails with `EAGAIN` when the receiver's queue is full.
///   That kernel queue is the bound; a message that does not fit is dropped and counted, as
///   HAProxy does;
/// - the UNIX socket is left unconnected and named in each `sendto`, so a syslog daemon that is
///   restarted (its socket removed and created again) is reached by the next message with no
///   reconnection logic, and a socket missing at start is simply tried again with each message.
///   A connected socket would keep pointing at the old, dead one.
public final class LogDispatcher: Sendable {
    let formatter: SyslogFormatter
    private let logger: Logger?
    /// The global `chroot`: a UNIX path is sent to inside it once the process has entered it, so
    /// that is where `prepare` looks.
    private let chroot: String?
    /// Where each destination goes, created by `prepare(_:)` (or on first use for a UNIX path).
    private let endpoints = NIOLockedValueBox<[LogTarget.Destination: LogEndpoint]>([:])
    /// One socket per address family, opened on first use.
    private let sockets = NIOLockedValueBox<[Int32: Int32]>([:])
    /// `sample` counters, per proxy and `log` line (HAProxy counts them per proxy).
    private let sampleCounters = NIOLockedValueBox<[String: Int]>([:])
    /// The writers of stdout and stderr, started on first use.
    private let streams = NIOLockedValueBox<[Int32: LogStreamWriter]>([:])
    /// Messages dropped because their target was absent or full (HAProxy's `DroppedLogs`).
    let dropped = ManagedAtomic<Int>(0)
    /// Set by `shutdown()`: later lines (sessions still closing) are dropped.
    private let isShutDown = ManagedAtomic<Bool>(false)

    /// - Parameters:
    ///   - sendHostname: the global `log-send-hostname`.
    ///   - chroot: the global `chroot`, where UNIX paths are looked for at start.
    ///   - logger: where a target that becomes unreachable, or reachable again, is reported.
    public init(
        tag: String, sendHostname: LogSendHostname? = nil, chroot: String? = nil, logger: Logger? = nil
    ) {
        let hostname: String?
        switch sendHostname {
        case nil: hostname = nil
        case .system: hostname = LogClock.hostname()
        case .named(let name): hostname = name
        }
        self.formatter = SyslogFormatter(tag: tag, processID: ProcessInfo.processInfo.processIdentifier, hostname: hostname)
        self.logger = logger
        self.chroot = chroot
    }

    /// Messages dropped so far: their target was missing, refused them or had no room.
    public var droppedMessages: Int { dropped.load(ordering: .relaxed) }

    /// Sends `message` to each target whose level (and `sample`) lets it through. `scope` names the
    /// proxy the targets belong to ("" for the process), which keeps `sample` counts per proxy.
    public func log(_ message: String, level: SyslogLevel, to targets: [LogTarget], at time: LogTimestamp? = nil, scope: String = "") {
        guard !targets.isEmpty, !isShutDown.load(ordering: .relaxed) else { return }
        var when = time
        for target in targets where SyslogFormatter.accepts(level, target: target) {
            if let sample = target.sample, !sampled(sample, target: target, scope: scope) { continue }
            let now = when ?? LogClock.now()
            when = now
            let framed = formatter.frame(message, level: level, at: now, for: target)
            switch target.destination {
            case .stdout: write(framed, to: STDOUT_FILENO)
            case .stderr: write(framed, to: STDERR_FILENO)
            case .udp, .unix: send(framed, to: target.destination)
            }
        }
    }

    /// Counts the message for `target` and says whether its position is one `sample` keeps.
    private func sampled(_ sample: LogSample, target: LogTarget, scope: String) -> Bool {
        let key = "\(scope)\u{0}\(target.location.file):\(target.location.line)"
        let index = sampleCounters.withLockedValue { counters in
            let index = counters[key, default: 0]
            counters[key] = (index + 1) % sample.size
            return index
        }
        return sample.accepts(index: index)
    }

    private func write(_ text: String, to descriptor: Int32) {
        let writer = streams.withLockedValue { streams -> LogStreamWriter? in
            if let writer = streams[descriptor] { return writer }
            // Not after `shutdown()`, which stopped the writers: no thread would ever end.
            guard !isShutDown.load(ordering: .relaxed) else { return nil }
            let writer = LogStreamWriter(descriptor: descriptor)
            streams[descriptor] = writer
            return writer
        }
        if writer?.enqueue(text) != true { dropped.wrappingIncrement(ordering: .relaxed) }
    }

    private func send(_ text: String, to destination: LogTarget.Destination) {
        guard let endpoint = endpoint(for: destination) else {
            dropped.wrappingIncrement(ordering: .relaxed)
            return
        }
        guard let socket = socket(family: endpoint.family) else {
            dropped.wrappingIncrement(ordering: .relaxed)
            return
        }
        var text = text
        let result = text.withUTF8 { bytes in
            endpoint.withAddress { address, length in
                sendto(socket, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL), address, length)
            }
        }
        if result < 0 {
            let error = errno
            dropped.wrappingIncrement(ordering: .relaxed)
            if endpoint.failing.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged {
                logger?.warning("log target \(endpoint.name) unreachable (\(String(cString: strerror(error)))): messages to it are dropped until it accepts them again")
            }
        } else if endpoint.failing.load(ordering: .relaxed),
            endpoint.failing.compareExchange(expected: true, desired: false, ordering: .relaxed).exchanged
        {
            logger?.notice("log target \(endpoint.name) reachable again")
        }
    }

    private func endpoint(for destination: LogTarget.Destination) -> LogEndpoint? {
        if let known = endpoints.withLockedValue({ $0[destination] }) { return known }
        // A UNIX path needs no resolution; a UDP host is resolved in `prepare`, off the event loops.
        guard case .unix(let path) = destination else { return nil }
        let endpoint = LogEndpoint(unixPath: path)
        endpoints.withLockedValue { $0[destination] = endpoint }
        return endpoint
    }

    private func socket(family: Int32) -> Int32? {
        sockets.withLockedValue { sockets in
            if let socket = sockets[family] { return socket }
            let socket = Glibc.socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard socket >= 0 else { return nil }
            sockets[family] = socket
            return socket
        }
    }

    /// Resolves the UDP targets' addresses and checks that the UNIX ones exist. Call it before
    /// serving, off the event loops: it blocks. Returns each target that cannot be used yet, with the
    /// reason: a UDP host that does not resolve is never used; a UNIX socket that is missing or
    /// refuses is tried again with every message.
    public func prepare(_ targets: [LogTarget]) -> [(LogTarget, String)] {
        var failures: [(LogTarget, String)] = []
        var checked: Set<LogTarget.Destination> = []
        for target in targets where checked.insert(target.destination).inserted {
            switch target.destination {
            case .stdout, .stderr:
                continue
            case .udp(let host, let port):
                guard endpoints.withLockedValue({ $0[target.destination] }) == nil else { continue }
                do {
                    let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
                    let endpoint = LogEndpoint(address: address, name: "\(host):\(port)")
                    endpoints.withLockedValue { $0[target.destination] = endpoint }
                } catch {
                    failures.append((target, "\(error)"))
                }
            case .unix(let path):
                let endpoint = endpoint(for: target.destination)
                // Started as root with `chroot`, usher sends from inside it: look there.
                let seen = chroot.map { root in path.hasPrefix("/") ? root + path : root + "/" + path } ?? path
                if let problem = LogEndpoint.probe(unixPath: seen) {
                    endpoint?.failing.store(true, ordering: .relaxed)
                    let place = seen == path ? path : "\(path) (\(seen) before the chroot)"
                    failures.append((target, "cannot reach the log socket \(place) (\(problem)); usher keeps trying with each message"))
                }
            }
        }
        return failures
    }

    /// Stops logging: writes what waits for stdout and stderr. The sockets are closed when the
    /// dispatcher goes away, not here: a session still closing on an event loop may be sending,
    /// and a descriptor closed under it could be reused by a new connection.
    public func shutdown() {
        let writers = streams.withLockedValue { streams in
            isShutDown.store(true, ordering: .relaxed)
            defer { streams = [:] }
            return Array(streams.values)
        }
        for writer in writers { writer.stop() }
    }

    deinit {
        for socket in sockets.withLockedValue({ $0.values }) { close(socket) }
    }
}

/// One datagram destination: its socket address, built once, and whether sending to it fails.
final class LogEndpoint: Sendable {
    let family: Int32
    let name: String
    private let storage: [UInt8]
    private let length: socklen_t
    /// Set while sends fail, so that the outage and the recovery are each reported once.
    let failing = ManagedAtomic<Bool>(false)

    init(unixPath path: String) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8.prefix(MemoryLayout.size(ofValue: address.sun_path) - 1))
        withUnsafeMutableBytes(of: &address.sun_path) { sunPath in
            sunPath.copyBytes(from: bytes)
        }
        self.family = AF_UNIX
        self.name = path
        self.length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        self.storage = withUnsafeBytes(of: &address) { Array($0) }
    }

    init(address: SocketAddress, name: String) {
        self.name = name
        switch address {
        case .v4(let v4):
            var raw = v4.address
            self.family = AF_INET
            self.length = socklen_t(MemoryLayout<sockaddr_in>.size)
            self.storage = withUnsafeBytes(of: &raw) { Array($0) }
        case .v6(let v6):
            var raw = v6.address
            self.family = AF_INET6
            self.length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            self.storage = withUnsafeBytes(of: &raw) { Array($0) }
        case .unixDomainSocket:
            preconditionFailure("UNIX log targets are built from their path")
        }
    }

    func withAddress<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        storage.withUnsafeBytes { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    /// Why a datagram cannot reach `unixPath` now (it is missing, nobody listens, no permission),
    /// found by connecting a throw-away socket, which sends nothing; `nil` when it can.
    static func probe(unixPath: String) -> String? {
        let endpoint = LogEndpoint(unixPath: unixPath)
        let socket = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { return String(cString: strerror(errno)) }
        defer { close(socket) }
        let result = endpoint.withAddress { connect(socket, $0, $1) }
        return result == 0 ? nil : String(cString: strerror(errno))
    }
}
