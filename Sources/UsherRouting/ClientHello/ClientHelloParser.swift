/// Reads the ClientHello at the start of a TLS connection without decrypting anything, for
/// routing by SNI (`req.ssl_sni`), ALPN (`req.ssl_alpn`) and version (`req.ssl_ver`).
///
/// A proxy calls ``parse(_:)-(UnsafeRawBufferPointer)`` each time bytes arrive, with everything
/// received so far. The parser keeps no state between calls; it handles a hello cut into any TCP
/// segments, a hello fragmented over several TLS handshake records (RFC 8446 §5.1), and the
/// SSLv2-compatible hello of RFC 5246 Appendix E.2. Every length the client sends is checked
/// against the structure enclosing it; no input makes the parser trap or read out of bounds.
///
/// When the hello sits in the first record (the common case), parsing allocates nothing but
/// the strings and arrays of the result; a fragmented hello is first copied into one buffer.
///
/// Cost: each call is linear in the bytes given. The bytes a client may need to deliver the
/// largest allowed hello are `maximumHelloSize + 4` plus 5 bytes of record header per record;
/// a hostile client using 1-byte records could thus make the proxy buffer about six times
/// ``maximumHelloSize`` before a decision, so the proxy should cap its inspection buffer too.
public struct ClientHelloParser: Sendable {
    /// The default ``maximumHelloSize``: 20 KiB.
    ///
    /// HAProxy, with its default 16 KiB buffer, never sees a hello larger than about 16 KiB.
    /// Browsers' hellos with post-quantum key shares are near 2 KiB; we allow a full 2^14-byte
    /// record's worth of hello plus 4 KiB, so that any hello HAProxy could route is routed.
    public static let defaultMaximumHelloSize = 16_384 + 4_096

    /// The largest handshake body (the 24-bit length of the handshake header, which excludes
    /// the 4-byte handshake header and the record headers) accepted; a hello announcing more is
    /// ``NotClientHelloReason/tooLarge`` as soon as its length is read, so the proxy need not
    /// wait for it. For SSLv2-format hellos it caps the 15-bit record length.
    public var maximumHelloSize: Int

    /// Creates a parser; `maximumHelloSize` is the cap described at ``maximumHelloSize``.
    public init(maximumHelloSize: Int = ClientHelloParser.defaultMaximumHelloSize) {
        self.maximumHelloSize = maximumHelloSize
    }

    /// Parses the first bytes a client sent.
    ///
    /// - Parameter bytes: everything received on the connection so far, from its first byte.
    /// - Returns: ``ClientHelloParseResult/needMoreData`` while the bytes are a valid prefix
    ///   of a ClientHello, otherwise a definitive answer that no longer prefix would change.
    public func parse(_ bytes: UnsafeRawBufferPointer) -> ClientHelloParseResult {
        guard let first = bytes.first else {
            return .needMoreData
        }
        if first & 0x80 != 0 {
            return self.parseSSLv2Hello(bytes)
        }
        let reassembler = self.makeReassembler(requiringClientHello: true)
        switch reassembler.locate(bytes) {
        case .needMoreData:
            return .needMoreData
        case .failure(let reason):
            return .notClientHello(reason)
        case .complete(let message):
            return Self.withBody(of: message, in: bytes, reassembler: reassembler) { body in
                Self.parseClientHelloBody(body, recordVersion: message.recordVersion)
            }
        }
    }

    /// Parses the first bytes a client sent; see ``parse(_:)-(UnsafeRawBufferPointer)``.
    public func parse(_ bytes: [UInt8]) -> ClientHelloParseResult {
        bytes.withUnsafeBytes { self.parse($0) }
    }

    func makeReassembler(requiringClientHello: Bool) -> HandshakeMessageReassembler {
        HandshakeMessageReassembler(
            maximumBodyLength: max(0, self.maximumHelloSize),
            requiredMessageType: requiringClientHello ? Self.clientHelloMessageType : nil
        )
    }

    /// Calls `body` with the handshake body of `message`: in place when it is contiguous in
    /// `bytes`, otherwise from a buffer gathering its fragments.
    static func withBody<Result>(
        of message: HandshakeMessageReassembler.Message,
        in bytes: UnsafeRawBufferPointer,
        reassembler: HandshakeMessageReassembler,
        _ body: (UnsafeRawBufferPointer) -> Result
    ) -> Result {
        if let range = message.contiguousBody {
            return body(UnsafeRawBufferPointer(rebasing: bytes[range]))
        }
        let gathered = [UInt8](unsafeUninitializedCapacity: message.bodyLength) { buffer, initializedCount in
            let destination = UnsafeMutableBufferPointer(rebasing: buffer[..<message.bodyLength])
            reassembler.gatherBody(of: bytes, into: UnsafeMutableRawBufferPointer(destination))
            initializedCount = message.bodyLength
        }
        return gathered.withUnsafeBytes(body)
    }

    static let clientHelloMessageType: UInt8 = 1
}
