/// What a TLS ClientHello says, as far as routing needs it.
///
/// Produced by ``ClientHelloParser`` from the first bytes a client sends. Only the fields that
/// HAProxy's `req.ssl_*` sample fetches and usher's routing look at are kept; everything else
/// (cipher suites, key shares, …) is checked for framing and then skipped.
public struct ClientHello: Sendable, Equatable {
    /// The version field of the first TLS record header, e.g. `0x0301` or `0x0303`.
    /// `0x0002` for an SSLv2-compatible hello, which has no such field.
    public var recordVersion: UInt16

    /// `client_version` (TLS 1.2) / `legacy_version` (TLS 1.3) inside the hello; TLS 1.3 clients
    /// send `0x0303` here and their real versions in ``supportedVersions``.
    public var legacyVersion: UInt16

    /// The `host_name` entries of the `server_name` extension (RFC 6066), in the order sent.
    ///
    /// The bytes are decoded as UTF-8 (invalid sequences become U+FFFD) and are not lowercased or
    /// otherwise normalised: matching rules decide about case, as HAProxy's `-i` flag does.
    /// Entries of other name types are skipped. Empty when the extension is absent.
    public var serverNames: [String]

    /// The protocol names of the `application_layer_protocol_negotiation` extension (RFC 7301),
    /// in the client's order of preference. Empty when the extension is absent.
    public var alpnProtocols: [String]

    /// The versions of the `supported_versions` extension (RFC 8446 §4.2.1) with GREASE values
    /// (RFC 8701) removed. Empty when the extension is absent.
    public var supportedVersions: [UInt16]

    /// `true` when the hello came in SSLv2 record format (RFC 5246 Appendix E.2). Such a hello
    /// cannot carry extensions, so it never has server names, ALPN or supported versions.
    public var isSSLv2Compatible: Bool

    /// The handshake message type: always 1 (`client_hello`) for a parsed hello.
    public var handshakeType: UInt8
    /// The `signature_algorithms` extension's schemes (empty without it: a TLS 1.0/1.1 client).
    public var signatureAlgorithms: [UInt16]
    /// The legacy session id (up to 32 bytes): a TLS 1.2 server that echoes it resumes the session.
    public var sessionID: [UInt8]

    /// Creates a description of a ClientHello; the parser is the usual source of these.
    public init(
        recordVersion: UInt16,
        legacyVersion: UInt16,
        serverNames: [String] = [],
        alpnProtocols: [String] = [],
        supportedVersions: [UInt16] = [],
        isSSLv2Compatible: Bool = false,
        handshakeType: UInt8 = 1,
        sessionID: [UInt8] = [],
        signatureAlgorithms: [UInt16] = []
    ) {
        self.recordVersion = recordVersion
        self.legacyVersion = legacyVersion
        self.serverNames = serverNames
        self.alpnProtocols = alpnProtocols
        self.supportedVersions = supportedVersions
        self.isSSLv2Compatible = isSSLv2Compatible
        self.handshakeType = handshakeType
        self.sessionID = sessionID
        self.signatureAlgorithms = signatureAlgorithms
    }

    /// Which kinds of certificate this client can verify, for choosing between an RSA and an
    /// ECDSA certificate for one name. Without the extension, RSA only (RFC 5246 §7.4.1.4.1).
    public var certificateSignatures: (rsa: Bool, ecdsa: Bool) {
        guard !signatureAlgorithms.isEmpty else { return (true, false) }
        var rsa = false, ecdsa = false
        for scheme in signatureAlgorithms {
            switch scheme {
            case 0x0201, 0x0401, 0x0501, 0x0601, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B: rsa = true
            case 0x0203, 0x0403, 0x0503, 0x0603: ecdsa = true
            default: break
            }
        }
        return (rsa, ecdsa)
    }

    /// The value of HAProxy's `req.ssl_sni`: the first `host_name` entry, if any.
    public var serverName: String? {
        self.serverNames.first
    }
}
