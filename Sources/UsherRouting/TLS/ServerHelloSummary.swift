/// What the proxy's own ServerHello says about a handshake it terminates: the cipher chosen and
/// whether the session was resumed. The TLS library answers neither question, but both are in
/// the clear in the first record it writes (TLS 1.3 encrypts what follows the ServerHello, not
/// the ServerHello itself).
public struct ServerHelloSummary: Sendable, Equatable {
    /// The IANA number of the cipher suite.
    public var cipherSuite: UInt16
    /// TLS 1.3: the server accepted a pre-shared key (`pre_shared_key` extension). TLS 1.2: the
    /// server echoed the session id the client offered.
    public var resumed: Bool

    public init(cipherSuite: UInt16, resumed: Bool) {
        self.cipherSuite = cipherSuite
        self.resumed = resumed
    }

    /// Reads the ServerHello at the start of `bytes` (the server's first bytes on the wire);
    /// `clientSessionID` is the legacy session id of the client's hello. Nil when the bytes do not
    /// start with a whole ServerHello (see `isHelloRetryRequest` for the one that is not final).
    public static func parse(_ bytes: UnsafeRawBufferPointer, clientSessionID: [UInt8]) -> ServerHelloSummary? {
        var record = ByteCursor(bytes)
        guard record.readUInt8() == 22, record.readUInt16() != nil, let recordLength = record.readUInt16(),
            let body = record.readBytes(Int(recordLength))
        else { return nil }
        var message = ByteCursor(body)
        guard message.readUInt8() == 2, let high = message.readUInt8(), let low = message.readUInt16(),
            let hello = message.readBytes(Int(high) << 16 | Int(low))
        else { return nil }
        var cursor = ByteCursor(hello)
        guard cursor.skip(2 + 32), var sessionID = cursor.readUInt8LengthPrefixed(), let suite = cursor.readUInt16(), cursor.skip(1) else {
            return nil
        }
        let echoedID = sessionID.readBytes(sessionID.remaining).map(Array.init) ?? []
        var resumed = !echoedID.isEmpty && echoedID == clientSessionID
        // TLS 1.3 echoes the session id in every case (middlebox compatibility): there, a
        // resumption is the pre_shared_key extension (41); supported_versions (43) says 1.3.
        if let extensionsLength = cursor.readUInt16(), let extensions = cursor.readBytes(Int(extensionsLength)) {
            var list = ByteCursor(extensions)
            var isTLS13 = false
            var acceptedPSK = false
            while let type = list.readUInt16(), let length = list.readUInt16(), list.skip(Int(length)) {
                if type == 43 { isTLS13 = true }
                if type == 41 { acceptedPSK = true }
            }
            if isTLS13 { resumed = acceptedPSK }
        }
        return ServerHelloSummary(cipherSuite: suite, resumed: resumed)
    }

    /// RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is this fixed value.
    static let helloRetryRandom: [UInt8] = [
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
        0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    ]

    /// Whether the bytes start with a HelloRetryRequest (record 5, message header 4, version 2,
    /// then the random).
    public static func isHelloRetryRequest(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 11 + 32, bytes[0] == 22, bytes[5] == 2 else { return false }
        return bytes[11..<43].elementsEqual(helloRetryRandom)
    }

    /// The suite's OpenSSL name (`ssl_fc_cipher`, `%sslc`) and its symmetric key size in bits.
    public var cipher: (name: String, keyBits: Int)? { Self.ciphers[cipherSuite] }

    /// The suites BoringSSL negotiates, by IANA number.
    static let ciphers: [UInt16: (name: String, keyBits: Int)] = [
        0x1301: ("TLS_AES_128_GCM_SHA256", 128),
        0x1302: ("TLS_AES_256_GCM_SHA384", 256),
        0x1303: ("TLS_CHACHA20_POLY1305_SHA256", 256),
        0xC02B: ("ECDHE-ECDSA-AES128-GCM-SHA256", 128),
        0xC02C: ("ECDHE-ECDSA-AES256-GCM-SHA384", 256),
        0xC02F: ("ECDHE-RSA-AES128-GCM-SHA256", 128),
        0xC030: ("ECDHE-RSA-AES256-GCM-SHA384", 256),
        0xCCA8: ("ECDHE-RSA-CHACHA20-POLY1305", 256),
        0xCCA9: ("ECDHE-ECDSA-CHACHA20-POLY1305", 256),
        0xC009: ("ECDHE-ECDSA-AES128-SHA", 128),
        0xC00A: ("ECDHE-ECDSA-AES256-SHA", 256),
        0xC013: ("ECDHE-RSA-AES128-SHA", 128),
        0xC014: ("ECDHE-RSA-AES256-SHA", 256),
        0xC023: ("ECDHE-ECDSA-AES128-SHA256", 128),
        0xC027: ("ECDHE-RSA-AES128-SHA256", 128),
        0x009C: ("AES128-GCM-SHA256", 128),
        0x009D: ("AES256-GCM-SHA384", 256),
        0x002F: ("AES128-SHA", 128),
        0x0035: ("AES256-SHA", 256),
        0x000A: ("DES-CBC3-SHA", 168),
    ]
}
