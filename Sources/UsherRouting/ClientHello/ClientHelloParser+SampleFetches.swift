/// HAProxy's sample fetches that look at the raw first bytes of a TLS connection without
/// needing the whole ClientHello to be well formed: `req.ssl_hello_type` and `req.ssl_ver`.
/// (`req.ssl_sni` and `req.ssl_alpn` come from ``ClientHello/serverNames`` and
/// ``ClientHello/alpnProtocols`` of a successful ``parse(_:)-(UnsafeRawBufferPointer)``.)
extension ClientHelloParser {
    /// `req.ssl_hello_type`: the type of the first handshake message (1 for a ClientHello).
    ///
    /// - ``FetchResult/value(_:)``: the bytes start with a TLS handshake record (content type
    ///   22, record major version 3) and the whole first handshake message has arrived,
    ///   reassembled across records when fragmented. The value is its `msg_type`, whatever it
    ///   is (so the same function serves the response side, where a ServerHello gives 2). The
    ///   message body is not checked: a malformed ClientHello still gives 1, as in HAProxy.
    /// - ``FetchResult/needMoreData``: a valid prefix of such a message.
    /// - ``FetchResult/noValue``: anything else, including an SSLv2-format hello (HAProxy
    ///   only reports SSLv3-or-later hellos), broken record framing, and a message longer than
    ///   ``maximumHelloSize``.
    ///
    /// Differences from HAProxy, on purpose: HAProxy also reads records of content types
    /// 20, 21, 23 and 255 and reports their byte 5 as a "hello type"; and it counts the headers
    /// of later records as message bytes, so it may answer before a fragmented message is all
    /// there. Neither makes sense for routing.
    public func helloType(_ bytes: UnsafeRawBufferPointer) -> FetchResult<Int> {
        guard let first = bytes.first else {
            return .needMoreData
        }
        if first & 0x80 != 0 {
            return .noValue
        }
        switch self.makeReassembler(requiringClientHello: false).locate(bytes) {
        case .needMoreData:
            return .needMoreData
        case .failure:
            return .noValue
        case .complete(let message):
            return .value(Int(message.type))
        }
    }

    /// `req.ssl_hello_type`; see ``helloType(_:)-(UnsafeRawBufferPointer)``.
    public func helloType(_ bytes: [UInt8]) -> FetchResult<Int> {
        bytes.withUnsafeBytes { self.helloType($0) }
    }

    /// `req.ssl_ver`: the protocol version the client asks for, as HAProxy encodes it:
    /// `(major << 16) + minor`. So SSL 3.0 is `0x30000`, TLS 1.0 ("3.1") `0x30001`,
    /// TLS 1.2 `0x30003`, and an SSL 2.0 hello `0x00002`. HAProxy's ACL syntax `3.1` denotes
    /// `0x30001`.
    ///
    /// The version is the one inside the hello (`client_version` / `legacy_version`), not the
    /// record's: a TLS 1.3 client sends `0x0303` there, so it gives `0x30003` like TLS 1.2, as
    /// in HAProxy (which never reads `supported_versions`; see ``ClientHello/supportedVersions``).
    ///
    /// - ``FetchResult/value(_:)``: for a TLS record, once the whole first handshake message has
    ///   arrived and it is a ClientHello of at least 2 bytes (the rest of its body is not
    ///   checked); for an SSLv2-format record, once the whole well-framed client hello has
    ///   arrived (HAProxy's rules: cipher specs a multiple of 3 bytes, session id 0 or 16 bytes,
    ///   challenge 16 to 32 bytes, lengths adding up).
    /// - ``FetchResult/needMoreData``: a valid prefix of either.
    /// - ``FetchResult/noValue``: anything else.
    ///
    /// Differences from HAProxy, on purpose: HAProxy accepts TLS records of content types 20–23
    /// and 255 and reads bytes 9–10 whatever they are, and answers once the first record is
    /// complete; we require a handshake record carrying a ClientHello, reassembled across
    /// records. HAProxy also reads the 3-byte SSLv2 header form, which no client uses for hellos.
    public func sslVersion(_ bytes: UnsafeRawBufferPointer) -> FetchResult<Int> {
        guard let first = bytes.first else {
            return .needMoreData
        }
        if first & 0x80 != 0 {
            switch self.locateSSLv2Hello(bytes) {
            case .needMoreData:
                return .needMoreData
            case .failure:
                return .noValue
            case .complete(let version):
                return .value(Self.haproxyVersion(version))
            }
        }
        let reassembler = self.makeReassembler(requiringClientHello: true)
        switch reassembler.locate(bytes) {
        case .needMoreData:
            return .needMoreData
        case .failure:
            return .noValue
        case .complete(let message):
            return Self.withBody(of: message, in: bytes, reassembler: reassembler) { body in
                var cursor = ByteCursor(body)
                guard let version = cursor.readUInt16() else {
                    return .noValue
                }
                return .value(Self.haproxyVersion(version))
            }
        }
    }

    /// `req.ssl_ver`; see ``sslVersion(_:)-(UnsafeRawBufferPointer)``.
    public func sslVersion(_ bytes: [UInt8]) -> FetchResult<Int> {
        bytes.withUnsafeBytes { self.sslVersion($0) }
    }

    /// A wire version `0xMMmm` as HAProxy's integer `(MM << 16) + mm`.
    public static func haproxyVersion(_ wireVersion: UInt16) -> Int {
        Int(wireVersion >> 8) << 16 | Int(wireVersion & 0xFF)
    }
}
