import UsherConfig

/// The name resolutions of one `resolvers` section, without I/O: time and answers in, queries to
/// send and server address changes out. The driver sends the queries to every name server, feeds
/// back whatever arrives, and calls `tick` at `nextDeadline`.
///
/// As HAProxy does: a name is asked again every `hold valid` while its answers are valid, every
/// `timeout resolve` after a failure; one resolution sends up to `resolve_retries` queries,
/// `timeout retry` apart; after a failure (NXDOMAIN, refused, timeout, other) the servers keep
/// the last valid answer until `hold STATUS` has passed since it came, then lose their address
/// (the driver puts them in maintenance). A record missing from an answer stays `hold obsolete`.
/// Times are durations since an origin the caller picks.
public struct ResolverStateMachine: Sendable {
    /// What one server takes from DNS.
    public struct Slot: Sendable, Equatable {
        /// nil: no address, the server stays or goes in maintenance.
        public var address: IPAddress?
        /// From an SRV record; nil keeps the configured port.
        public var port: Int?
        /// From an SRV record's weight (unless `ignore-weight`).
        public var weight: Int?
        /// The SRV record's target this server stands for.
        public var target: String?

        public init(address: IPAddress? = nil, port: Int? = nil, weight: Int? = nil, target: String? = nil) {
            self.address = address
            self.port = port
            self.weight = weight
            self.target = target
        }
    }

    /// The servers that resolve one name together: a server line, or a `server-template`'s
    /// servers (which share out the addresses or SRV records of the answer).
    public struct Request: Sendable {
        public enum Kind: Sendable, Equatable {
            /// A/AAAA records: each server takes one address.
            case address
            /// SRV records: each server takes one record (target, port, weight).
            case service
        }

        public var name: String
        public var kind: Kind
        /// The caller's identifiers of the servers, in slot order.
        public var servers: [Int]
        public var prefer: ResolvePreference
        /// `resolve-net`: addresses in these networks are taken first, in this order.
        public var networks: [IPNetwork]
        /// `resolve-opts allow-dup-ip`
        public var allowDuplicates: Bool
        /// `resolve-opts ignore-weight`
        public var ignoreWeight: Bool
        /// The servers' addresses at start (from `init-addr`), nil for none.
        public var initialAddresses: [IPAddress?]

        public init(
            name: String, kind: Kind, servers: [Int], prefer: ResolvePreference = .ipv6, networks: [IPNetwork] = [],
            allowDuplicates: Bool = false, ignoreWeight: Bool = false, initialAddresses: [IPAddress?]? = nil
        ) {
            self.name = name.lowercased().hasSuffix(".") ? String(name.lowercased().dropLast()) : name.lowercased()
            self.kind = kind
            self.servers = servers
            self.prefer = prefer
            self.networks = networks
            self.allowDuplicates = allowDuplicates
            self.ignoreWeight = ignoreWeight
            self.initialAddresses = initialAddresses ?? Array(repeating: nil, count: servers.count)
        }
    }

    /// How the last resolution of a name ended (HAProxy's resolution statuses).
    public enum Status: String, Sendable, Equatable {
        case none
        case valid
        case nx = "NX"
        case refused
        case timeout
        case other

        /// HAProxy's words for the reason a server goes to maintenance.
        var maintenanceReason: String {
            switch self {
            case .nx: return "DNS NX status"
            case .refused: return "DNS refused status"
            case .timeout: return "DNS timeout status"
            case .other, .none: return "unspecified DNS error"
            case .valid: return "No IP for server"
            }
        }
    }

    public enum Action: Sendable, Equatable {
        /// Send this query to every name server.
        case send([UInt8])
        /// A server's address, port or weight changes (`slot.address == nil`: it has none now).
        case update(server: Int, slot: Slot, reason: String)
    }

    /// What the driver can count (for logs and tests): answers dropped and why.
    public struct Counters: Sendable, Equatable {
        public var sent = 0
        public var valid = 0
        public var unreadable = 0
        /// An ID no query is waiting for, or a question that is not the one asked.
        public var unexpected = 0
        public var errors = 0
        public var timeouts = 0
    }

    struct Item: Sendable, Equatable {
        var address: IPAddress?
        var port: Int?
        var weight: Int?
        var target: String?
        var lastSeen: Duration
    }

    struct Query: Sendable {
        var id: UInt16
        var type: DNSMessage.RecordType
        var triesLeft: Int
        var deadline: Duration
        var triedOtherFamily: Bool
    }

    struct Resolution: Sendable {
        var request: Request
        var slots: [Slot]
        var status = Status.none
        var lastValid: Duration
        var nextRun: Duration
        var query: Query?
        var items: [Item] = []
    }

    public let settings: Resolvers
    var resolutions: [Resolution] = []
    var randomState: UInt64
    public private(set) var counters = Counters()

    /// - Parameter seed: for query IDs (any value but 0 gives a different sequence).
    public init(settings: Resolvers, requests: [Request], now: Duration = .zero, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) {
        self.settings = settings
        self.randomState = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed
        resolutions = requests.map { request in
            Resolution(
                request: request, slots: request.initialAddresses.map { Slot(address: $0) }, lastValid: now, nextRun: now
            )
        }
    }

    /// When `tick` must next be called.
    public var nextDeadline: Duration? {
        resolutions.map { $0.query?.deadline ?? $0.nextRun }.min()
    }

    /// The server slots of every request, for inspection.
    public var slots: [Int: Slot] {
        var result: [Int: Slot] = [:]
        for resolution in resolutions {
            for (index, server) in resolution.request.servers.enumerated() { result[server] = resolution.slots[index] }
        }
        return result
    }

    /// The status of the resolution of `name`.
    public func status(of name: String) -> Status? {
        resolutions.first { $0.request.name == name.lowercased() }?.status
    }

    /// Starts the resolutions that are due and retries or gives up the queries that timed out.
    public mutating func tick(now: Duration) -> [Action] {
        var actions: [Action] = []
        for index in resolutions.indices {
            if var query = resolutions[index].query {
                guard now >= query.deadline else { continue }
                if query.triesLeft > 0 {
                    query.triesLeft -= 1
                    query.deadline = now + settings.timeoutRetry
                    resolutions[index].query = query
                    actions += send(index, query)
                } else {
                    counters.timeouts += 1
                    actions += finish(index, status: .timeout, now: now)
                }
            } else if now >= resolutions[index].nextRun {
                let type: DNSMessage.RecordType = resolutions[index].request.kind == .service ? .srv : preferredType(resolutions[index].request)
                let query = Query(id: nextID(), type: type, triesLeft: settings.resolveRetries - 1, deadline: now + settings.timeoutRetry, triedOtherFamily: false)
                resolutions[index].query = query
                actions += send(index, query)
            }
        }
        return actions
    }

    /// Reads a datagram from a name server.
    public mutating func receive(_ bytes: [UInt8], now: Duration) -> [Action] {
        let response: DNSMessage.Response
        switch DNSMessage.parseResponse(bytes) {
        case .success(let parsed): response = parsed
        case .failure:
            counters.unreadable += 1
            return []
        }
        guard let index = resolutions.firstIndex(where: { $0.query?.id == response.id }), var query = resolutions[index].query,
            response.questionName == resolutions[index].request.name, response.questionType == query.type.rawValue
        else {
            counters.unexpected += 1
            return []
        }
        let request = resolutions[index].request
        if response.isTruncated {
            counters.errors += 1
            return finish(index, status: .other, now: now)
        }
        let names = Self.aliases(of: request.name, in: response.answers)
        switch request.kind {
        case .address:
            let addresses = response.answers.compactMap { record -> IPAddress? in
                guard names.contains(record.name), case .address(let address) = record.data, Self.isUsable(address) else { return nil }
                return (query.type == .a) == address.isV4 ? address : nil
            }
            if addresses.isEmpty {
                if !query.triedOtherFamily {
                    // Nothing of the preferred family: ask for the other one before giving up.
                    query.triedOtherFamily = true
                    query.type = query.type == .a ? .aaaa : .a
                    query.id = nextID()
                    query.deadline = now + settings.timeoutRetry
                    resolutions[index].query = query
                    return send(index, query)
                }
                counters.errors += 1
                return finish(index, status: Self.errorStatus(response.responseCode), now: now)
            }
            counters.valid += 1
            let items = addresses.map { Item(address: $0, lastSeen: now) }
            return finish(index, status: .valid, items: items, now: now)
        case .service:
            guard response.responseCode == .noError else {
                counters.errors += 1
                return finish(index, status: Self.errorStatus(response.responseCode), now: now)
            }
            var items: [Item] = []
            for record in response.answers where names.contains(record.name) {
                guard case .service(_, let weight, let port, let target) = record.data, !target.isEmpty, port > 0 else { continue }
                guard !items.contains(where: { $0.target == target && $0.port == Int(port) }) else { continue }
                let address = Self.address(of: target, in: response.answers + response.additionals, request: request)
                let haproxyWeight = request.ignoreWeight ? nil : (Int(weight) + 255) / 256
                items.append(Item(address: address, port: Int(port), weight: haproxyWeight, target: target, lastSeen: now))
            }
            counters.valid += 1
            return finish(index, status: .valid, items: items, now: now)
        }
    }

    // MARK: - Inside

    func preferredType(_ request: Request) -> DNSMessage.RecordType {
        request.prefer == .ipv4 ? .a : .aaaa
    }

    func send(_ index: Int, _ query: Query) -> [Action] {
        guard let bytes = DNSMessage.query(id: query.id, name: resolutions[index].request.name, type: query.type, payloadSize: settings.acceptedPayloadSize) else {
            return []
        }
        return [.send(bytes)]
    }

    mutating func nextID() -> UInt16 {
        counters.sent += 1
        randomState ^= randomState << 13
        randomState ^= randomState >> 7
        randomState ^= randomState << 17
        return UInt16(truncatingIfNeeded: randomState >> 24)
    }

    /// The name and its CNAME chain (at most 16 links) as the answers give it.
    static func aliases(of name: String, in answers: [DNSMessage.Record]) -> Set<String> {
        var names: Set<String> = [name]
        var current = name
        for _ in 0..<16 {
            guard let next = answers.first(where: { record in
                if record.name == current, case .canonicalName = record.data { return true }
                return false
            }), case .canonicalName(let target) = next.data, names.insert(target).inserted else { break }
            current = target
        }
        return names
    }

    /// 0.0.0.0 and :: are never a server's address: HAProxy ignores such records too.
    static func isUsable(_ address: IPAddress) -> Bool {
        switch address {
        case .v4(let value): return value != 0
        case .v6(let high, let low): return high != 0 || low != 0
        }
    }

    static func errorStatus(_ code: DNSMessage.ResponseCode) -> Status {
        switch code {
        case .nameError: return .nx
        case .refused: return .refused
        case .noError, .other: return .other
        }
    }

    /// The address an SRV target has in the same response (additional section or answers).
    static func address(of target: String, in records: [DNSMessage.Record], request: Request) -> IPAddress? {
        let names = aliases(of: target, in: records)
        let candidates = records.compactMap { record -> IPAddress? in
            guard names.contains(record.name), case .address(let address) = record.data, isUsable(address) else { return nil }
            return address
        }
        return ranked(candidates, request: request).first
    }

    /// Addresses best first: in a `resolve-net` network (earlier networks first), then of the
    /// preferred family, then in the answer's order.
    static func ranked(_ addresses: [IPAddress], request: Request) -> [IPAddress] {
        func score(_ address: IPAddress) -> (Int, Int) {
            let network = request.networks.firstIndex { $0.contains(address) } ?? request.networks.count
            let family = (address.isV4 == (request.prefer == .ipv4)) ? 0 : 1
            return (network, family)
        }
        return addresses.enumerated().sorted { left, right in
            let (a, b) = (score(left.element), score(right.element))
            return a != b ? a < b : left.offset < right.offset
        }.map(\.element)
    }

    /// Ends the resolution in flight and works out what its servers take now.
    mutating func finish(_ index: Int, status: Status, items fresh: [Item] = [], now: Duration) -> [Action] {
        var resolution = resolutions[index]
        resolution.query = nil
        resolution.status = status
        var newSlots = resolution.slots
        if status == .valid {
            resolution.lastValid = now
            resolution.nextRun = now + settings.hold.valid
            // Items seen now, then those still within `hold obsolete` of when they were last seen.
            var items = fresh
            for old in resolution.items where !items.contains(where: { $0.sameRecord(as: old) }) && old.lastSeen + settings.hold.obsolete > now {
                items.append(old)
            }
            resolution.items = items
            newSlots = resolution.request.kind == .address
                ? Self.assignAddresses(items, to: resolution.slots, request: resolution.request)
                : Self.assignRecords(items, to: resolution.slots)
        } else {
            resolution.nextRun = now + settings.timeoutResolve
            if now >= resolution.lastValid + hold(for: status) {
                resolution.items = []
                newSlots = resolution.slots.map { _ in Slot() }
            }
        }
        var actions: [Action] = []
        for (slotIndex, slot) in newSlots.enumerated() where slot != resolution.slots[slotIndex] {
            let reason: String
            if slot.address == nil {
                reason = status == .valid ? Status.valid.maintenanceReason : status.maintenanceReason
            } else {
                // HAProxy's words for who changed the address.
                reason = resolution.request.kind == .service ? "DNS additional record" : "DNS cache"
            }
            actions.append(.update(server: resolution.request.servers[slotIndex], slot: slot, reason: reason))
        }
        resolution.slots = newSlots
        resolutions[index] = resolution
        return actions
    }

    func hold(for status: Status) -> Duration {
        switch status {
        case .nx: return settings.hold.nx
        case .refused: return settings.hold.refused
        case .timeout: return settings.hold.timeout
        case .other, .none: return settings.hold.other
        case .valid: return settings.hold.valid
        }
    }

    /// Each server keeps its address while the answer still has it; the others take the best
    /// address no other server of the request uses (any address with `allow-dup-ip`).
    static func assignAddresses(_ items: [Item], to slots: [Slot], request: Request) -> [Slot] {
        let available = ranked(items.compactMap(\.address), request: request)
        var taken: Set<IPAddress> = []
        var result = slots.map { slot -> Slot in
            guard let address = slot.address, available.contains(address) else { return Slot() }
            if !request.allowDuplicates {
                guard taken.insert(address).inserted else { return Slot() }
            }
            return Slot(address: address)
        }
        for index in result.indices where result[index].address == nil {
            let choice = request.allowDuplicates ? available.first : available.first { !taken.contains($0) }
            if let choice {
                taken.insert(choice)
                result[index] = Slot(address: choice)
            }
        }
        return result
    }

    /// Each server keeps the SRV record (target and port) it had while the answer still has it;
    /// new records go to servers that have none, in order; servers left over have no address.
    static func assignRecords(_ items: [Item], to slots: [Slot]) -> [Slot] {
        var remaining = items
        var result = slots.map { slot -> Slot? in
            guard let target = slot.target, let index = remaining.firstIndex(where: { $0.target == target && $0.port == slot.port }) else { return nil }
            let item = remaining.remove(at: index)
            return Slot(address: item.address, port: item.port, weight: item.weight, target: item.target)
        }
        for index in result.indices where result[index] == nil {
            guard !remaining.isEmpty else { break }
            let item = remaining.removeFirst()
            result[index] = Slot(address: item.address, port: item.port, weight: item.weight, target: item.target)
        }
        return result.map { $0 ?? Slot() }
    }
}

extension ResolverStateMachine.Item {
    func sameRecord(as other: Self) -> Bool {
        target != nil ? (target == other.target && port == other.port) : address == other.address
    }
}
