import UsherConfig

/// What a connection's TLS handshake settled, for the `ssl_fc_*` and `ssl_c_*` fetches and the
/// log's `%sslv` / `%sslc`. Set once the handshake has completed; nil on a plain connection.
public struct TLSConnectionInfo: Sendable, Equatable {
    /// The name the client asked for (SNI), as it sent it.
    public var serverName: String?
    public var version: TLSProtocolVersion?
    /// The protocol ALPN settled on (`h2`, `http/1.1`).
    public var alpn: String?
    /// The cipher's OpenSSL name (`ECDHE-RSA-AES128-GCM-SHA256`, `TLS_AES_128_GCM_SHA256`).
    public var cipher: String?
    /// The key size of the cipher's symmetric algorithm, in bits (`ssl_fc_use_keysize`).
    public var cipherKeyBits: Int?
    /// The session was resumed (a ticket or a cached session), not negotiated in full.
    public var sessionReused: Bool
    /// The client's certificate, when it sent one.
    public var clientCertificate: ClientCertificate?
    /// The result of checking the client's certificate: 0 when it verified (or none was asked
    /// for), else OpenSSL's X509_V_ERR code (`ssl_c_verify`).
    public var verifyResult: Int

    public init(
        serverName: String? = nil, version: TLSProtocolVersion? = nil, alpn: String? = nil, cipher: String? = nil,
        cipherKeyBits: Int? = nil, sessionReused: Bool = false, clientCertificate: ClientCertificate? = nil, verifyResult: Int = 0
    ) {
        self.serverName = serverName
        self.version = version
        self.alpn = alpn
        self.cipher = cipher
        self.cipherKeyBits = cipherKeyBits
        self.sessionReused = sessionReused
        self.clientCertificate = clientCertificate
        self.verifyResult = verifyResult
    }

    /// A client certificate's fields as the `ssl_c_*` fetches give them.
    public struct ClientCertificate: Sendable, Equatable {
        /// Subject and issuer as `/C=FR/O=Example/CN=name` (HAProxy's default DN format), most
        /// significant RDN first, with their attribute short names.
        public var subject: [(type: String, value: String)]
        public var issuer: [(type: String, value: String)]
        /// The serial number's bytes, big-endian.
        public var serial: [UInt8]
        /// SHA-1 of the DER encoding.
        public var sha1: [UInt8]
        /// `YYMMDDhhmmssZ`, as `ssl_c_notafter`/`ssl_c_notbefore` print ASN.1 UTCTime.
        public var notBefore: String
        public var notAfter: String
        /// The certificate's version (1 to 3).
        public var version: Int

        public init(
            subject: [(type: String, value: String)], issuer: [(type: String, value: String)], serial: [UInt8], sha1: [UInt8],
            notBefore: String, notAfter: String, version: Int
        ) {
            self.subject = subject
            self.issuer = issuer
            self.serial = serial
            self.sha1 = sha1
            self.notBefore = notBefore
            self.notAfter = notAfter
            self.version = version
        }

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.subject.elementsEqual(rhs.subject, by: ==) && lhs.issuer.elementsEqual(rhs.issuer, by: ==) && lhs.serial == rhs.serial
                && lhs.sha1 == rhs.sha1 && lhs.notBefore == rhs.notBefore && lhs.notAfter == rhs.notAfter && lhs.version == rhs.version
        }

        /// `ssl_c_s_dn` / `ssl_c_i_dn`: the whole name, or with a field name (`CN`) the value of
        /// its `occurrence`-th instance (1 the first, negative from the end), as HAProxy's arguments do.
        public static func distinguishedName(_ name: [(type: String, value: String)], field: String?, occurrence: Int) -> String? {
            guard let field else { return name.map { "/\($0.type)=\($0.value)" }.joined() }
            let matching = name.filter { $0.type == field }.map(\.value)
            guard !matching.isEmpty, occurrence != 0 else { return nil }
            let index = occurrence > 0 ? occurrence - 1 : matching.count + occurrence
            return matching.indices.contains(index) ? matching[index] : nil
        }
    }
}
