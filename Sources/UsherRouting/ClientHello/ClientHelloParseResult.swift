/// The answer of ``ClientHelloParser`` for the bytes received so far.
///
/// Answers are monotone: once a prefix of the stream gives ``clientHello(_:)`` or
/// ``notClientHello(_:)``, every longer prefix gives the same answer, so a proxy may stop reading
/// and decide as soon as it gets one.
public enum ClientHelloParseResult: Sendable, Equatable {
    /// The bytes so far are a valid prefix of a ClientHello; more bytes may complete it.
    ///
    /// "Valid" as far as the bytes can be judged before the hello is complete: the record
    /// headers, the handshake type and the handshake length are checked as soon as they arrive;
    /// the hello's body (session id, cipher suites, extensions) is judged once all of it is
    /// there, as HAProxy does.
    case needMoreData
    /// A complete ClientHello was found at the start of the bytes. Bytes after it are ignored.
    case clientHello(ClientHello)
    /// Definitive: whatever bytes follow, this stream does not begin with a ClientHello.
    case notClientHello(NotClientHelloReason)
}
