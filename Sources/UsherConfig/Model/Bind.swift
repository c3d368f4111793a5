/// One `bind` line (or one address of a 1.x `frontend NAME ADDR,ADDR` header).
public struct Bind: Sendable, Equatable {
    public var addresses: [Address]
    /// `accept-proxy`: the client must start with a PROXY protocol header.
    public var acceptProxy: Bool
    /// `v4v6` / `v6only`
    public var v6Only: Bool?
    /// `name`
    public var name: String?
    /// `backlog`
    public var backlog: Int?
    /// `mode`, `uid`/`user`, `gid`/`group`: applied to the socket file of each UNIX-path address.
    public var unixPermissions: UnixSocketPermissions
    public var location: SourceLocation

    public init(addresses: [Address], location: SourceLocation) {
        self.addresses = addresses
        self.acceptProxy = false
        self.v6Only = nil
        self.name = nil
        self.backlog = nil
        self.unixPermissions = UnixSocketPermissions()
        self.location = location
    }
}
