/// Finds the first TLS handshake message of a stream, whether it sits in one record or is
/// fragmented over several consecutive handshake records (RFC 8446 §5.1), and whether or not all
/// its bytes have arrived yet.
///
/// The walk reads the bytes strictly in order and stops at the first byte it needs but does not
/// have, so every definitive answer depends only on bytes already seen: a longer prefix of the
/// same stream can never change it.
struct HandshakeMessageReassembler {
    /// A complete first handshake message.
    struct Message {
        /// `msg_type` of the handshake header.
        var type: UInt8
        /// The version field of the first record header.
        var recordVersion: UInt16
        /// The 24-bit length of the handshake header: the body length.
        var bodyLength: Int
        /// Where the body is in the input when the whole message came in the first record,
        /// which is the common case and needs no copy; `nil` when it is fragmented.
        var contiguousBody: Range<Int>?
    }

    enum Location {
        case needMoreData
        case failure(NotClientHelloReason)
        case complete(Message)
    }

    static let recordHeaderLength = 5
    static let handshakeHeaderLength = 4
    /// RFC 8446 §5.1: a plaintext record fragment is at most 2^14 bytes.
    static let maximumFragmentLength = 16_384
    static let handshakeContentType: UInt8 = 22

    /// Messages whose header announces a longer body fail with `.tooLarge`.
    var maximumBodyLength: Int
    /// When set, a first message of another type fails with `.notClientHelloMessage` as soon as
    /// its type byte arrives.
    var requiredMessageType: UInt8?

    func locate(_ bytes: UnsafeRawBufferPointer) -> Location {
        self.walk(bytes, copyingBodyInto: nil)
    }

    /// Copies the body of a message that ``locate(_:)`` found complete but fragmented into
    /// `destination`, which must hold exactly `bodyLength` bytes.
    func gatherBody(of bytes: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) {
        guard case .complete(let message) = self.walk(bytes, copyingBodyInto: destination),
            message.bodyLength == destination.count
        else {
            preconditionFailure("gatherBody(of:into:) called on bytes without a complete handshake message")
        }
    }

    /// The single walk over the records behind both ``locate(_:)`` and
    /// ``gatherBody(of:into:)``, so that both always agree on the framing.
    private func walk(
        _ bytes: UnsafeRawBufferPointer,
        copyingBodyInto destination: UnsafeMutableRawBufferPointer?
    ) -> Location {
        let count = bytes.count
        var recordStart = 0
        var isFirstRecord = true
        var recordVersion: UInt16 = 0
        // The handshake header, accumulated byte by byte because it may itself be fragmented.
        var header: UInt32 = 0
        // How many bytes of the handshake message (header included) have been walked over.
        var messageBytesSeen = 0
        // 4 + body length, once the header is complete.
        var messageLength: Int? = nil

        while true {
            // The record header. Its first two bytes are judged as soon as they arrive, so that
            // non-TLS traffic is turned away after one or two bytes.
            guard recordStart < count else {
                return .needMoreData
            }
            guard bytes[recordStart] == Self.handshakeContentType else {
                return .failure(isFirstRecord ? .notHandshakeRecord : .malformed)
            }
            guard recordStart + 1 < count else {
                return .needMoreData
            }
            guard bytes[recordStart + 1] == 3 else {
                return .failure(isFirstRecord ? .notHandshakeRecord : .malformed)
            }
            guard recordStart + Self.recordHeaderLength <= count else {
                return .needMoreData
            }
            if isFirstRecord {
                recordVersion = UInt16(bytes[recordStart + 1]) << 8 | UInt16(bytes[recordStart + 2])
            }
            let fragmentLength = Int(bytes[recordStart + 3]) << 8 | Int(bytes[recordStart + 4])
            // RFC 8446 §5.1: no zero-length handshake fragments, none above 2^14.
            guard fragmentLength > 0, fragmentLength <= Self.maximumFragmentLength else {
                return .failure(.malformed)
            }
            let fragmentStart = recordStart + Self.recordHeaderLength
            let fragmentEnd = fragmentStart + fragmentLength
            var position = fragmentStart

            while messageLength == nil, position < fragmentEnd {
                guard position < count else {
                    return .needMoreData
                }
                let byte = bytes[position]
                header = header << 8 | UInt32(byte)
                position += 1
                messageBytesSeen += 1
                if messageBytesSeen == 1, let required = self.requiredMessageType, byte != required {
                    return .failure(.notClientHelloMessage)
                }
                if messageBytesSeen == Self.handshakeHeaderLength {
                    let bodyLength = Int(header & 0x00FF_FFFF)
                    guard bodyLength <= self.maximumBodyLength else {
                        return .failure(.tooLarge)
                    }
                    messageLength = Self.handshakeHeaderLength + bodyLength
                }
            }

            if let messageLength {
                let wanted = messageLength - messageBytesSeen
                let inThisFragment = min(wanted, fragmentEnd - position)
                let available = min(inThisFragment, count - position)
                if let destination, available > 0 {
                    let offset = messageBytesSeen - Self.handshakeHeaderLength
                    UnsafeMutableRawBufferPointer(rebasing: destination[offset..<(offset + available)])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + available)]))
                }
                messageBytesSeen += available
                position += available
                if messageBytesSeen == messageLength {
                    let bodyLength = messageLength - Self.handshakeHeaderLength
                    let bodyStart = fragmentStart + Self.handshakeHeaderLength
                    return .complete(
                        Message(
                            type: UInt8(truncatingIfNeeded: header >> 24),
                            recordVersion: recordVersion,
                            bodyLength: bodyLength,
                            contiguousBody: isFirstRecord ? bodyStart..<(bodyStart + bodyLength) : nil
                        )
                    )
                }
                if available < inThisFragment {
                    return .needMoreData
                }
            }

            // This fragment is used up and the message is not complete: it continues in the
            // next record, which must be a handshake record too.
            recordStart = fragmentEnd
            isFirstRecord = false
        }
    }
}
