/// The SSLv2-compatible ClientHello (RFC 5246 Appendix E.2), which old clients send so that
/// SSL 2.0 servers understand it too. It has no extensions, hence no SNI and no ALPN.
///
/// Layout: a 2-byte record header whose top bit is set and whose other 15 bits are the length
/// of what follows; then `msg_type` (1), `version` (2), `cipher_spec_length` (2),
/// `session_id_length` (2), `challenge_length` (2), and the three variable fields.
/// Only this 2-byte header form is read; the 3-byte form with padding was never used for hellos.
extension ClientHelloParser {
    /// ``ClientHello/recordVersion`` of an SSLv2-format hello, which has no record version.
    public static let sslv2RecordVersion: UInt16 = 0x0002

    enum SSLv2HelloLocation {
        case needMoreData
        case failure(NotClientHelloReason)
        /// A complete, well-framed SSLv2 hello with this `version` field.
        case complete(version: UInt16)
    }

    /// The fixed part after the record header: msg_type, version and the three lengths.
    private static let sslv2FixedLength = 9

    func parseSSLv2Hello(_ bytes: UnsafeRawBufferPointer) -> ClientHelloParseResult {
        switch self.locateSSLv2Hello(bytes) {
        case .needMoreData:
            return .needMoreData
        case .failure(let reason):
            return .notClientHello(reason)
        case .complete(let version):
            return .clientHello(
                ClientHello(
                    recordVersion: Self.sslv2RecordVersion,
                    legacyVersion: version,
                    isSSLv2Compatible: true,
                    handshakeType: Self.clientHelloMessageType
                )
            )
        }
    }

    /// Judges bytes whose first byte has its top bit set. Like the TLS walk, it reads in order
    /// and asks for more data only at the first byte it lacks, so its answers are monotone.
    func locateSSLv2Hello(_ bytes: UnsafeRawBufferPointer) -> SSLv2HelloLocation {
        guard bytes.count >= 3 else {
            return .needMoreData
        }
        let length = Int(bytes[0] & 0x7F) << 8 | Int(bytes[1])
        guard bytes[2] == Self.clientHelloMessageType else {
            return .failure(.notClientHelloMessage)
        }
        guard length >= Self.sslv2FixedLength else {
            return .failure(.malformed)
        }
        guard length <= self.maximumHelloSize else {
            return .failure(.tooLarge)
        }
        guard bytes.count >= 2 + Self.sslv2FixedLength else {
            return .needMoreData
        }
        func uint16(at offset: Int) -> Int {
            Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
        }
        let version = UInt16(uint16(at: 3))
        let cipherSpecLength = uint16(at: 5)
        let sessionIDLength = uint16(at: 7)
        let challengeLength = uint16(at: 9)
        // The same sanity rules as SSL 2.0 itself: 3-byte cipher specs, a 0- or 16-byte session
        // id, a 16…32-byte challenge, and lengths that add up to the record length.
        guard cipherSpecLength % 3 == 0,
            sessionIDLength == 0 || sessionIDLength == 16,
            (16...32).contains(challengeLength),
            length == Self.sslv2FixedLength + cipherSpecLength + sessionIDLength + challengeLength
        else {
            return .failure(.malformed)
        }
        guard bytes.count >= 2 + length else {
            return .needMoreData
        }
        return .complete(version: version)
    }
}
