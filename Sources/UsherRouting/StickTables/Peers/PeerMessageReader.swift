/// Cuts the bytes a peer sends into messages. Holds at most one message's bytes beyond what it
/// was given: a message longer than `maximumMessageLength` is an error, not a wait.
public struct PeerMessageReader: Sendable {
    /// HAProxy's own limit is its buffer size (16 kB by default).
    public static let defaultMaximumMessageLength = 16_384

    public let maximumMessageLength: Int
    private var buffer: [UInt8] = []
    private var start = 0

    public init(maximumMessageLength: Int = Self.defaultMaximumMessageLength) {
        self.maximumMessageLength = maximumMessageLength
    }

    /// Bytes received and not yet part of a returned message.
    public var pendingCount: Int { buffer.count - start }

    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 4096 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole message, nil until its bytes are all there.
    public mutating func next() throws(PeerProtocolError) -> PeerMessage? {
        let available = buffer[start...]
        guard available.count >= 2 else { return nil }
        let messageClass = available[start]
        let type = available[start + 1]
        guard type >= 0x80 else {
            start += 2
            return try PeerMessage.parse(messageClass: messageClass, type: type, payload: [])
        }
        var index = start + 2
        guard let length = PeerVarint.decode(available, at: &index) else {
            // Too short yet, unless the length already runs past the longest encoding.
            if available.count - 2 >= PeerVarint.maximumLength { throw PeerProtocolError("a message length that is no valid number") }
            return nil
        }
        guard length <= UInt64(maximumMessageLength) else {
            throw PeerProtocolError("a message of \(length) bytes, more than the \(maximumMessageLength) accepted", isSizeLimit: true)
        }
        let end = index + Int(length)
        guard end <= buffer.count else { return nil }
        start = end
        return try PeerMessage.parse(messageClass: messageClass, type: type, payload: buffer[index..<end])
    }
}
