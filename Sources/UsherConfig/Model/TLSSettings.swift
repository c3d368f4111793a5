/// A protocol version, as `ssl-min-ver` and `ssl-max-ver` name it.
public enum TLSProtocolVersion: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case sslv3 = 0
    case tlsv1_0
    case tlsv1_1
    case tlsv1_2
    case tlsv1_3

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `SSLv3`, `TLSv1.0` … `TLSv1.3`: the spelling of `ssl-min-ver` and of `ssl_fc_protocol`.
    public var description: String {
        switch self {
        case .sslv3: return "SSLv3"
        case .tlsv1_0: return "TLSv1.0"
        case .tlsv1_1: return "TLSv1.1"
        case .tlsv1_2: return "TLSv1.2"
        case .tlsv1_3: return "TLSv1.3"
        }
    }

    /// The suffix of the `no-…` and `force-…` options: `sslv3`, `tlsv10` … `tlsv13`.
    var optionSuffix: String {
        switch self {
        case .sslv3: return "sslv3"
        case .tlsv1_0: return "tlsv10"
        case .tlsv1_1: return "tlsv11"
        case .tlsv1_2: return "tlsv12"
        case .tlsv1_3: return "tlsv13"
        }
    }

    public init?(configName: String) {
        guard let version = Self.allCases.first(where: { $0.description == configName }) else { return nil }
        self = version
    }
}

/// Whether the peer's certificate is checked: `verify none|optional|required`.
public enum TLSVerify: String, Sendable, Equatable {
    case none
    case optional
    case required
}

/// What a `bind` or `server` line — or `ssl-default-bind-options` / `ssl-default-server-options`
/// and their `-ciphers`, `-ciphersuites`, `-curves`, `-sigalgs` companions — says about protocol
/// versions and algorithms. Unset fields take the global default's value (`over(_:)`).
public struct TLSOptions: Sendable, Equatable {
    public var minVersion: TLSProtocolVersion?
    public var maxVersion: TLSProtocolVersion?
    /// `no-sslv3` … `no-tlsv13`. HAProxy ignores them (with a warning) when `ssl-min-ver` or
    /// `ssl-max-ver` is set.
    public var disabledVersions: Set<TLSProtocolVersion> = []
    /// `force-sslv3` … `force-tlsv13`: exactly this version.
    public var forcedVersion: TLSProtocolVersion?
    /// OpenSSL's cipher list for TLS 1.2 and older (`ciphers`).
    public var ciphers: String?
    /// OpenSSL's TLS 1.3 suite list (`ciphersuites`).
    public var cipherSuites: String?
    /// `curves` (and `ecdhe`, one curve): the key exchange groups offered, colon-separated.
    public var curves: String?
    /// `sigalgs`
    public var signatureAlgorithms: String?
    /// `no-tls-tickets` (`tls-tickets` turns them back on over a default).
    public var noTLSTickets: Bool?
    /// `prefer-client-ciphers` (`prefer-server-ciphers` is the default).
    public var preferClientCiphers: Bool?

    public init() {}

    /// The first version HAProxy 2.6 allows when nothing says otherwise, on binds and servers.
    public static let defaultMinimum = TLSProtocolVersion.tlsv1_2

    /// The versions allowed, nil when the options leave none. `force-…` means exactly one version;
    /// `ssl-min-ver`/`ssl-max-ver` win over `no-…`; without them, the versions `no-…` leaves
    /// (from the lowest to the highest of them) above the default minimum.
    public var allowedVersions: ClosedRange<TLSProtocolVersion>? {
        if let forcedVersion { return forcedVersion...forcedVersion }
        let lowest = minVersion ?? Swift.min(maxVersion ?? Self.defaultMinimum, Self.defaultMinimum)
        let highest = maxVersion ?? .tlsv1_3
        guard lowest <= highest else { return nil }
        if minVersion != nil || maxVersion != nil { return lowest...highest }
        let left = TLSProtocolVersion.allCases.filter { $0 >= lowest && $0 <= highest && !disabledVersions.contains($0) }
        guard let first = left.first, let last = left.last else { return nil }
        return first...last
    }

    /// These options with what they leave unset taken from `defaults`.
    public func over(_ defaults: TLSOptions) -> TLSOptions {
        var merged = self
        merged.minVersion = minVersion ?? defaults.minVersion
        merged.maxVersion = maxVersion ?? defaults.maxVersion
        merged.disabledVersions = disabledVersions.union(defaults.disabledVersions)
        merged.forcedVersion = forcedVersion ?? defaults.forcedVersion
        merged.ciphers = ciphers ?? defaults.ciphers
        merged.cipherSuites = cipherSuites ?? defaults.cipherSuites
        merged.curves = curves ?? defaults.curves
        merged.signatureAlgorithms = signatureAlgorithms ?? defaults.signatureAlgorithms
        merged.noTLSTickets = noTLSTickets ?? defaults.noTLSTickets
        merged.preferClientCiphers = preferClientCiphers ?? defaults.preferClientCiphers
        return merged
    }

    /// Takes `option` (with its value from `value()` when it has one) if it is a version or
    /// algorithm option; false when it is not one of them.
    public mutating func apply(_ option: String, value: () throws -> String) throws -> Bool {
        switch option {
        case "ssl-min-ver", "ssl-max-ver":
            let text = try value()
            guard let version = TLSProtocolVersion(configName: text) else {
                let names = TLSProtocolVersion.allCases.map(\.description).joined(separator: ", ")
                throw ConfigurationError("'\(option)' expects one of \(names), not '\(text)'")
            }
            if option == "ssl-min-ver" { minVersion = version } else { maxVersion = version }
        case "ciphers": ciphers = try value()
        case "ciphersuites": cipherSuites = try value()
        case "curves", "ecdhe": curves = try value()
        case "sigalgs": signatureAlgorithms = try value()
        case "no-tls-tickets": noTLSTickets = true
        case "tls-tickets": noTLSTickets = false
        case "prefer-client-ciphers": preferClientCiphers = true
        default:
            if option.hasPrefix("no-"), let version = TLSProtocolVersion.allCases.first(where: { "no-" + $0.optionSuffix == option }) {
                disabledVersions.insert(version)
            } else if option.hasPrefix("force-"),
                let version = TLSProtocolVersion.allCases.first(where: { "force-" + $0.optionSuffix == option })
            {
                forcedVersion = version
            } else {
                return false
            }
        }
        return true
    }

    /// Why HAProxy would warn about these options, if it would.
    public var warning: String? {
        if (minVersion != nil || maxVersion != nil) && (!disabledVersions.isEmpty || forcedVersion != nil) {
            return "'no-…' and 'force-…' version options are ignored where 'ssl-min-ver' or 'ssl-max-ver' is set"
        }
        return nil
    }
}

/// The `global` section's TLS settings.
public struct GlobalTLSSettings: Sendable, Equatable {
    /// `crt-base`: where relative `crt` and `crt-list` paths start.
    public var certificateBase: String?
    /// `ca-base`: where relative `ca-file` and `crl-file` paths start.
    public var caBase: String?
    /// `ssl-default-bind-options`, `-ciphers`, `-ciphersuites`, `-curves`, `-sigalgs`.
    public var bindDefaults = TLSOptions()
    /// `ssl-default-server-options`, `-ciphers`, `-ciphersuites`, `-curves`, `-sigalgs`.
    public var serverDefaults = TLSOptions()
    /// `no-ssl-reuse` / `ssl-reuse` in `ssl-default-server-options`.
    public var serverSessionReuse: Bool?
    /// `ssl-server-verify`: whether servers' certificates are checked when a `server` line does not say.
    public var serverVerify: TLSVerify = .required
    /// `ssl-dh-param-file`
    public var dhParamFile: String?
    /// `tune.ssl.default-dh-param`
    public var defaultDHParamBits: Int?
    /// `tune.ssl.cachesize`: sessions kept for resumption (HAProxy's default: 20000).
    public var sessionCacheSize: Int?
    /// `tune.ssl.lifetime`: how long a cached session may be resumed (default 300 s).
    public var sessionLifetime: Duration?
    /// `tune.ssl.maxrecord`
    public var maxRecordSize: Int?

    public init() {}

    /// `path` as a `crt` means it: relative paths start at `crt-base`.
    public func certificatePath(_ path: String) -> String { CertificateListParser.resolve(path, against: certificateBase) }

    /// `path` as a `ca-file` or `crl-file` means it: relative paths start at `ca-base`.
    public func caPath(_ path: String) -> String { CertificateListParser.resolve(path, against: caBase) }
}
