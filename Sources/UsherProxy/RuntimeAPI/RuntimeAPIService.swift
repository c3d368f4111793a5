#if canImport(Glibc)
import Glibc
#endif
import Atomics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import UsherConfig
import UsherRouting

/// The runtime API's listeners (`stats socket` lines): UNIX stream sockets and TCP sockets in the
/// control plane, at most `stats maxconn` connections at once, each closed after `stats timeout`
/// of silence.
final class RuntimeAPIService: Sendable {
    struct BindError: Error, CustomStringConvertible {
        var description: String
    }

    private let runtime: ProxyRuntime
    private let group: EventLoopGroup
    private let settings: RuntimeAPISettings
    private let listeners = NIOLockedValueBox<[Channel]>([])
    /// Socket files to remove when the service stops.
    private let socketFiles = NIOLockedValueBox<[UnixSocketFile]>([])
    /// Health checkers started by `enable server` for servers `disabled` in the configuration.
    private let lateCheckers = NIOLockedValueBox<[HealthChecker]>([])
    /// Runtime API connections open now, across every socket.
    let openConnections = ManagedAtomic<Int>(0)

    /// `extraSockets`: sockets besides the configuration's (a master's hand-over socket).
    init(runtime: ProxyRuntime, group: EventLoopGroup, extraSockets: [StatsSocket] = []) {
        self.runtime = runtime
        self.group = group
        var settings = runtime.table.configuration.global.runtimeAPI
        settings.sockets += extraSockets
        self.settings = settings
    }

    /// Binds every `stats socket`. A socket that cannot be bound stops the start, as in HAProxy.
    func start() throws {
        let runtime = self.runtime
        let group = self.group
        let lateCheckers = self.lateCheckers
        let startChecks: @Sendable (ServerRuntime, BackendRuntime) -> Void = { server, backend in
            guard let checker = try? HealthChecker(server: server, backend: backend, runtime: runtime, eventLoop: group.next()) else { return }
            lateCheckers.withLockedValue { $0.append(checker) }
            checker.start(initialDelay: .zero)
        }
        // The stats page's admin form enables servers too.
        runtime.lateHealthCheckStarter.withLockedValue { $0 = startChecks }
        let executor = RuntimeAPIExecutor(runtime: runtime, sockets: settings.sockets, startHealthChecks: startChecks)
        for socket in settings.sockets {
            let channel = try bind(socket, executor: executor)
            listeners.withLockedValue { $0.append(channel) }
        }
    }

    private func bind(_ socket: StatsSocket, executor: RuntimeAPIExecutor) throws -> Channel {
        let runtime = self.runtime
        let open = self.openConnections
        let limit = settings.effectiveMaxConnections
        let timeout = TimeAmount.milliseconds(max(1, settings.effectiveTimeout.milliseconds))
        let lineLimit = runtime.bufferSize
        let level = socket.level
        let exposesListeners = socket.exposesListeners
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 128)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Out of descriptors, wait and say why rather than spin (the stats socket
                    // belongs to HAProxy's GLOBAL proxy).
                    try channel.pipeline.syncOperations.addHandler(
                        AcceptShortageHandler(proxyName: "GLOBAL") { runtime.event($0, level: .emerg, backend: nil) })
                }
            }
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                // Beyond `stats maxconn`, a connection is closed at once: a flood never queues.
                guard open.wrappingIncrementThenLoad(ordering: .relaxed) <= limit else {
                    open.wrappingDecrement(ordering: .relaxed)
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in open.wrappingDecrement(ordering: .relaxed) }
                _ = runtime.sessions.open(channel: channel, frontendName: nil)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        RuntimeAPIHandler(
                            level: level, lineLimit: lineLimit, exposesListeners: exposesListeners, executor: executor, idleTimeout: timeout
                        )
                    )
                }
            }
        func failure(_ reason: String, _ target: String) -> BindError {
            BindError(description: "Binding [\(socket.location.file):\(socket.location.line)] for frontend GLOBAL: \(reason) [\(target)]")
        }
        switch socket.endpoint {
        case .tcp(let host, let port):
            do {
                return try bootstrap.bind(host: host, port: port).wait()
            } catch {
                throw failure("cannot bind socket (\(error))", "\(host):\(port)")
            }
        case .inherited(let descriptor):
            do {
                _ = try InheritedListener.prepare(descriptor, backlog: 128)
                return try bootstrap.withBoundSocket(descriptor).wait()
            } catch {
                throw failure("cannot use the inherited socket (\(error))", "fd@\(descriptor)")
            }
        case .unixPath(let path):
            // Bound under a temporary name and renamed over the path (a stale file, or the socket
            // of a process this one replaces, is replaced in one step); removed on stop only if
            // the path still names this socket — after a reload it names the new worker's.
            let temporary = UnixSocketFile.bindingName(for: path)
            let channel: Channel
            do {
                channel = try bootstrap.bind(to: SocketAddress(unixDomainSocketPath: temporary)).wait()
            } catch let error as IOError {
                throw failure("cannot bind UNIX socket (\(String(cString: strerror(error.errnoCode))))", path)
            } catch {
                throw failure("cannot bind UNIX socket (\(error))", path)
            }
            let permissions = UnixSocketPermissions(
                mode: socket.mode.map { UInt32($0) }, userID: socket.uid.map { UInt32($0) }, groupID: socket.gid.map { UInt32($0) })
            do {
                let file = try UnixSocketFile.install(temporary: temporary, at: path, permissions: permissions)
                socketFiles.withLockedValue { $0.append(file) }
            } catch {
                try? channel.close().wait()
                _ = unlink(temporary)
                throw failure("\(error)", path)
            }
            return channel
        }
    }

    /// The addresses the TCP sockets listen on.
    var boundAddresses: [SocketAddress] {
        listeners.withLockedValue { $0 }.compactMap(\.localAddress)
    }

    /// Closes the listeners (open sessions end on their own) and removes the socket files.
    func stop() {
        let channels = listeners.withLockedValue { listeners in
            defer { listeners = [] }
            return listeners
        }
        for channel in channels { try? channel.close().wait() }
        for file in socketFiles.withLockedValue({ files in defer { files = [] }; return files }) { file.remove() }
        runtime.lateHealthCheckStarter.withLockedValue { $0 = nil }
        for checker in lateCheckers.withLockedValue({ $0 }) { checker.stop() }
    }
}
