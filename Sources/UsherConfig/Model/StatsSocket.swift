/// The access level of a runtime API session (`stats socket … level`): what it may see and change.
public enum RuntimeAPILevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// Read-only, non-sensitive: `show info`, `show stat`, `get weight`…
    case user = 0
    /// Also `show sess`, `show env`, `clear counters`.
    case `operator` = 1
    /// Everything, state changes included.
    case admin = 2

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .user: return "user"
        case .operator: return "operator"
        case .admin: return "admin"
        }
    }
}

/// One `stats socket` line of the `global` section: where the runtime API listens and who may use it.
public struct StatsSocket: Sendable, Equatable {
    /// Where the socket listens.
    public enum Endpoint: Sendable, Equatable, CustomStringConvertible {
        /// A UNIX stream socket at a path (`/run/haproxy/admin.sock`, `unix@/path`).
        case unixPath(String)
        /// A TCP socket (`ipv4@127.0.0.1:9999`, `127.0.0.1:9999`).
        case tcp(host: String, port: Int)
        /// A listening socket the process was started with (`fd@N`): its file descriptor.
        case inherited(Int32)

        /// As `show cli sockets` names it.
        public var description: String {
            switch self {
            case .unixPath(let path): return "unix@\(path)"
            case .tcp(let host, let port): return host.contains(":") ? "ipv6@[\(host)]:\(port)" : "ipv4@\(host):\(port)"
            case .inherited(let descriptor): return "fd@\(descriptor)"
            }
        }
    }

    public var endpoint: Endpoint
    /// `mode`: the UNIX socket file's permission bits (octal in the configuration).
    public var mode: Int?
    /// `uid`, or `user` looked up while parsing: the socket file's owner.
    public var uid: Int?
    /// `user` as written.
    public var user: String?
    /// `gid`, or `group` looked up while parsing: the socket file's group.
    public var gid: Int?
    /// `group` as written.
    public var group: String?
    /// `level`: `user`, `operator`, or (the default) `admin`.
    public var level: RuntimeAPILevel
    /// `expose-fd listeners`: `_getsocks` on this socket hands every listening socket to the
    /// caller (a new process started with `-x`), for a reload without a moment of refused connections.
    public var exposesListeners = false
    public var location: SourceLocation

    public init(endpoint: Endpoint, level: RuntimeAPILevel = .admin, location: SourceLocation) {
        self.endpoint = endpoint
        self.level = level
        self.location = location
    }
}

/// The runtime API's settings from the `global` section.
public struct RuntimeAPISettings: Sendable, Equatable {
    /// Every `stats socket` line, in order.
    public var sockets: [StatsSocket] = []
    /// `stats timeout`: how long a runtime API session may stay idle (HAProxy's default is 10s).
    public var timeout: Duration?
    /// `stats maxconn`: how many runtime API sessions may be open at once (HAProxy's default is 10).
    public var maxConnections: Int?

    public init() {}

    /// The idle timeout in effect.
    public var effectiveTimeout: Duration { timeout ?? .seconds(10) }
    /// The connection limit in effect.
    public var effectiveMaxConnections: Int { maxConnections ?? 10 }
}
