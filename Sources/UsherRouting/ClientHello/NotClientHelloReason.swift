/// Why the bytes at the start of a stream will never become a ClientHello.
public enum NotClientHelloReason: Sendable, Equatable {
    /// The first record is neither a TLS handshake record (content type 22, major version 3)
    /// nor an SSLv2-format record: plain HTTP, SSH, a non-TLS protocol. Decided from the
    /// first one or two bytes.
    case notHandshakeRecord
    /// A handshake record whose first handshake message is not a `client_hello` (type 1),
    /// or an SSLv2-format record whose message is not a client hello.
    case notClientHelloMessage
    /// The framing is broken: a length that points past the end of its enclosing structure,
    /// a record of length 0 or above 2^14, a non-handshake record in the middle of the hello,
    /// a list shorter than its protocol minimum, a repeated extension that usher reads, or
    /// bytes left over inside the hello.
    case malformed
    /// The handshake message announces a length above ``ClientHelloParser/maximumHelloSize``.
    case tooLarge
}
