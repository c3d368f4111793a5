/// A whole configuration: the global section and every proxy, in the order they were declared, with
/// `defaults` applied.
public struct Configuration: Sendable, Equatable {
    public var global: GlobalSettings
    public var proxies: [Proxy]
    /// `peers` sections, in order.
    public var peers: [PeersSection] = []
    /// This instance's name in `peers` sections: `-L`, else `localpeer`, else the host name (nil
    /// when the parser was given neither a name nor the host name).
    public var localPeerName: String?
    /// The `userlist` sections, in order (each name once).
    public var userlists: [Userlist] = []
    /// The `resolvers` sections, in order.
    public var resolvers: [Resolvers]

    public init(global: GlobalSettings = GlobalSettings(), proxies: [Proxy] = [], resolvers: [Resolvers] = []) {
        self.global = global
        self.proxies = proxies
        self.resolvers = resolvers
    }

    public var frontends: [Proxy] { proxies.filter { $0.kind.hasFrontendCapability } }
    public var backends: [Proxy] { proxies.filter { $0.kind.hasBackendCapability } }

    /// Every stick table: the proxies' (named after them) and the `peers` sections' (`SECTION/NAME`).
    public var stickTables: [StickTableDefinition] {
        proxies.compactMap(\.stickTable) + peers.flatMap(\.tables)
    }

    /// The `userlist` section of that name.
    public func userlist(named name: String) -> Userlist? {
        userlists.first { $0.name == name }
    }

    /// The proxy with backend capability of that name.
    public func backend(named name: String) -> Proxy? {
        proxies.first { $0.name == name && $0.kind.hasBackendCapability }
    }
}
