/// The answer of ``ClientHelloParser`` for the bytes received so far.
///
/// Answers are monotone: once a prefix of the stream gives ``clientHello(_:)`` or
/// ``notClientHello(_:)``, every longer prefix gives the same answer, so a proxy may stop reading
/// and decide as soon as it gets one.
public enum ClientHelloParseResult: Sendable, Equatable {
    /// The bytes so far are a valid prefix of a ClientHello; more bytes may complete it.
    case needMoreData
    /// A complete ClientHello was found at the start of the bytes. Bytes after it are ignored.
    case clientHello(ClientHello)
    /// Definitive: whatever bytes follow, this stream does not begin with a ClientHello.
    case notClientHello(NotClientHelloReason)
}
