/// The options a `server` or `default-server` line can set. `nil` means "not said here", so a server
/// line's options fill in over its backend's `default-server`.
public struct ServerOptions: Sendable, Equatable {
    public var weight: Int?
    /// `id N`: the server's number in its backend (stats `sid`, `srv_id`, consistent hashing).
    public var identifier: Int?
    public var backup: Bool?
    public var disabled: Bool?
    public var maxconn: Int?
    /// `maxqueue N`: at most N connections wait for this server when it is full (0: no limit).
    public var maxqueue: Int?
    public var check: Bool?
    public var inter: Duration?
    public var fastinter: Duration?
    /// `slowstart`: after coming back up, the server's weight and `maxconn` grow from nothing to
    /// full over this time.
    public var slowStart: Duration?
    public var downinter: Duration?
    public var rise: Int?
    public var fall: Int?
    public var checkPort: Int?
    public var checkAddress: String?
    public var cookie: String?
    public var sendProxy: ProxyProtocolVersion?
    /// `proxy-v2-options …`: the fields a version 2 PROXY header carries.
    public var proxyV2Options: Set<ProxyV2Option>?
    /// `on-marked-down`, `on-marked-up`, `on-error`, `observe`, `error-limit`.
    public var onMarkedDown: MarkedDownAction?
    public var onMarkedUp: MarkedUpAction?
    public var onError: ObservedErrorAction?
    public var observe: ObserveMode?
    public var errorLimit: Int?
    /// `resolvers NAME`: the section whose name servers keep the address up to date.
    public var resolvers: String?
    /// `resolve-prefer ipv4|ipv6` (HAProxy's default: ipv6).
    public var resolvePrefer: ResolvePreference?
    /// `resolve-opts …`
    public var resolveOptions: ResolveOptions?
    /// `resolve-net NET[,NET…]`: addresses in these networks are preferred, in order.
    public var resolveNetworks: [String]?
    /// `init-addr METHOD[,METHOD…]` (HAProxy's default: `last,libc`).
    public var initAddr: [InitAddrMethod]?

    /// `ssl`, `verify`, `sni`, `check-ssl` and the other TLS options.
    public var tls = ServerTLS()

    public init() {}

    /// Fills every unset value from `defaults`.
    func inheriting(_ defaults: ServerOptions) -> ServerOptions {
        var merged = self
        merged.weight = weight ?? defaults.weight
        merged.backup = backup ?? defaults.backup
        merged.disabled = disabled ?? defaults.disabled
        merged.maxconn = maxconn ?? defaults.maxconn
        merged.maxqueue = maxqueue ?? defaults.maxqueue
        merged.check = check ?? defaults.check
        merged.inter = inter ?? defaults.inter
        merged.slowStart = slowStart ?? defaults.slowStart
        merged.fastinter = fastinter ?? defaults.fastinter
        merged.downinter = downinter ?? defaults.downinter
        merged.rise = rise ?? defaults.rise
        merged.fall = fall ?? defaults.fall
        merged.checkPort = checkPort ?? defaults.checkPort
        merged.checkAddress = checkAddress ?? defaults.checkAddress
        merged.cookie = cookie ?? defaults.cookie
        merged.sendProxy = sendProxy ?? defaults.sendProxy
        merged.proxyV2Options = proxyV2Options ?? defaults.proxyV2Options
        merged.onMarkedDown = onMarkedDown ?? defaults.onMarkedDown
        merged.onMarkedUp = onMarkedUp ?? defaults.onMarkedUp
        merged.onError = onError ?? defaults.onError
        merged.observe = observe ?? defaults.observe
        merged.errorLimit = errorLimit ?? defaults.errorLimit
        merged.resolvers = resolvers ?? defaults.resolvers
        merged.resolvePrefer = resolvePrefer ?? defaults.resolvePrefer
        merged.resolveOptions = resolveOptions ?? defaults.resolveOptions
        merged.resolveNetworks = resolveNetworks ?? defaults.resolveNetworks
        merged.initAddr = initAddr ?? defaults.initAddr
        merged.tls = tls.inheriting(defaults.tls)
        return merged
    }
}

/// The TLS options of a `server` or `default-server` line, as written: `nil` means "not said here",
/// so a server line fills in over its `default-server`, and what neither says comes from the
/// `global` section (`ssl-server-verify`, `ssl-default-server-*`): see `Server.tlsSettings(global:)`.
public struct ServerTLS: Sendable, Equatable {
    /// `ssl` / `no-ssl`: traffic to the server is encrypted.
    public var ssl: Bool?
    /// A `default-server` above said `ssl`. HAProxy then prepares the server's TLS even when its own
    /// line says `no-ssl` (so that it can be turned on at run time), and checks its settings: a
    /// `verify required` without `ca-file` is refused there too.
    public var sslFromDefaultServer = false
    /// `verify none|required`
    public var verify: TLSVerify?
    /// `verifyhost NAME`: the name the certificate must carry when no SNI was sent. The empty
    /// string is `no-verifyhost` (which resets an inherited one; a `verifyhost` line cannot be empty).
    public var verifyHost: String?
    /// `ca-file`: the CAs the server's certificate is checked against (`@system-ca`: the system's).
    public var caFile: String?
    /// `crl-file`
    public var crlFile: String?
    /// `crt`: the client certificate (with its key) shown when the server asks for one.
    public var certificate: String?
    /// `sni EXPR`: evaluated per connection, the name sent in the ClientHello.
    public var sni: SampleExpression?
    /// `alpn h2,http/1.1`: the protocols offered, in preference order.
    public var alpn: [String]?
    /// `check-ssl` / `no-check-ssl`
    public var checkSSL: Bool?
    /// `check-sni NAME`: the name sent by health checks over TLS (a string, not an expression).
    public var checkSNI: String?
    /// `check-alpn LIST`: the protocols health checks offer; the server's `alpn` when unset.
    public var checkALPN: [String]?
    /// `ssl-reuse` / `no-ssl-reuse`
    public var sessionReuse: Bool?
    /// `ssl-min-ver`, `ciphers`, `no-tlsv10`, `force-tlsv12`…
    public var options = TLSOptions()

    public init() {}

    /// Fills every unset value from `defaults` (a `default-server` line).
    func inheriting(_ defaults: ServerTLS) -> ServerTLS {
        var merged = self
        merged.ssl = ssl ?? defaults.ssl
        merged.sslFromDefaultServer = defaults.ssl == true || (defaults.ssl == nil && defaults.sslFromDefaultServer)
        merged.verify = verify ?? defaults.verify
        merged.verifyHost = verifyHost ?? defaults.verifyHost
        merged.caFile = caFile ?? defaults.caFile
        merged.crlFile = crlFile ?? defaults.crlFile
        merged.certificate = certificate ?? defaults.certificate
        merged.sni = sni ?? defaults.sni
        merged.alpn = alpn ?? defaults.alpn
        merged.checkSSL = checkSSL ?? defaults.checkSSL
        merged.checkSNI = checkSNI ?? defaults.checkSNI
        merged.checkALPN = checkALPN ?? defaults.checkALPN
        merged.sessionReuse = sessionReuse ?? defaults.sessionReuse
        merged.options = options.over(defaults.options)
        return merged
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

/// A field `proxy-v2-options` adds to the PROXY version 2 header sent to a server.
public enum ProxyV2Option: String, Sendable, Equatable, CaseIterable {
    /// The client's TLS server name (or the authority its own PROXY header carried).
    case authority
    /// The stream's unique ID (`unique-id-format`).
    case uniqueID = "unique-id"
    /// A CRC32C checksum of the whole header.
    case crc32c
}

/// A `server NAME ADDRESS [OPTIONS]` line, with its `default-server` settings already applied.
public struct Server: Sendable, Equatable {
    public var name: String
    public var address: Address
    public var options: ServerOptions
    public var location: SourceLocation
    /// Set when `server-template` made this server.
    public var template: ServerTemplateOrigin?

    public init(name: String, address: Address, options: ServerOptions, location: SourceLocation, template: ServerTemplateOrigin? = nil) {
        self.name = name
        self.address = address
        self.options = options
        self.location = location
        self.template = template
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
    /// `on-error`: `fail-check` unless said.
    public var onError: ObservedErrorAction { options.onError ?? .failCheck }
    /// `observe`: nothing unless said.
    public var observe: ObserveMode { options.observe ?? .none }
    /// `error-limit`: 10 unless said.
    public var errorLimit: Int { options.errorLimit ?? 10 }
    public var initAddr: [InitAddrMethod] { options.initAddr ?? [.last, .libc] }
    public var resolvePrefer: ResolvePreference { options.resolvePrefer ?? .ipv6 }

    /// The name DNS resolves for this server at run time: its host when it has `resolvers` and the
    /// host is a name rather than an IP address.
    public var resolvedName: String? {
        guard options.resolvers != nil, address.unixSocket == nil, let host = address.host else { return nil }
        return Address.looksLikeIP(host) ? nil : host
    }

    /// The host is an SRV name (`_service._proto.name`): the port and weight come from DNS too.
    public var isSRV: Bool { resolvedName?.hasPrefix("_") ?? false }
}
