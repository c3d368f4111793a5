/// One way of finding a server's first address (`init-addr`), tried in the order written.
public enum InitAddrMethod: Sendable, Equatable {
    /// The address the server had before a reload (`server-state-file`): usher keeps no state
    /// file, so this method never finds one.
    case last
    /// The system resolver (getaddrinfo).
    case libc
    /// No address: the server starts in maintenance until DNS gives it one.
    case none
    /// This IP address.
    case ip(String)
}

/// `resolve-prefer ipv4|ipv6`: the family asked first and kept when an answer has both.
public enum ResolvePreference: String, Sendable, Equatable {
    case ipv4
    case ipv6
}

/// `resolve-opts allow-dup-ip,ignore-weight,prevent-dup-ip`.
public struct ResolveOptions: Sendable, Equatable {
    /// Two servers of a backend may take the same address from DNS (`allow-dup-ip`; the default
    /// `prevent-dup-ip` gives each its own).
    public var allowDuplicateAddresses = false
    /// SRV weights do not change servers' weights.
    public var ignoreWeight = false

    public init() {}
}

/// Where a server line came from when `server-template` made it.
public struct ServerTemplateOrigin: Sendable, Equatable {
    /// `PREFIX` in `server-template PREFIX NUM FQDN`.
    public var prefix: String
    /// The name every server of the template resolves (an SRV name starts with `_`).
    public var fqdn: String
    /// 1-based number of this server in the template's range.
    public var number: Int

    public init(prefix: String, fqdn: String, number: Int) {
        self.prefix = prefix
        self.fqdn = fqdn
        self.number = number
    }
}
