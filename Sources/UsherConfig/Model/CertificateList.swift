/// A `crt-list` file named on a `bind` line: the certificates of that listener, one per line, each
/// with its own SSL settings and the server names (SNI) it is chosen for.
///
/// The list is kept as written, in order: the first entry of the first list (or the first `crt`)
/// is the bind line's default certificate, and among certificates serving the same name the first
/// declared wins, so order carries meaning.
public struct CertificateList: Sendable, Equatable {
    /// One line: `PATH [OPTION …] [[!]FILTER …]`.
    public struct Entry: Sendable, Equatable {
        /// The certificate file, already resolved against `crt-base` when it was relative.
        public var certificatePath: String
        /// The bracketed SSL options, in order. They override the bind line's for this certificate.
        public var options: [Option]
        /// The SNI filters as written (case kept; matching ignores it): names such as
        /// `www.example.com`, wildcards `*.example.com`, and negative filters `!name` that exclude a
        /// name from this line's wildcards. When present they replace the names the certificate
        /// itself carries (its subject alternative names and common name); when empty, those are used.
        public var sniFilters: [String]
        public var location: SourceLocation

        public init(certificatePath: String, options: [Option] = [], sniFilters: [String] = [], location: SourceLocation) {
            self.certificatePath = certificatePath
            self.options = options
            self.sniFilters = sniFilters
            self.location = location
        }
    }

    /// One bracketed SSL option: its name (`alpn`) and, for those that take one, its value (`h2,http/1.1`).
    ///
    /// Kept as words: what each means for the TLS context is decided where the bind line's own
    /// SSL options are, so that both are read the same way.
    public struct Option: Sendable, Equatable {
        public var name: String
        public var value: String?

        public init(name: String, value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    /// The file, as named on the bind line.
    public var path: String
    /// The lines that name a certificate, in file order (comments and blank lines dropped).
    public var entries: [Entry]

    public init(path: String, entries: [Entry]) {
        self.path = path
        self.entries = entries
    }
}

extension CertificateList.Option {
    /// The options a crt-list line accepts, and whether each takes a value: the per-certificate
    /// subset of the bind line's SSL options (`ocsp-update` arrived in HAProxy 2.8 and is accepted
    /// so that lists written for it load too).
    public static let takesValue: [String: Bool] = [
        "allow-0rtt": false,
        "alpn": true,
        "ca-file": true,
        "ca-verify-file": true,
        "ciphers": true,
        "ciphersuites": true,
        "crl-file": true,
        "curves": true,
        "ecdhe": true,
        "no-ca-names": false,
        "npn": true,
        "ocsp-update": true,
        "ssl-max-ver": true,
        "ssl-min-ver": true,
        "verify": true,
    ]
}
