import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import UsherConfig
import UsherRouting

/// The name servers of one `resolvers` section, asked over UDP: runs its `ResolverStateMachine`
/// on one event loop and applies what it decides to the servers (address, port, weight, and
/// maintenance while DNS gives no address).
final class ResolverService: Sendable {
    let resolvers: Resolvers
    let eventLoop: EventLoop
    let runtime: ProxyRuntime
    /// The servers the machine's requests name, by identifier.
    let targets: [(backend: BackendRuntime, server: ServerRuntime)]
    /// The name servers' addresses; answers from anywhere else are dropped.
    let nameservers: [SocketAddress]
    private let origin = NIODeadline.now()
    private let state: NIOLockedValueBox<State>

    struct State {
        var machine: ResolverStateMachine
        var channels: [Channel] = []
        var timer: Scheduled<Void>?
        var stopped = false
    }

    /// Prepares the resolutions of every server of `runtime` that names this section; nil when
    /// none does.
    init?(resolvers: Resolvers, runtime: ProxyRuntime, eventLoop: EventLoop) {
        var targets: [(backend: BackendRuntime, server: ServerRuntime)] = []
        var requests: [ResolverStateMachine.Request] = []
        for backend in runtime.backends {
            // The servers of one `server-template` line share its answers; any other server resolves alone.
            var groups: [String: [ServerRuntime]] = [:]
            var order: [String] = []
            for server in backend.servers {
                guard server.server.options.resolvers == resolvers.name, server.server.resolvedName != nil else { continue }
                let key = server.server.template.map { "\($0.prefix)@\(server.server.location)" } ?? "server:\(server.name)"
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(server)
            }
            for key in order {
                let servers = groups[key]!
                let config = servers[0].server
                var ids: [Int] = []
                for server in servers {
                    ids.append(targets.count)
                    targets.append((backend, server))
                }
                let options = config.options.resolveOptions ?? ResolveOptions()
                requests.append(ResolverStateMachine.Request(
                    name: config.resolvedName!, kind: config.isSRV ? .service : .address, servers: ids, prefer: config.resolvePrefer,
                    networks: (config.options.resolveNetworks ?? []).compactMap { IPNetwork($0) },
                    allowDuplicates: options.allowDuplicateAddresses, ignoreWeight: options.ignoreWeight,
                    initialAddresses: servers.map { server in
                        server.inResolutionMaintenance ? nil : server.address.ipAddress.flatMap { IPAddress($0) }
                    }
                ))
            }
        }
        guard !requests.isEmpty else { return nil }
        self.resolvers = resolvers
        self.runtime = runtime
        self.eventLoop = eventLoop
        self.targets = targets
        self.nameservers = resolvers.nameservers.compactMap { try? SocketAddress(ipAddress: $0.host, port: $0.port) }
        // Query IDs from the clock: unpredictable enough across restarts, fixed by the machine after.
        let seed = UInt64(truncatingIfNeeded: NIODeadline.now().uptimeNanoseconds) | 1
        state = NIOLockedValueBox(State(machine: ResolverStateMachine(settings: resolvers, requests: requests, seed: seed)))
    }

    private var now: Duration { .nanoseconds((NIODeadline.now() - origin).nanoseconds) }

    /// Opens one UDP socket per address family the name servers use, then sends the first queries.
    func start() throws {
        let size = max(512, resolvers.acceptedPayloadSize)
        var channels: [Channel] = []
        for family in Set(nameservers.map { $0.protocol == .inet6 }) {
            let channel = try DatagramBootstrap(group: eventLoop)
                // A datagram larger than the buffer is cut short, and then refused as truncated.
                .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: size))
                .channelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ResolverAnswerHandler(service: self))
                    }
                }
                .bind(host: family ? "::" : "0.0.0.0", port: 0).wait()
            channels.append(channel)
        }
        state.withLockedValue { $0.channels = channels }
        eventLoop.execute { self.run { machine, now in machine.tick(now: now) } }
    }

    func stop() {
        let channels = state.withLockedValue { state -> [Channel] in
            state.stopped = true
            state.timer?.cancel()
            return state.channels
        }
        for channel in channels { try? channel.close().wait() }
    }

    /// An answer from `sender`; only the name servers' are read.
    func received(_ bytes: [UInt8], from sender: SocketAddress) {
        guard nameservers.contains(where: { $0 == sender }) else { return }
        run { machine, now in machine.receive(bytes, now: now) }
    }

    /// Feeds the machine on the event loop, carries out its actions and sets the next timer.
    private func run(_ step: @escaping (inout ResolverStateMachine, Duration) -> [ResolverStateMachine.Action]) {
        eventLoop.assertInEventLoop()
        let now = self.now
        let (actions, channels, deadline) = state.withLockedValue { state -> ([ResolverStateMachine.Action], [Channel], Duration?) in
            guard !state.stopped else { return ([], [], nil) }
            var actions = step(&state.machine, now)
            // Whatever fell due meanwhile goes too.
            actions += state.machine.tick(now: now)
            return (actions, state.channels, state.machine.nextDeadline)
        }
        for action in actions {
            switch action {
            case .send(let bytes):
                for nameserver in nameservers {
                    guard let channel = channels.first(where: { ($0.localAddress?.protocol == .inet6) == (nameserver.protocol == .inet6) }) else { continue }
                    let envelope = AddressedEnvelope(remoteAddress: nameserver, data: channel.allocator.buffer(bytes: bytes))
                    channel.writeAndFlush(envelope, promise: nil)
                }
            case .update(let id, let slot, let reason):
                apply(slot, to: targets[id].server, in: targets[id].backend, reason: reason)
            }
        }
        guard let deadline else { return }
        let delay = TimeAmount.nanoseconds(max(1_000_000, Int64((deadline - now) / .nanoseconds(1))))
        state.withLockedValue { state in
            guard !state.stopped else { return }
            state.timer?.cancel()
            state.timer = eventLoop.scheduleTask(in: delay) { [self] in
                self.run { machine, now in machine.tick(now: now) }
            }
        }
    }

    /// Gives a server what DNS said, in HAProxy's words for the logs.
    func apply(_ slot: ResolverStateMachine.Slot, to server: ServerRuntime, in backend: BackendRuntime, reason: String) {
        server.serviceTarget.withLockedValue { $0 = slot.target }
        guard let address = slot.address else {
            guard !server.resolutionMaintenance.exchange(true, ordering: .relaxed) else { return }
            server.checkReport.withLockedValue { $0.stateChanged(up: false) }
            let (active, backup) = backend.upCounts
            backend.stateReport.withLockedValue { $0.observe(isUp: active + backup > 0) }
            runtime.event(
                "Server \(server.qualifiedName) is going DOWN for maintenance (\(reason)). \(active) active and \(backup) backup servers left. "
                    + "\(server.currentConnections) sessions active, 0 requeued, \(backend.queueLength) remaining in queue.",
                level: .alert, backend: backend
            )
            return
        }
        let previous = server.address
        let wasInMaintenance = server.inResolutionMaintenance
        let port = slot.port ?? previous.port ?? server.server.address.ports?.lowerBound ?? 0
        if let next = try? SocketAddress(ipAddress: address.description, port: port),
            wasInMaintenance || next.ipAddress != previous.ipAddress || next.port != previous.port
        {
            server.changeAddress(to: next, hasPort: slot.port != nil || server.hasPort)
            let before = wasInMaintenance ? "(none)" : previous.ipAddress ?? "?"
            runtime.event("\(server.qualifiedName) changed its IP from \(before) to \(address) by \(reason).", level: .warning, backend: backend)
        }
        if let weight = slot.weight {
            server.effectiveWeight.store(min(256, weight), ordering: .relaxed)
        }
        if wasInMaintenance {
            server.resolutionMaintenance.store(false, ordering: .relaxed)
            server.checkReport.withLockedValue { $0.stateChanged(up: server.up.load(ordering: .relaxed)) }
            let (active, backup) = backend.upCounts
            backend.stateReport.withLockedValue { $0.observe(isUp: active + backup > 0) }
            let name = server.server.isSRV ? slot.target ?? "" : server.server.resolvedName ?? ""
            runtime.event("Server \(server.qualifiedName) ('\(name)') is UP/READY (resolves again).", level: .warning, backend: backend)
        }
        backend.serveQueue()
    }
}

/// Hands each datagram from a name server to its service.
final class ResolverAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let service: ResolverService

    init(service: ResolverService) {
        self.service = service
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var buffer = envelope.data
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        service.received(bytes, from: envelope.remoteAddress)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // An ICMP "port unreachable" from a name server that is down: the retry timer handles it.
    }
}

@available(*, unavailable)
extension ResolverAnswerHandler: Sendable {}
