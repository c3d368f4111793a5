import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import UsherConfig
import UsherRouting

/// A running configuration: its listeners, health checks and logs, on an event loop group.
/// `reload(to:)` replaces the configuration in place (see UsherServer+Reload.swift).
public final class UsherServer: Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The configuration in force and its live state; a reload in place replaces it.
    let current: NIOLockedValueBox<ProxyRuntime>
    public var runtime: ProxyRuntime { current.withLockedValue { $0 } }
    let group: EventLoopGroup
    private let ownsGroup: Bool
    let listeners = NIOLockedValueBox<[BoundListener]>([])
    /// The files of UNIX-socket listeners, removed when listening stops.
    let unixSocketFiles = NIOLockedValueBox<[UnixSocketFile]>([])
    let checkers = NIOLockedValueBox<[HealthChecker]>([])
    /// One per `resolvers` section that a server uses.
    let resolverServices = NIOLockedValueBox<[ResolverService]>([])
    /// One per `peers` section with a peer named after this instance.
    let peersServices = NIOLockedValueBox<[PeersService]>([])
    let logDispatcher: LogDispatcher
    /// The `stats socket` listeners (made anew by a reload in place).
    let runtimeAPIBox: NIOLockedValueBox<RuntimeAPIService>
    var runtimeAPI: RuntimeAPIService { runtimeAPIBox.withLockedValue { $0 } }
    /// The master's hand-over socket (`-W`), kept through reloads in place.
    let handOverSocket: String?
    /// One reload at a time: signals that come faster than reloads finish wait their turn.
    let reloadLock = NIOLock()
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
        let runtime: ProxyRuntime
        do {
            runtime = try ProxyRuntime(table: table, log: logDispatcher, logger: logger)
        } catch {
            if ownsGroup { try? self.group.syncShutdownGracefully() }
            throw Self.startError(error)
        }
        current = NIOLockedValueBox(runtime)
        self.handOverSocket = handOverSocket
        runtimeAPIBox = NIOLockedValueBox(Self.makeRuntimeAPI(runtime: runtime, group: self.group, handOverSocket: handOverSocket))
    }

    /// Why a runtime could not be made from a table, in a user's words.
    static func startError(_ error: Error) -> StartError {
        if let tls = error as? ServerTLSSetupError { return StartError(description: tls.description) }
        return StartError(description: "cannot resolve a server address: \(error)")
    }

    static func makeRuntimeAPI(runtime: ProxyRuntime, group: EventLoopGroup, handOverSocket: String?) -> RuntimeAPIService {
        var extra: [StatsSocket] = []
        if let handOverSocket {
            var socket = StatsSocket(endpoint: .unixPath(handOverSocket), level: .admin, location: SourceLocation(file: "master-worker", line: 0))
            socket.exposesListeners = true
            socket.mode = 0o600
            extra.append(socket)
        }
        return RuntimeAPIService(runtime: runtime, group: group, extraSockets: extra)
    }

    /// Binds every frontend's addresses and starts the health checks. Blocks until bound.
    /// `replacingAnotherProcess` (started with `-x` or `-sf`): the `peers` sections expect the
    /// previous process to teach them its tables before they ask the other peers.
    public func start(replacingAnotherProcess: Bool = false) throws {
        let runtime = self.runtime
        for (target, problem) in logDispatcher.prepare(runtime.allLogTargets) {
            runtime.logger.warning("log target at \(target.location) unusable: \(problem)")
        }
        for planned in try plannedSockets(of: runtime) {
            let bound = try bindListener(ListenerSlot(key: planned.key, target: planned.target), host: planned.host, address: planned.address, port: planned.port)
            listeners.withLockedValue { $0.append(bound) }
        }
        let listeners = self.listeners
        runtime.listenerControl.withLockedValue {
            $0 = { accepting in
                runtime.listenersAccepting.store(accepting, ordering: .relaxed)
                for listener in listeners.withLockedValue({ $0 }) { listener.setAccepting(accepting) }
            }
        }
        // Sockets of the previous process no listener here uses: not ours to keep.
        for socket in inheritedSockets.withLockedValue({ sockets in defer { sockets = [] }; return sockets }) {
            close(socket.descriptor)
        }
        let started = try startHealthChecks(runtime, continuing: [])
        checkers.withLockedValue { $0 = started }
        try startResolvers(runtime)
        try startPeers(runtime, waitingForPreviousProcess: replacingAnotherProcess)
        do {
            try runtimeAPI.start()
        } catch {
            throw StartError(description: "\(error)")
        }
    }

    /// One socket a configuration listens on: what identifies it, where, and what serves it.
    struct PlannedSocket {
        let key: String
        let host: String?
        let address: Address
        let port: Int
        let target: ListenerSlot.Target
    }

    /// Every socket `runtime`'s frontends listen on, in order, with what serves each (the TLS of
    /// `bind … ssl` prepared: certificates are read here).
    func plannedSockets(of runtime: ProxyRuntime) throws -> [PlannedSocket] {
        var planned: [PlannedSocket] = []
        for frontend in runtime.frontends {
            // Listeners are numbered from 1 in each frontend, in order, as HAProxy numbers them.
            var listenerID = 0
            for bind in frontend.routes.proxy.binds {
                let termination = bind.ssl ? try terminationSetup(bind, frontend: frontend, runtime: runtime) : nil
                for address in bind.addresses {
                    for port in address.ports ?? 0...0 {
                        listenerID += 1
                        let host = Self.listeningHost(address)
                        let inheritedIsUnix = address.inheritedDescriptor.map { InheritedListener.isUnixDomain($0) } ?? false
                        let target = ListenerSlot.Target(
                            runtime: runtime, frontend: frontend, bind: bind,
                            listener: frontend.listeners.indices.contains(listenerID - 1) ? frontend.listeners[listenerID - 1] : nil,
                            termination: termination,
                            unixListenerID: address.unixSocket == nil && !inheritedIsUnix ? nil : listenerID
                        )
                        let key = Self.socketKey(address: address, host: host, port: port, frontend: frontend.name, listenerID: listenerID)
                        planned.append(PlannedSocket(key: key, host: host, address: address, port: port, target: target))
                    }
                }
            }
        }
        return planned
    }

    /// The address an IP bind listens on: `*:port` and `:port` are IPv4 only in HAProxy.
    static func listeningHost(_ address: Address) -> String? {
        guard address.unixSocket == nil, address.inheritedDescriptor == nil, address.socketPairDescriptor == nil else { return nil }
        switch (address.host, address.family) {
        case (let host?, _): return host
        case (nil, .ipv6): return "::"
        case (nil, .ipv4), (nil, .unspecified): return "0.0.0.0"
        }
    }

    /// What identifies a listening socket across configurations: its address and port, so that a
    /// reload in place keeps the socket of an address the new file still listens on (whichever
    /// frontend it is in now). A port chosen by the system (port 0) is kept for the same listener
    /// of the same frontend.
    static func socketKey(address: Address, host: String?, port: Int, frontend: String, listenerID: Int) -> String {
        if let descriptor = address.inheritedDescriptor { return "fd@\(descriptor)" }
        if let descriptor = address.socketPairDescriptor { return "sockpair@\(descriptor)" }
        if let unix = address.unixSocket { return "unix@\(unix)" }
        let base = "\(host ?? "*")|\(port)"
        return port == 0 ? "\(base)|\(frontend)#\(listenerID)" : base
    }

    /// The contexts and certificate choice of a `bind … ssl`, or why they cannot be made.
    private func terminationSetup(_ bind: Bind, frontend: FrontendRuntime, runtime: ProxyRuntime) throws -> BindTermination {
        do {
            return try BindTermination(
                bind: bind, global: runtime.table.configuration.global.tls, helloParser: runtime.helloParser)
        } catch {
            throw StartError(description: "\(frontend.routes.proxy.kind.rawValue) '\(frontend.name)': bind at \(bind.location): \(error)")
        }
    }

    /// Binds the socket of `slot` (or takes an inherited one), with the slot's frontend and bind.
    func bindListener(_ slot: ListenerSlot, host: String?, address: Address, port: Int) throws -> BoundListener {
        let target = slot.target
        let (frontend, bind) = (target.frontend, target.bind)
        // An inherited socket is checked first: its family decides the connections' options.
        if let descriptor = address.inheritedDescriptor {
            do {
                _ = try InheritedListener.prepare(descriptor, backlog: Int32(bind.backlog ?? 1024))
            } catch {
                throw StartError(description: "\(frontend.routes.proxy.kind.rawValue) '\(frontend.name)' cannot listen on \(address) (\(bind.location)): \(error)")
            }
        }
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: Int32(bind.backlog ?? 1024))
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.maxMessagesPerRead, value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let gate = AcceptGateHandler(slot: slot)
                    try channel.pipeline.syncOperations.addHandler(gate)
                    let bound = NIOLoopBound(gate, eventLoop: channel.eventLoop)
                    let loop = channel.eventLoop
                    let token = slot.target.runtime.addAcceptWaker { loop.execute { bound.value.wakeUp() } }
                    slot.wakerToken.withLockedValue { $0 = token }
                    channel.closeFuture.whenComplete { _ in slot.target.runtime.removeAcceptWaker(token) }
                }
            }
            // Options are set in the initializer, directly: as bootstrap options each would cost
            // a future per accepted connection.
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try Self.initializeConnection(channel, target: slot.target) }
            }
        if let descriptor = address.socketPairDescriptor {
            let pair = SocketPairListener(descriptor: descriptor, slot: slot, group: group)
            do {
                try pair.start()
            } catch {
                throw StartError(description: "\(frontend.routes.proxy.kind.rawValue) '\(frontend.name)' cannot listen on \(address) (\(bind.location)): \(error)")
            }
            return BoundListener(slot: slot, channel: nil, socketFile: nil, socketPair: pair)
        }
        if let unixSocket = address.unixSocket {
            let (channel, file) = try bindUnixListener(bootstrap, to: unixSocket, bind: bind, frontend: frontend)
            return BoundListener(slot: slot, channel: channel, socketFile: file, socketPair: nil)
        }
        if let descriptor = address.inheritedDescriptor {
            do {
                let channel = try bootstrap.withBoundSocket(descriptor).wait()
                Self.noteAddress(of: channel, in: target.listener)
                return BoundListener(slot: slot, channel: channel, socketFile: nil, socketPair: nil)
            } catch {
                throw StartError(description: "\(frontend.routes.proxy.kind.rawValue) '\(frontend.name)' cannot listen on \(address) (\(bind.location)): \(error)")
            }
        }
        let host = host ?? "0.0.0.0"
        if let v6Only = bind.v6Only {
            bootstrap = bootstrap.serverChannelOption(
                ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: v6Only ? 1 : 0
            )
        }
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
            Self.noteAddress(of: channel, in: target.listener)
            return BoundListener(slot: slot, channel: channel, socketFile: nil, socketPair: nil)
        } catch {
            throw StartError(description: "\(frontend.routes.proxy.kind.rawValue) '\(frontend.name)' cannot bind \(address.description.replacingPort(port)) (\(bind.location)): \(error)")
        }
    }

    /// Sets up an accepted connection's pipeline for `target`: its socket options, TLS, and the
    /// session of the frontend's mode.
    static func initializeConnection(_ channel: Channel, target: ListenerSlot.Target) throws {
        let frontend = target.frontend
        let unixListenerID = target.unixListenerID
        // TCP keep-alives and Nagle mean nothing on a UNIX socket.
        try channel.configureProxiedSocket(
            keepAlive: frontend.clientKeepAlive && unixListenerID == nil, autoRead: true, noDelay: unixListenerID == nil
        )
        if let termination = target.termination {
            try channel.pipeline.syncOperations.addHandler(TLSAcceptHandler(termination: termination, acceptProxy: target.bind.acceptProxy))
        }
        if frontend.isHTTP {
            let session = HTTPSessionHandler(
                runtime: target.runtime, frontend: frontend, acceptProxy: target.sessionReadsProxyHeader,
                terminatesTLS: target.termination != nil, unixListenerID: unixListenerID, listener: target.listener)
            // `proto h2` on a plain bind: HTTP/2 with prior knowledge.
            session.startsHTTP2 = target.bind.proto == "h2"
            try channel.pipeline.syncOperations.addHandler(session)
        } else {
            try channel.pipeline.syncOperations.addHandler(
                TCPSessionHandler(
                    runtime: target.runtime, frontend: frontend, acceptProxy: target.sessionReadsProxyHeader,
                    terminatesTLS: target.termination != nil, unixListenerID: unixListenerID, listener: target.listener)
            )
        }
    }

    /// Gives a socket's bound address to its counters (`option socket-stats`).
    static func noteAddress(of channel: Channel, in listener: ListenerStats?) {
        if let listener, let bound = channel.localAddress {
            listener.address.withLockedValue { $0 = bound.statsText }
        }
    }

    /// Starts the checks of `runtime`'s servers. `previous`: the checkers of the configuration it
    /// replaces (a reload in place); a server that keeps its name goes on from its health there.
    func startHealthChecks(_ runtime: ProxyRuntime, continuing previous: [HealthChecker]) throws -> [HealthChecker] {
        let old = Dictionary(previous.map { ($0.server.qualifiedName, $0) }, uniquingKeysWith: { first, _ in first })
        var started: [HealthChecker] = []
        for backend in runtime.backends {
            for server in backend.servers where server.server.isChecked && !server.server.isDisabled {
                let checker = try HealthChecker(server: server, backend: backend, runtime: runtime, eventLoop: group.next())
                if let before = old[server.qualifiedName] { checker.continueFrom(before) }
                started.append(checker)
            }
        }
        // Spread the first checks over one interval so they do not all fire at once.
        for (index, checker) in started.enumerated() {
            let inter = checker.server.server.inter.milliseconds
            checker.start(initialDelay: .milliseconds(inter * Int64(index) / Int64(max(1, started.count))))
        }
        return started
    }

    /// Starts asking the name servers of every `resolvers` section some server uses.
    func startResolvers(_ runtime: ProxyRuntime) throws {
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
    func startPeers(_ runtime: ProxyRuntime, waitingForPreviousProcess: Bool) throws {
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
        listeners.withLockedValue { $0 }.filter { $0.frontendName == name }.compactMap { $0.channel?.localAddress }
    }

    /// Stops listening; established connections go on until they end (HAProxy's soft stop).
    public func stopListening() {
        runtime.listenersStopped.store(true, ordering: .relaxed)
        let closing = listeners.withLockedValue { listeners in
            defer { listeners = [] }
            return listeners
        }
        for listener in closing { listener.close() }
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
