/// The options a `server` or `default-server` line can set. `nil` means "not said here", so a server
/// line's options fill in over its backend's `default-server`.
public struct ServerOptions: Sendable, Equatable {
    public var weight: Int?
    public var backup: Bool?
    public var disabled: Bool?
    public var maxconn: Int?
    public var check: Bool?
    public var inter: Duration?
    public var fastinter: Duration?
    public var downinter: Duration?
    public var rise: Int?
    public var fall: Int?
    public var checkPort: Int?
    public var checkAddress: String?
    public var cookie: String?
    public var sendProxy: ProxyProtocolVersion?

    public init() {}

    /// Fills every unset value from `defaults`.
    func inheriting(_ defaults: ServerOptions) -> ServerOptions {
        ServerOptions(
            weight: weight ?? defaults.weight, backup: backup ?? defaults.backup, disabled: disabled ?? defaults.disabled,
            maxconn: maxconn ?? defaults.maxconn, check: check ?? defaults.check,
            inter: inter ?? defaults.inter, fastinter: fastinter ?? defaults.fastinter, downinter: downinter ?? defaults.downinter,
            rise: rise ?? defaults.rise, fall: fall ?? defaults.fall, checkPort: checkPort ?? defaults.checkPort,
            checkAddress: checkAddress ?? defaults.checkAddress, cookie: cookie ?? defaults.cookie,
            sendProxy: sendProxy ?? defaults.sendProxy
        )
    }

    private init(
        weight: Int?, backup: Bool?, disabled: Bool?, maxconn: Int?, check: Bool?, inter: Duration?,
        fastinter: Duration?, downinter: Duration?, rise: Int?, fall: Int?, checkPort: Int?, checkAddress: String?,
        cookie: String?, sendProxy: ProxyProtocolVersion?
    ) {
        self.weight = weight
        self.backup = backup
        self.disabled = disabled
        self.maxconn = maxconn
        self.check = check
        self.inter = inter
        self.fastinter = fastinter
        self.downinter = downinter
        self.rise = rise
        self.fall = fall
        self.checkPort = checkPort
        self.checkAddress = checkAddress
        self.cookie = cookie
        self.sendProxy = sendProxy
    }
}

/// Which PROXY protocol header a server connection starts with.
public enum ProxyProtocolVersion: Int, Sendable, Equatable {
    /// No header (`no-send-proxy`).
    case none = 0
    /// The text header (`send-proxy`).
    case v1 = 1
    /// The binary header (`send-proxy-v2`).
    case v2 = 2
}

/// A `server NAME ADDRESS [OPTIONS]` line, with its `default-server` settings already applied.
public struct Server: Sendable, Equatable {
    public var name: String
    public var address: Address
    public var options: ServerOptions
    public var location: SourceLocation

    public init(name: String, address: Address, options: ServerOptions, location: SourceLocation) {
        self.name = name
        self.address = address
        self.options = options
        self.location = location
    }

    /// Defaults HAProxy applies when nothing is said.
    public var weight: Int { options.weight ?? 1 }
    public var isBackup: Bool { options.backup ?? false }
    public var isDisabled: Bool { options.disabled ?? false }
    public var isChecked: Bool { options.check ?? false }
    public var rise: Int { options.rise ?? 2 }
    public var fall: Int { options.fall ?? 3 }
    public var inter: Duration { options.inter ?? .seconds(2) }
    public var fastinter: Duration { options.fastinter ?? inter }
    public var downinter: Duration { options.downinter ?? inter }
    public var proxyProtocol: ProxyProtocolVersion { options.sendProxy ?? .none }
}
