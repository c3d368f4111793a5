import Atomics
import NIOConcurrencyHelpers
import NIOCore
import UsherConfig
import UsherRouting

/// The live state of one server: health and connection counts, shared by every event loop.
public final class ServerRuntime: Sendable {
    public let server: Server
    public let backendName: String
    /// Position in its backend.
    public let index: Int
    /// The server's number in its backend (`id`, else HAProxy's automatic numbering): stats `sid`,
    /// `srv_id`, where consistent hashing puts it.
    public let identifier: Int
    /// Passes its checks (always true for an unchecked server); a disabled server is never up.
    let up: ManagedAtomic<Bool>
    /// Connections open to this server now.
    let activeConnections: ManagedAtomic<Int>
    /// Traffic counters for the stats page, the runtime API and the exporter.
    public let counters: StatCounters
    /// What the checks and state changes left for the stats: last check, changes, downtime.
    let checkReport: NIOLockedValueBox<ServerCheckReport>
    /// `observe`: errors in a row seen in the server's traffic, and the checker to tell when they
    /// reach `error-limit` (held weakly: the checker holds the server).
    let observedErrors: ManagedAtomic<Int>
    let observer = WeakHealthChecker()
    /// Set by an operator (runtime API, stats page): ready, drain or maint. A server with
    /// `disabled` in the configuration starts in maint.
    let adminState: ManagedAtomic<UInt8>
    /// The weight in effect (`set server … weight` changes it; the configuration's is `server.weight`).
    let effectiveWeight: ManagedAtomic<Int>

    /// The server's address, resolved at start; its port is the client's destination port when the
    /// configuration gives none. `set server … addr` replaces it: new connections go to the new
    /// address, those under way stay where they are.
    private let currentAddress: NIOLockedValueBox<(address: SocketAddress, hasPort: Bool)>
    var address: SocketAddress { currentAddress.withLockedValue { $0.address } }
    var hasPort: Bool { currentAddress.withLockedValue { $0.hasPort } }
    /// `set maxconn server`: replaces the configuration's `maxconn` when not negative.
    let maxConnectionsOverride: ManagedAtomic<Int>
    /// Whether the configuration's address is 0.0.0.0 (the client's destination); `set server … addr`
    /// ends it.
    let followsClientDestination: ManagedAtomic<Bool>
    /// In maintenance because DNS gives it no address (HAProxy's RMAINT, "MAINT (resolution)"):
    /// `init-addr none`, a `server-template` slot no record fills, a name that stopped resolving.
    /// Kept apart from `adminState`, which is the operator's.
    let resolutionMaintenance: ManagedAtomic<Bool>
    /// The SRV record this server stands for (`server-template` with an SRV name), for the runtime API.
    let serviceTarget: NIOLockedValueBox<String?>
    /// The server's TLS, prepared when its traffic or checks use it (or a `default-server` said
    /// `ssl`, as HAProxy prepares it then too).
    let tls: ServerTLSContext?
    /// The TLS for its traffic (`ssl`), nil for a plain server: read on every connection, so kept
    /// here rather than worked out from the configuration each time.
    let trafficTLS: ServerTLSContext?
    /// The TLS for its health checks (`check-ssl`, or `ssl` checked on its own address and port).
    let checkTLS: ServerTLSContext?

    /// - Parameter checkNeedsTLS: the backend's check sequence has a `tcp-check connect ssl` step,
    ///   which needs the server's TLS settings even if its traffic is plain.
    /// - Parameter previous: the server of the same name and backend in the configuration this one
    ///   replaces (a reload in place). Its connection count, counters, health and check report, and
    ///   what an operator or DNS changed carry on: the address (unless the file changed it), the
    ///   admin state (unless `disabled` changed), the weight (unless `weight` changed), `set maxconn`.
    init(
        server: Server, backendName: String, index: Int, identifier: Int? = nil, globalTLS: GlobalTLSSettings = GlobalTLSSettings(), checkNeedsTLS: Bool = false,
        previous: ServerRuntime? = nil
    ) throws {
        self.server = server
        self.identifier = identifier ?? index + 1
        do {
            tls = server.preparesTLS || (checkNeedsTLS && server.isChecked) ? try ServerTLSContext(settings: server.tlsSettings(global: globalTLS)) : nil
        } catch {
            throw ServerTLSSetupError("server '\(backendName)/\(server.name)' at \(server.location): \(error.description)")
        }
        trafficTLS = server.usesTLS ? tls : nil
        checkTLS = server.checksUseTLS ? tls : nil
        self.backendName = backendName
        self.index = index
        activeConnections = previous?.activeConnections ?? ManagedAtomic(0)
        counters = previous?.counters ?? StatCounters()
        observedErrors = previous?.observedErrors ?? ManagedAtomic(0)
        maxConnectionsOverride = previous?.maxConnectionsOverride ?? ManagedAtomic(-1)
        cameUpAt = previous?.cameUpAt ?? ManagedAtomic(0)
        if let previous, previous.server.address == server.address, previous.server.options.initAddr == server.options.initAddr {
            // Where it is now (`set server addr`, DNS) rather than where the file first put it.
            currentAddress = previous.currentAddress
            resolutionMaintenance = previous.resolutionMaintenance
            followsClientDestination = previous.followsClientDestination
            serviceTarget = previous.serviceTarget
        } else {
            // A UNIX socket has no port to take from the client's destination.
            let initial = try ServerAddressBook.initialAddress(of: server)
            self.currentAddress = NIOLockedValueBox((
                initial ?? ServerAddressBook.placeholder(for: server), server.address.ports != nil || server.address.unixSocket != nil
            ))
            self.resolutionMaintenance = ManagedAtomic(initial == nil)
            self.followsClientDestination = ManagedAtomic(server.address.host == nil && server.address.unixSocket == nil)
            serviceTarget = NIOLockedValueBox(nil)
        }
        if let previous, previous.server.isDisabled == server.isDisabled {
            up = previous.up
            adminState = previous.adminState
        } else {
            self.up = ManagedAtomic(!server.isDisabled)
            self.adminState = ManagedAtomic(server.isDisabled ? ServerAdminState.maintenance.rawValue : ServerAdminState.ready.rawValue)
        }
        if let previous, previous.server.weight == server.weight {
            effectiveWeight = previous.effectiveWeight
        } else {
            self.effectiveWeight = ManagedAtomic(server.weight)
        }
        if let previous, previous.server.isDisabled == server.isDisabled, previous.server.rise == server.rise, previous.server.fall == server.fall {
            checkReport = previous.checkReport
        } else {
            self.checkReport = NIOLockedValueBox(ServerCheckReport(startsUp: !server.isDisabled, rise: server.rise, fall: server.fall))
        }
    }

    /// Ready, draining or in maintenance, as an operator set it.
    public var admin: ServerAdminState { ServerAdminState(rawValue: adminState.load(ordering: .relaxed)) ?? .ready }

    public var weight: Int {
        let weight = effectiveWeight.load(ordering: .relaxed)
        guard weight > 0, let share = slowStartShare() else { return weight }
        return max(1, weight * share / 100)
    }

    public var name: String { server.name }

    /// Where to connect for a client that came in on `clientDestination`:`clientDestinationPort`.
    /// A server at 0.0.0.0 (or `*`) goes to the address the client connected to, as HAProxy does.
    func connectAddress(clientDestinationPort: Int, clientDestination: IPAddress? = nil) -> SocketAddress {
        let (address, hasPort) = currentAddress.withLockedValue { $0 }
        var copy = address
        if followsClientDestination.load(ordering: .relaxed), let clientDestination,
            let destination = try? SocketAddress(ipAddress: clientDestination.description, port: copy.port ?? 0)
        {
            copy = destination
        }
        if !hasPort { copy.port = clientDestinationPort }
        return copy
    }

    /// Sends new connections to `address` (`set server … addr`); `hasPort` false keeps taking the
    /// port from the client's destination.
    func changeAddress(to address: SocketAddress, hasPort: Bool) {
        currentAddress.withLockedValue { $0 = (address, hasPort) }
        followsClientDestination.store(false, ordering: .relaxed)
    }

    /// The connection limit in effect, 0 for none; during a `slowstart` it grows with the weight.
    var maxConnections: Int {
        let limit = configuredMaxConnections
        guard limit > 0, let share = slowStartShare() else { return limit }
        return max(1, limit * share / 100)
    }

    /// The limit set by the configuration or `set maxconn server`, 0 for none.
    var configuredMaxConnections: Int {
        let override = maxConnectionsOverride.load(ordering: .relaxed)
        return override >= 0 ? override : server.options.maxconn ?? 0
    }

    /// The weight set by the configuration, `set server … weight` or DNS, without `slowstart`.
    public var userWeight: Int { effectiveWeight.load(ordering: .relaxed) }

    /// When the server last came back up after being seen down (monotonic milliseconds; 0: never).
    let cameUpAt: ManagedAtomic<Int64>

    /// During `slowstart` after coming back up: the share of its weight and `maxconn` in force
    /// (1 to 99 percent, growing linearly as HAProxy's); nil when it runs at full speed.
    func slowStartShare() -> Int? {
        guard let slowStart = server.options.slowStart, slowStart > .zero else { return nil }
        let since = cameUpAt.load(ordering: .relaxed)
        guard since > 0 else { return nil }
        let elapsed = Self.nowMilliseconds() - since
        let total = slowStart.milliseconds
        guard elapsed < total else { return nil }
        return Int(max(1, min(99, elapsed * 100 / max(1, total))))
    }

    static func nowMilliseconds() -> Int64 {
        Int64(NIODeadline.now().uptimeNanoseconds / 1_000_000)
    }
    /// Passes its checks and is not in maintenance: it may take connections (a draining server
    /// only from persistent clients).
    public var isUp: Bool { up.load(ordering: .relaxed) && admin != .maintenance && !inResolutionMaintenance }
    /// No address from DNS (HAProxy's RMAINT).
    public var inResolutionMaintenance: Bool { resolutionMaintenance.load(ordering: .relaxed) }
    public var currentConnections: Int { activeConnections.load(ordering: .relaxed) }

    /// `backend/server`, as HAProxy names servers in messages.
    public var qualifiedName: String { "\(backendName)/\(server.name)" }
}

extension ServerRuntime {
    /// The PROXY protocol header this server wants first on a connection for `connection`
    /// (`send-proxy`, `send-proxy-v2`), or nil.
    /// `uniqueID`: the stream's, for `proxy-v2-options unique-id`.
    func proxyProtocolHeader(for connection: ConnectionInfo, uniqueID: String? = nil) -> [UInt8]? {
        let version = server.proxyProtocol
        guard version != .none else { return nil }
        guard let source = connection.source, let destination = connection.destination else {
            // A client without IP addresses (UNIX socket): HAProxy's header for "unknown".
            return version == .v2 ? ProxyProtocolHeader.localV2 : ProxyProtocolHeader.unknownV1
        }
        var header = ProxyProtocolHeader(
            source: source, sourcePort: connection.sourcePort,
            destination: destination, destinationPort: connection.destinationPort
        )
        guard version == .v2 else { return header.encodeV1() }
        let options = server.options.proxyV2Options ?? []
        if options.contains(.authority) {
            let forwarded = connection.proxyFields.first { $0.type == ProxyProtocolHeader.Field.authority }?.value
            if let authority = forwarded ?? connection.tls?.serverName.map({ Array($0.utf8) }) {
                header.fields.append(ProxyProtocolHeader.Field(type: ProxyProtocolHeader.Field.authority, value: authority))
            }
        }
        if options.contains(.uniqueID), let uniqueID, !uniqueID.isEmpty {
            header.fields.append(ProxyProtocolHeader.Field(type: ProxyProtocolHeader.Field.uniqueID, value: Array(uniqueID.utf8.prefix(128))))
        }
        return header.encodeV2(checksum: options.contains(.crc32c))
    }

    /// The PROXY header it is sent carries something of one stream (its unique ID): its connections
    /// serve one request each.
    var proxyHeaderIsPerStream: Bool {
        server.proxyProtocol == .v2 && server.options.proxyV2Options?.contains(.uniqueID) == true
    }
}

/// A checker a server's traffic reports to, without keeping it alive.
final class WeakHealthChecker: Sendable {
    private let box = NIOLockedValueBox<HealthCheckerReference>(HealthCheckerReference())

    var checker: HealthChecker? {
        get { box.withLockedValue { $0.checker } }
        set { box.withLockedValue { $0.checker = newValue } }
    }
}

struct HealthCheckerReference: @unchecked Sendable {
    weak var checker: HealthChecker?
}

extension ServerRuntime {
    /// `observe layer4|layer7`: one connection (or, in layer 7, one response) to the server went
    /// well or not. `error-limit` failures in a row apply the server's `on-error` mode.
    func observe(success: Bool) {
        guard server.observe != .none, server.isChecked else { return }
        guard !success else {
            if observedErrors.load(ordering: .relaxed) != 0 { observedErrors.store(0, ordering: .relaxed) }
            return
        }
        let count = observedErrors.wrappingIncrementThenLoad(ordering: .relaxed)
        guard count >= server.errorLimit else { return }
        observedErrors.store(0, ordering: .relaxed)
        observer.checker?.observedErrorLimitReached()
    }
}
