/// The settings a proxy may inherit from a `defaults` section. `nil` (or absent) means "not said", so
/// the proxy's own value wins over its defaults' and the defaults' over HAProxy's built-in default.
public struct ProxySettings: Sendable, Equatable {
    public var mode: ProxyMode?
    public var timeouts = Timeouts()
    /// `option NAME` / `no option NAME`, for options without arguments, by name.
    public var options: [String: OptionSetting] = [:]
    public var forwardFor: ForwardFor?
    /// The proxy's `log` lines. `nil` means none were given (defaults' apply).
    public var logTargets: [LogTarget]?
    /// `log global` was given.
    public var usesGlobalLog: Bool?
    public var maxconn: Int?
    /// `backlog`: the listen queue of `bind` lines that do not set their own.
    public var backlog: Int?
    public var retries: Int?
    public var balance: BalanceAlgorithm?
    /// `hash-type`
    public var hashType: HashType?
    /// `hash-balance-factor N`: with consistent hashing, no server takes more than N% of the
    /// average load (0: no bound).
    public var hashBalanceFactor: Int?
    public var defaultBackend: String?
    public var defaultBackendLocation: SourceLocation?
    public var cookie: CookiePersistence?
    public var defaultServer = ServerOptions()
    public var inspectDelay: Duration?
    /// `log-format`: replaces `option tcplog`/`option httplog` (and is replaced by them).
    public var logFormat: LogFormat?
    /// `option httplog clf`: the HTTP log line in Common Log Format. Cleared by `option httplog`.
    public var httpLogIsCLF = false
    /// `errorfile`, `errorloc`, `errorloc302`, `errorloc303`, by the status they replace.
    public var errorFiles: [Int: ErrorFile] = [:]
    /// `errorfiles NAME [CODE…]`, in order: imported from `http-errors` sections once the whole
    /// file is read (an import replaces the `errorfile` lines written before it).
    public var errorFileImports: [ErrorFileImport] = []
    /// `option httpchk` and `http-check` lines (see `HTTPCheck` for how they inherit).
    public var httpCheck: HTTPCheck?
    /// `tcp-check` lines, in order (inherited from `defaults` as a whole: a section's first
    /// `tcp-check` line starts its own list). They run with `option tcp-check`.
    public var tcpCheckRules: [TCPCheckRule] = []
    /// The arguments of `option mysql-check|pgsql-check|redis-check|smtpchk|ldap-check`, the last
    /// one given; it runs while that option is the one in effect.
    public var protocolCheck: ProtocolCheck?
    /// `http-reuse`; HAProxy's default is `safe`.
    public var httpReuse: HTTPReuse?
    /// `unique-id-format`
    public var uniqueIDFormat: LogFormat?
    /// `unique-id-header NAME`: the request header that carries the unique ID to the server.
    public var uniqueIDHeader: String?
    /// `compression …` lines: nil when there are none.
    public var compression: HTTPCompression?
    /// `monitor-uri URI`: requests for it are answered by usher (200, or 503 on `monitor fail`)
    /// before any `http-request` rule. A value starting with `/` is compared with the path.
    public var monitorURI: String?
    /// The statistics page (`stats …` lines), nil when off.
    public var stats: StatsPageSettings?

    public init() {}

    /// Whether `option NAME` is in effect.
    public func isEnabled(_ option: String) -> Bool {
        options[option]?.enabled ?? false
    }
}

/// One `option NAME` or `no option NAME` line.
public struct OptionSetting: Sendable, Equatable {
    public var enabled: Bool
    public var location: SourceLocation

    public init(enabled: Bool, location: SourceLocation) {
        self.enabled = enabled
        self.location = location
    }
}
