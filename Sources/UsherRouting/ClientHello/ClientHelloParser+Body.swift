/// The body of a TLS ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2), once it is complete.
extension ClientHelloParser {
    private enum ExtensionType {
        static let serverName: UInt16 = 0
        static let applicationLayerProtocolNegotiation: UInt16 = 16
        static let supportedVersions: UInt16 = 43
        static let signatureAlgorithms: UInt16 = 13
    }

    private static let hostNameType: UInt8 = 0
    private static let randomLength = 32
    private static let maximumSessionIDLength = 32

    /// Parses a complete ClientHello body. Any framing error, at any depth, is `.malformed`:
    /// a real TLS server would refuse this hello with `decode_error`.
    static func parseClientHelloBody(
        _ body: UnsafeRawBufferPointer,
        recordVersion: UInt16
    ) -> ClientHelloParseResult {
        guard let hello = Self.readClientHello(body, recordVersion: recordVersion) else {
            return .notClientHello(.malformed)
        }
        return .clientHello(hello)
    }

    private static func readClientHello(_ body: UnsafeRawBufferPointer, recordVersion: UInt16) -> ClientHello? {
        var cursor = ByteCursor(body)
        guard let legacyVersion = cursor.readUInt16(),
            cursor.skip(Self.randomLength),
            var sessionID = cursor.readUInt8LengthPrefixed(),
            sessionID.remaining <= Self.maximumSessionIDLength,
            let cipherSuites = cursor.readUInt16LengthPrefixed(),
            cipherSuites.remaining >= 2, cipherSuites.remaining % 2 == 0,
            let compressionMethods = cursor.readUInt8LengthPrefixed(),
            compressionMethods.remaining >= 1
        else {
            return nil
        }

        var hello = ClientHello(recordVersion: recordVersion, legacyVersion: legacyVersion)
        if let id = sessionID.readBytes(sessionID.remaining), id.count > 0 { hello.sessionID = Array(id) }
        // Hellos from before TLS extensions (SSLv3, some TLS 1.0 clients) end here.
        if cursor.isAtEnd {
            return hello
        }
        // Otherwise the extensions block must be the last thing in the hello, filling it exactly.
        guard var extensions = cursor.readUInt16LengthPrefixed(), cursor.isAtEnd else {
            return nil
        }

        var seenServerName = false
        var seenALPN = false
        var seenSupportedVersions = false
        var seenSignatureAlgorithms = false
        while !extensions.isAtEnd {
            guard let type = extensions.readUInt16(), let data = extensions.readUInt16LengthPrefixed() else {
                return nil
            }
            // RFC 8446 §4.2: an extension type appears at most once. Only the ones read here are
            // checked, which needs no allocation; GREASE and unknown types are skipped.
            switch type {
            case ExtensionType.serverName:
                guard !seenServerName, let names = Self.readServerNames(data) else {
                    return nil
                }
                seenServerName = true
                hello.serverNames = names
            case ExtensionType.applicationLayerProtocolNegotiation:
                guard !seenALPN, let protocols = Self.readALPNProtocols(data) else {
                    return nil
                }
                seenALPN = true
                hello.alpnProtocols = protocols
            case ExtensionType.supportedVersions:
                guard !seenSupportedVersions, let versions = Self.readSupportedVersions(data) else {
                    return nil
                }
                seenSupportedVersions = true
                hello.supportedVersions = versions
            case ExtensionType.signatureAlgorithms:
                // RFC 8446 §4.2.3: `SignatureScheme supported_signature_algorithms<2..2^16-2>`. Read
                // only to choose between an RSA and an ECDSA certificate: a malformed or repeated one
                // is passed over, so the name (and `req_ssl_sni` routing) stays as HAProxy sees it.
                var body = data
                guard !seenSignatureAlgorithms, var list = body.readUInt16LengthPrefixed(), body.isAtEnd,
                    list.remaining >= 2, list.remaining % 2 == 0
                else {
                    continue
                }
                seenSignatureAlgorithms = true
                var schemes: [UInt16] = []
                while let scheme = list.readUInt16() { schemes.append(scheme) }
                hello.signatureAlgorithms = schemes
            default:
                continue
            }
        }
        return hello
    }

    /// RFC 6066 §3: `ServerName server_name_list<1..2^16-1>`, each entry a `name_type` byte and a
    /// `HostName<1..2^16-1>`. Entries of other name types are assumed to share that layout (the
    /// only one ever defined) and skipped.
    private static func readServerNames(_ data: ByteCursor) -> [String]? {
        var data = data
        guard var list = data.readUInt16LengthPrefixed(), data.isAtEnd, !list.isAtEnd else {
            return nil
        }
        var names: [String] = []
        while !list.isAtEnd {
            guard let nameType = list.readUInt8(),
                let name = list.readUInt16LengthPrefixed(),
                !name.isAtEnd
            else {
                return nil
            }
            if nameType == Self.hostNameType {
                names.append(String(decoding: name.remainingBytes, as: UTF8.self))
            }
        }
        return names
    }

    /// RFC 7301 §3.1: `ProtocolName protocol_name_list<2..2^16-1>`, each `opaque<1..2^8-1>`.
    private static func readALPNProtocols(_ data: ByteCursor) -> [String]? {
        var data = data
        guard var list = data.readUInt16LengthPrefixed(), data.isAtEnd, !list.isAtEnd else {
            return nil
        }
        var protocols: [String] = []
        while !list.isAtEnd {
            guard let name = list.readUInt8LengthPrefixed(), !name.isAtEnd else {
                return nil
            }
            protocols.append(String(decoding: name.remainingBytes, as: UTF8.self))
        }
        return protocols
    }

    /// RFC 8446 §4.2.1, ClientHello form: `ProtocolVersion versions<2..254>`.
    private static func readSupportedVersions(_ data: ByteCursor) -> [UInt16]? {
        var data = data
        guard var list = data.readUInt8LengthPrefixed(), data.isAtEnd,
            list.remaining >= 2, list.remaining % 2 == 0
        else {
            return nil
        }
        var versions: [UInt16] = []
        versions.reserveCapacity(list.remaining / 2)
        while let version = list.readUInt16() {
            if !Self.isGREASE(version) {
                versions.append(version)
            }
        }
        return versions
    }

    /// RFC 8701: GREASE values are `0x?A?A` with both bytes equal (0x0A0A, 0x1A1A, … 0xFAFA).
    static func isGREASE(_ value: UInt16) -> Bool {
        value & 0x0F0F == 0x0A0A && value >> 8 == value & 0xFF
    }
}
