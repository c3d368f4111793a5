/// A `frontend`, `backend` or `listen` section, complete: its `defaults` are already applied.
public struct Proxy: Sendable, Equatable {
    public var name: String
    public var kind: ProxyKind
    public var location: SourceLocation
    public var settings: ProxySettings
    public var binds: [Bind] = []
    public var acls: [ACLDefinition] = []
    public var tcpRequestRules: [TCPRequestRule] = []
    public var useBackendRules: [UseBackendRule] = []
    public var useServerRules: [UseServerRule] = []
    /// `http-request` rules, in order. Not inherited from `defaults` (usher refuses them there).
    public var httpRequestRules: [HTTPRequestRule] = []
    /// `http-response` rules, in order.
    public var httpResponseRules: [HTTPResponseRule] = []
    /// `http-after-response` rules, in order: on every response, the proxy's own ones included.
    public var httpAfterResponseRules: [HTTPResponseRule] = []
    /// Standalone `redirect` lines, in order: evaluated after every `http-request` rule.
    public var redirectRules: [HTTPRequestRule] = []
    /// `capture request header`, in declaration order (the log's order).
    public var requestHeaderCaptures: [HeaderCapture] = []
    /// `capture response header`, in declaration order.
    public var responseHeaderCaptures: [HeaderCapture] = []
    public var servers: [Server] = []
    /// `stick-table …`: the proxy's own table, which rules name by the proxy's name.
    public var stickTable: StickTableDefinition?
    /// `stick match|on|store-request|store-response` rules, in order (`stick on` is a match and a
    /// store-request).
    public var stickRules: [StickRule] = []
    /// `disabled` in the section.
    public var isDisabled = false
    /// Names of `acl` lines refused with an alert: a rule that uses one is not reported again.
    public var refusedACLNames: Set<String> = []
    /// Whether a `bind` line was refused with an alert (so "has no bind line" would only repeat it).
    public var hasRefusedBind = false

    public init(name: String, kind: ProxyKind, location: SourceLocation, settings: ProxySettings) {
        self.name = name
        self.kind = kind
        self.location = location
        self.settings = settings
    }

    /// `mode`, defaulting to tcp as HAProxy does.
    public var mode: ProxyMode { settings.mode ?? .tcp }
    /// `retries`, default 3.
    public var retries: Int { settings.retries ?? 3 }
    /// `balance`, default roundrobin.
    public var balance: BalanceAlgorithm { settings.balance ?? .roundRobin }
    public var hashType: HashType { settings.hashType ?? .default }

    /// Each server's number, in declaration order: its `id`, else the lowest number no server has
    /// taken yet counting from its position, as HAProxy numbers them.
    public var serverNumbers: [Int] {
        let taken = Set(servers.compactMap(\.options.identifier))
        var used = taken
        var next = 1
        return servers.map { server in
            defer { next += 1 }
            if let identifier = server.options.identifier { return identifier }
            while used.contains(next) { next += 1 }
            used.insert(next)
            return next
        }
    }
    public var hashBalanceFactor: Int { settings.hashBalanceFactor ?? 0 }
    /// The log lines in effect: the proxy's own, plus the global ones when `log global` is given.
    public func effectiveLogTargets(global: GlobalSettings) -> [LogTarget] {
        var targets = settings.logTargets ?? []
        if settings.usesGlobalLog == true { targets = global.logTargets + targets }
        return targets
    }
}
