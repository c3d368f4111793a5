/// Builds TLS ClientHello bytes for tests: chosen server names, ALPN, supported versions,
/// GREASE, padding to an exact size, and any split into TLS records.
public struct ClientHelloBuilder {
    public init(
        recordVersion: UInt16 = 0x0301, legacyVersion: UInt16 = 0x0303, sessionID: [UInt8] = Array(repeating: 0x5A, count: 32),
        cipherSuites: [UInt16] = [0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F], compressionMethods: [UInt8] = [0],
        serverNames: [String]? = ["example.com"], alpnProtocols: [String]? = nil, supportedVersions: [UInt16]? = [0x0304, 0x0303],
        grease: Bool = false, keyShareLength: Int = 32, extraExtensions: [(type: UInt16, data: [UInt8])] = [],
        paddedBodyLength: Int? = nil, hasExtensionsBlock: Bool = true
    ) {
        self.recordVersion = recordVersion
        self.legacyVersion = legacyVersion
        self.sessionID = sessionID
        self.cipherSuites = cipherSuites
        self.compressionMethods = compressionMethods
        self.serverNames = serverNames
        self.alpnProtocols = alpnProtocols
        self.supportedVersions = supportedVersions
        self.grease = grease
        self.keyShareLength = keyShareLength
        self.extraExtensions = extraExtensions
        self.paddedBodyLength = paddedBodyLength
        self.hasExtensionsBlock = hasExtensionsBlock
    }

    public var recordVersion: UInt16 = 0x0301
    public var legacyVersion: UInt16 = 0x0303
    public var sessionID: [UInt8] = Array(repeating: 0x5A, count: 32)
    public var cipherSuites: [UInt16] = [0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F]
    public var compressionMethods: [UInt8] = [0]
    /// `nil`: no server_name extension.
    public var serverNames: [String]? = ["example.com"]
    /// `nil`: no ALPN extension.
    public var alpnProtocols: [String]? = nil
    /// `nil`: no supported_versions extension.
    public var supportedVersions: [UInt16]? = [0x0304, 0x0303]
    /// Adds GREASE (RFC 8701) the way browsers do: a GREASE cipher suite, a GREASE extension
    /// first and last, and a GREASE value in supported_versions.
    public var grease = false
    /// Size of the opaque key_share entry (X25519 is 32; X25519MLKEM768 is 1216).
    public var keyShareLength = 32
    /// More extensions, appended after the standard ones.
    public var extraExtensions: [(type: UInt16, data: [UInt8])] = []
    /// When set, a padding extension (21) makes the handshake body exactly this long.
    public var paddedBodyLength: Int? = nil
    /// `false`: no extensions block at all, as SSLv3-era clients send.
    public var hasExtensionsBlock = true

    public static let greaseValue: UInt16 = 0x3A3A

    public func extensions() -> [(type: UInt16, data: [UInt8])] {
        var result: [(type: UInt16, data: [UInt8])] = []
        if self.grease {
            result.append((0x0A0A, []))
        }
        if let serverNames {
            var list: [UInt8] = []
            for name in serverNames {
                list.append(0)
                list.appendLengthPrefixed16(Array(name.utf8))
            }
            result.append((0, Self.lengthPrefixed16(list)))
        }
        result.append((10, Self.lengthPrefixed16([0x00, 0x1D, 0x00, 0x17])))  // supported_groups
        if let alpnProtocols {
            var list: [UInt8] = []
            for name in alpnProtocols {
                list.appendLengthPrefixed8(Array(name.utf8))
            }
            result.append((16, Self.lengthPrefixed16(list)))
        }
        result.append((13, Self.lengthPrefixed16([0x04, 0x03, 0x08, 0x04])))  // signature_algorithms
        if var versions = self.supportedVersions {
            if self.grease {
                versions.insert(Self.greaseValue, at: 0)
            }
            var list: [UInt8] = []
            for version in versions {
                list.appendUInt16(version)
            }
            var data: [UInt8] = []
            data.appendLengthPrefixed8(list)
            result.append((43, data))
        }
        var keyShare: [UInt8] = []
        keyShare.appendUInt16(0x001D)
        keyShare.appendLengthPrefixed16(Array(repeating: 0x77, count: self.keyShareLength))
        result.append((51, Self.lengthPrefixed16(keyShare)))
        result.append(contentsOf: self.extraExtensions)
        if self.grease {
            result.append((0xFAFA, [0]))
        }
        return result
    }

    /// The ClientHello body: what follows the 4-byte handshake header.
    public func body() -> [UInt8] {
        var body: [UInt8] = []
        body.appendUInt16(self.legacyVersion)
        body.append(contentsOf: (0..<32).map { UInt8($0) })
        body.appendLengthPrefixed8(self.sessionID)
        var suites: [UInt8] = []
        for suite in (self.grease ? [Self.greaseValue] : []) + self.cipherSuites {
            suites.appendUInt16(suite)
        }
        body.appendLengthPrefixed16(suites)
        body.appendLengthPrefixed8(self.compressionMethods)
        guard self.hasExtensionsBlock else {
            return body
        }
        var extensions = self.extensions()
        if let paddedBodyLength {
            let unpadded = body.count + 2 + Self.encode(extensions).count
            let paddingLength = paddedBodyLength - unpadded - 4
            precondition(paddingLength >= 0, "hello already longer than \(paddedBodyLength)")
            extensions.append((21, Array(repeating: 0, count: paddingLength)))
        }
        body.appendLengthPrefixed16(Self.encode(extensions))
        return body
    }

    /// The handshake message: type 1, 24-bit length, body.
    public func handshakeMessage() -> [UInt8] {
        Self.handshakeMessage(type: 1, body: self.body())
    }

    /// The hello in as few records as possible (fragments of at most 2^14 bytes).
    public func bytes() -> [UInt8] {
        Self.records(self.handshakeMessage(), maximumFragmentLength: 16_384, recordVersion: self.recordVersion)
    }

    /// The hello split into `count` records of nearly equal length.
    public func bytes(inRecords count: Int) -> [UInt8] {
        let message = self.handshakeMessage()
        let fragmentLength = (message.count + count - 1) / count
        let result = Self.records(message, maximumFragmentLength: fragmentLength, recordVersion: self.recordVersion)
        return result
    }

    public static func handshakeMessage(type: UInt8, body: [UInt8]) -> [UInt8] {
        [type, UInt8(truncatingIfNeeded: body.count >> 16), UInt8(truncatingIfNeeded: body.count >> 8),
         UInt8(truncatingIfNeeded: body.count)] + body
    }

    /// Wraps `message` in handshake records whose fragments are at most `maximumFragmentLength`.
    public static func records(_ message: [UInt8], maximumFragmentLength: Int, recordVersion: UInt16 = 0x0301) -> [UInt8] {
        var lengths: [Int] = []
        var remaining = message.count
        while remaining > 0 {
            lengths.append(min(remaining, maximumFragmentLength))
            remaining -= lengths.last!
        }
        return self.records(message, fragmentLengths: lengths, recordVersion: recordVersion)
    }

    /// Wraps `message` in handshake records with exactly these fragment lengths.
    public static func records(_ message: [UInt8], fragmentLengths: [Int], recordVersion: UInt16 = 0x0301) -> [UInt8] {
        var result: [UInt8] = []
        var start = 0
        for length in fragmentLengths {
            result.append(contentsOf: self.recordHeader(contentType: 22, version: recordVersion, length: length))
            result.append(contentsOf: message[start..<(start + length)])
            start += length
        }
        precondition(start == message.count)
        return result
    }

    public static func recordHeader(contentType: UInt8, version: UInt16 = 0x0301, length: Int) -> [UInt8] {
        [contentType, UInt8(version >> 8), UInt8(version & 0xFF), UInt8(truncatingIfNeeded: length >> 8),
         UInt8(truncatingIfNeeded: length)]
    }

    public static func encode(_ extensions: [(type: UInt16, data: [UInt8])]) -> [UInt8] {
        var result: [UInt8] = []
        for (type, data) in extensions {
            result.appendUInt16(type)
            result.appendLengthPrefixed16(data)
        }
        return result
    }

    public static func lengthPrefixed16(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.appendLengthPrefixed16(bytes)
        return result
    }

    /// Bytes from a hex string; characters other than hex digits (spaces, newlines) are ignored.
    public static func bytes(hex: String) -> [UInt8] {
        let digits = hex.utf8.compactMap { character -> UInt8? in
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        precondition(digits.count % 2 == 0, "odd number of hex digits")
        return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }

    /// An SSLv2-compatible ClientHello (RFC 5246 Appendix E.2).
    public static func sslv2Hello(version: UInt16 = 0x0301, cipherSpecCount: Int = 3, sessionIDLength: Int = 0,
                           challengeLength: Int = 16) -> [UInt8] {
        var body: [UInt8] = [1]
        body.appendUInt16(version)
        body.appendUInt16(UInt16(cipherSpecCount * 3))
        body.appendUInt16(UInt16(sessionIDLength))
        body.appendUInt16(UInt16(challengeLength))
        for index in 0..<cipherSpecCount {
            body.append(contentsOf: [0x00, 0x00, UInt8(truncatingIfNeeded: index + 4)])
        }
        body.append(contentsOf: Array(repeating: 0x33, count: sessionIDLength))
        body.append(contentsOf: Array(repeating: 0x44, count: challengeLength))
        return [0x80 | UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }
}

fileprivate extension Array where Element == UInt8 {
    public mutating func appendUInt16(_ value: UInt16) {
        self.append(UInt8(value >> 8))
        self.append(UInt8(value & 0xFF))
    }

    public mutating func appendLengthPrefixed8(_ bytes: [UInt8]) {
        precondition(bytes.count <= 0xFF)
        self.append(UInt8(bytes.count))
        self.append(contentsOf: bytes)
    }

    public mutating func appendLengthPrefixed16(_ bytes: [UInt8]) {
        precondition(bytes.count <= 0xFFFF)
        self.appendUInt16(UInt16(bytes.count))
        self.append(contentsOf: bytes)
    }
}
