import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import UsherConfig
import UsherRouting

/// A running configuration: its listeners, health checks and logs, on an event loop group.
public final class UsherServer: Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    public let runtime: ProxyRuntime
    private let group: EventLoopGroup
    private let ownsGroup: Bool
    private let listeners = NIOLockedValueBox<[(frontend: String, channel: Channel)]>([])
    /// The files of UNIX-socket listeners, removed when listening stops.
    let unixSocketFiles = NIOLockedValueBox<[UnixSocketFile]>([])
    private let checkers = NIOLockedValueBox<[HealthChecker]>([])
    /// One per `resolvers` section that a server uses.
    private let resolverServices = NIOLockedValueBox<[ResolverService]>([])
    /// One per `peers` section with a peer named after this instance.
    let peersServices = NIOLockedValueBox<[PeersService]>([])
    private let logDispatcher: LogDispatcher
    /// The `stats socket` listeners.
    let runtimeAPI: RuntimeAPIService
    /// Listening sockets taken over from the previous process (`-x`), used by the listeners with
    /// the same address instead of binding anew; those left unused are closed once started.
    private let inheritedSockets = NIOLockedValueBox<[ListenerTakeOver.Socket]>([])

    /// Takes the sockets `-x` received: `start()` listens on them where the addresses match.
    public func adopt(_ sockets: [ListenerTakeOver.Socket]) {
        inheritedSockets.withLockedValue { $0 += sockets }
    }

    /// Prepares a server for `table` on `group`, or on a group of its own with `nbthread` threads
    /// (else one per core).
    /// `handOverSocket`: a runtime API socket (admin, `expose-fd listeners`) of the process's own,
    /// through which the next worker of a master takes the listening sockets over.
    public init(table: RoutingTable, logger: Logger, group: EventLoopGroup? = nil, handOverSocket: String? = nil) throws {
        let threads = table.configuration.global.nbthread ?? System.coreCount
        if let group {
            self.group = group
            ownsGroup = false
        } else {
            self.group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
            ownsGroup = true
            for problem in ThreadAffinity.apply(table.configuration.global.cpuMap, to: self.group) {
                logger.warning("cpu-map: \(problem)")
            }
        }
        let tag = table.configuration.global.logTag ?? "usher"
        logDispatcher = LogDispatcher(
            tag: tag, sendHostname: table.configuration.global.logSendHostname, chroot: table.configuration.global.chroot, logger: logger
        )
        do {
            runtime = try ProxyRuntime(table: table, log: logDispatcher, logger: logger)
        } catch {
            if ownsGroup { try? self.group.syncShutdownGracefully() }
            if let tls = error as? ServerTLSSetupError { throw StartError(description: tls.description) }
            throw StartError(description: "cannot resolve a server address: \(error)")
        }
        var extra: [StatsSocket] = []
        if let handOverSocket {
            var socket = StatsSocket(endpoint: .unixPath(handOverSocket), level: .admin, location: SourceLocation(file: "master-worker", line: 0))
            socket.exposesListeners = true
            socket.mode = 0o600
            extra.append(socket)
        }
        runtimeAPI = RuntimeAPIService(runtime: runtime, group: self.group, extraSockets: extra)
    }

    /// Binds every frontend's addresses and starts the health checks. Blocks until bound.
    /// `replacingAnotherProcess` (started with `-x` or `-sf`): the `peers` sections expect the
    /// previous process to teach them its tables before they ask the other peers.
    public func start(replacingAnotherProcess: Bool = false) throws {
        for (target, problem) in logDispatcher.prepare(runtime.allLogTargets) {
            runtime.logger.warning("log target at \(target.location) unusable: \(problem)")
        }
        for frontend in runtime.frontends {
            // Listeners are numbered from 1 in each frontend, in order, as HAProxy numbers them.
            var listenerID = 0
            for bind in frontend.routes.proxy.binds {
                let termination = bind.ssl ? try terminationSetup(bind, frontend: frontend) : nil
                for address in bind.addresses {
                    for port in address.ports ?? 0...0 {
                        listenerID += 1
                        let channel = try bindListener(
                            frontend: frontend, bind: bind, address: address, port: port, listenerID: listenerID, termination: termination)
                        listeners.withLockedValue { $0.append((frontend.name, channel)) }
                    }
                }
            }
        }
        let listeners = self.listeners
        runtime.listenerControl.withLockedValue {
            $0 = { accepting in
                for (_, channel) in listeners.withLockedValue({ $0 }) {
                    try? channel.setOption(ChannelOptions.autoRead, value: accepting).wait()
                }
            }
        }
        // Sockets of the previous process no listener here uses: not ours to keep.
        for socket in inheritedSockets.withLockedValue({ sockets in defer { sockets = [] }; return sockets }) {
            close(socket.descriptor)
        }
        try startHealthChecks()
        try startResolvers()
        try startPeers(waitingForPreviousProcess: replacingAnotherProcess)
        do {
            try runtimeAPI.start()
        } catch {
            throw StartError(description: "\(error)")
        }
    }

    /// The contexts and certificate choice of a `bind … ssl`, or why they cannot be made.
    private func terminationSetup(_ bind: Bind, frontend: FrontendRuntime) throws -> BindTermination {
        do {
            return try BindTermination(
                bind: bind, global: runtime.table.configuration.global.tls, helloParser: runtime.helloParser)
        } catch {
            throw StartError(description: "\(frontend.routes.proxy.kind.rawValue) '\(frontend.name)': bind at \(bind.location): \(error)")
        }
    }

    private func bindListener(
        frontend: FrontendRuntime, bind: Bind, address: Address, port: Int, listenerID: Int, termination: BindTermination?
    ) throws -> Channel {
        let runtime = self.runtime
        // In front of TLS, the PROXY header is read by `TLSAcceptHandler`, which passes it on.
        let acceptProxy = bind.acceptProxy && termination == nil
        // An inherited socket is checked first: its family decides the connections' options.
        var inheritedIsUnix = false
        if let descriptor = address.inheritedDescriptor {
            do {
                inheritedIsUnix = try InheritedListener.prepare(descriptor, backlog: Int32(bind.backlog ?? 1024)).isUnixDomain
            } catch {
                throw StartError(description: "\(frontend.routes.proxy.kind.rawValue) '\(frontend.name)' cannot listen on \(address) (\(bind.location)): \(error)")
            }
        }
        let unixListenerID = address.unixSocket == nil && !inheritedIsUnix ? nil : listenerID
        let listener = frontend.listeners.indices.contains(listenerID - 1) ? frontend.listeners[listenerID - 1] : nil
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: Int32(bind.backlog ?? 1024))
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.maxMessagesPerRead, value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let gate = AcceptGateHandler(runtime: runtime, frontend: frontend, listener: listener)
                    try channel.pipeline.syncOperations.addHandler(gate)
                    let bound = NIOLoopBound(gate, eventLoop: channel.eventLoop)
                    let loop = channel.eventLoop
                    runtime.addAcceptWaker { loop.execute { bound.value.wakeUp() } }
                }
            }
            // Options are set in the initializer, directly: as bootstrap options each would cost
            // a future per accepted connection.
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // TCP keep-alives and Nagle mean nothing on a UNIX socket.
                    try channel.configureProxiedSocket(
                        keepAlive: frontend.clientKeepAlive && unixListenerID == nil, autoRead: true, noDelay: unixListenerID == nil
                    )
                    if let termination {
                        try channel.pipeline.syncOperations.addHandler(TLSAcceptHandler(termination: termination, acceptProxy: bind.acceptProxy))
                    }
                    if frontend.isHTTP {
                        let session = HTTPSessionHandler(
                            runtime: runtime, frontend: frontend, acceptProxy: acceptProxy, terminatesTLS: termination != nil,
                            unixListenerID: unixListenerID, listener: listener)
                        session.startsHTTP2 = bind.proto == "h2"
                        try channel.pipeline.syncOperations.addHandler(session)
                    } else {
                        try channel.pipeline.syncOperations.addHandler(
                            TCPSessionHandler(
                                runtime: runtime, frontend: frontend, acceptProxy: acceptProxy, terminatesTLS: termination != nil,
                                unixListenerID: unixListenerID, listener: listener)
                        )
                    }
                }
            }
        if let unixSocket = address.unixSocket {
            return try bindUnixListener(bootstrap, to: unixSocket, bind: bind, frontend: frontend)
        }
        if let descriptor = address.inheritedDescriptor {
            do {
                let channel = try bootstrap.withBoundSocket(descriptor).wait()
                if let listener, let bound = channel.localAddress {
                    listener.address.withLockedValue { $0 = bound.statsText }
                }
                return channel
            } catch {
                throw StartError(description: "\(frontend.routes.proxy.kind.rawValue) '\(frontend.name)' cannot listen on \(address) (\(bind.location)): \(error)")
            }
        }
        let hosts: [String]
        switch (address.host, address.family) {
        case (let host?, _): hosts = [host]
        case (nil, .ipv4): hosts = ["0.0.0.0"]
        case (nil, .ipv6): hosts = ["::"]
        case (nil, .unspecified): hosts = ["0.0.0.0"]  // HAProxy's `*:port` and `:port` are IPv4 only
        }
        if let v6Only = bind.v6Only {
            bootstrap = bootstrap.serverChannelOption(
                ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: v6Only ? 1 : 0
            )
        }
        var lastError: Error? = nil
        for host in hosts {
            do {
                let inherited = inheritedSockets.withLockedValue { sockets -> ListenerTakeOver.Socket? in
                    guard let index = sockets.firstIndex(where: { ListenerTakeOver.matches($0, host: host, port: port) }) else { return nil }
                    return sockets.remove(at: index)
                }
                let channel: Channel
                if let inherited {
                    // The previous process's socket: already bound and listening, so no
                    // connection is refused while the two processes overlap.
                    channel = try bootstrap.withBoundSocket(inherited.descriptor).wait()
                } else {
                    channel = try bootstrap.bind(host: host, port: port).wait()
                }
                if let listener, let bound = channel.localAddress {
                    listener.address.withLockedValue { $0 = bound.statsText }
                }
                return channel
            } catch {
                lastError = error
            }
        }
        throw StartError(description: "\(frontend.routes.proxy.kind.rawValue) '\(frontend.name)' cannot bind \(address.description.replacingPort(port)) (\(bind.location)): \(lastError.map { "\($0)" } ?? "unknown error")")
    }

    private func startHealthChecks() throws {
        var started: [HealthChecker] = []
        for backend in runtime.backends {
            for server in backend.servers where server.server.isChecked && !server.server.isDisabled {
                let checker = try HealthChecker(server: server, backend: backend, runtime: runtime, eventLoop: group.next())
                started.append(checker)
            }
        }
        // Spread the first checks over one interval so they do not all fire at once.
        for (index, checker) in started.enumerated() {
            let inter = checker.server.server.inter.milliseconds
            checker.start(initialDelay: .milliseconds(inter * Int64(index) / Int64(max(1, started.count))))
        }
        checkers.withLockedValue { $0 = started }
    }

    /// Starts asking the name servers of every `resolvers` section some server uses.
    private func startResolvers() throws {
        var services: [ResolverService] = []
        for section in runtime.table.configuration.resolvers {
            guard let service = ResolverService(resolvers: section, runtime: runtime, eventLoop: group.next()) else { continue }
            do {
                try service.start()
            } catch {
                throw StartError(description: "resolvers '\(section.name)' (\(section.location)): cannot open a UDP socket: \(error)")
            }
            services.append(service)
        }
        resolverServices.withLockedValue { $0 = services }
    }

    /// Starts synchronising the tables of every `peers` section that names this instance.
    private func startPeers(waitingForPreviousProcess: Bool) throws {
        let configuration = runtime.table.configuration
        guard let localName = configuration.localPeerName else { return }
        var services: [PeersService] = []
        for section in configuration.peers {
            guard let service = PeersService(
                section: section, localName: localName, stickTables: runtime.table.stickTables, eventLoop: group.next(), logger: runtime.logger)
            else { continue }
            try service.start(waitingForPreviousProcess: waitingForPreviousProcess)
            services.append(service)
        }
        peersServices.withLockedValue { $0 = services }
        runtime.peersStatus.withLockedValue { $0 = services.map { ($0.section.name, $0.statusText, $0.sessionCounts) } }
    }

    /// The addresses a frontend actually listens on (useful with port 0).
    public func boundAddresses(frontend name: String) -> [SocketAddress] {
        listeners.withLockedValue { $0 }.filter { $0.frontend == name }.compactMap { $0.channel.localAddress }
    }

    /// Stops listening; established connections go on until they end (HAProxy's soft stop).
    public func stopListening() {
        runtime.listenersStopped.store(true, ordering: .relaxed)
        let channels = listeners.withLockedValue { listeners in
            defer { listeners = [] }
            return listeners.map(\.channel)
        }
        for channel in channels { try? channel.close().wait() }
        let files = unixSocketFiles.withLockedValue { files in
            defer { files = [] }
            return files
        }
        for file in files { file.remove() }
        runtimeAPI.stop()
    }

    /// Soft stop: each `peers` section stops talking to its peers and teaches its tables to the
    /// next process of this instance (listening at the same address), as HAProxy does on reload.
    public func handOverPeers() {
        for service in peersServices.withLockedValue({ $0 }) { service.handOver() }
    }

    /// Whether a `peers` section still teaches its tables to the next process (after `stopListening`).
    public var isHandingOverPeers: Bool {
        peersServices.withLockedValue { $0 }.contains { !$0.handOverFinished.withLockedValue { $0 } }
    }

    /// Connections currently open.
    public var activeConnections: Int { runtime.activeConnections.load(ordering: .relaxed) }

    /// Stops everything: listeners, checks, and (if the server made it) the event loops, which
    /// closes every connection.
    public func shutdown() {
        guard runtime.isStopping.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        stopListening()
        for checker in checkers.withLockedValue({ $0 }) { checker.stop() }
        for service in resolverServices.withLockedValue({ $0 }) { service.stop() }
        for service in peersServices.withLockedValue({ $0 }) { service.stop() }
        logDispatcher.shutdown()
        if ownsGroup { try? group.syncShutdownGracefully() }
    }
}

extension String {
    /// `*:0` with the real port in place, for messages.
    func replacingPort(_ port: Int) -> String {
        guard let colon = lastIndex(of: ":") else { return self }
        return self[..<colon] + ":\(port)"
    }
}
