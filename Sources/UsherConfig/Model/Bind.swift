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
    /// `ssl`: the listener terminates TLS.
    public var ssl: Bool
    /// `proto h2`: clients speak HTTP/2 from their first byte (prior knowledge, or `h2c` on a plain
    /// port); nil when the protocol is negotiated (ALPN) or HTTP/1.
    public var proto: String?
    /// `crt`, `crt-list` and the other TLS options (read even without `ssl`, as HAProxy does:
    /// its certificates are loaded and checked, the listener stays plain).
    public var tls: BindTLS
    public var location: SourceLocation

    public init(addresses: [Address], location: SourceLocation) {
        self.addresses = addresses
        self.acceptProxy = false
        self.v6Only = nil
        self.name = nil
        self.backlog = nil
        self.unixPermissions = UnixSocketPermissions()
        self.ssl = false
        self.proto = nil
        self.tls = BindTLS()
        self.location = location
    }
}

/// The TLS side of a `bind` line.
public struct BindTLS: Sendable, Equatable {
    /// Where a bind's certificates come from, in the order written: the first is the default.
    public enum CertificateSource: Sendable, Equatable {
        /// `crt PATH`: a PEM file, or a directory of them. Relative to `crt-base`.
        case file(String)
        /// `crt-list PATH`: a file naming certificates with per-certificate options and SNI filters.
        case list(String)
    }

    public var certificates: [CertificateSource] = []
    public var options = TLSOptions()
    /// `alpn h2,http/1.1`: the protocols offered, in preference order.
    public var alpn: [String] = []
    /// `strict-sni`: a hello without a name a certificate serves is refused.
    public var strictSNI = false
    /// `ca-file`: the CAs client certificates are checked against.
    public var caFile: String?
    /// `crl-file`
    public var crlFile: String?
    /// `verify none|optional|required`: asks for a client certificate.
    public var verify: TLSVerify?
    /// `no-ca-names`: the CA names are not sent with the certificate request.
    public var noCANames = false
    /// `ca-ignore-err`, `crt-ignore-err`: verification errors that do not fail the handshake
    /// (`all` or a comma-separated list of OpenSSL error numbers).
    public var caIgnoreErrors: String?
    public var certificateIgnoreErrors: String?
    /// `allow-0rtt`
    public var allowEarlyData = false

    public init() {}
}
