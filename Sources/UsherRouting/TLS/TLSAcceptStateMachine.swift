/// The start of a connection to a `bind … ssl`, before the TLS library takes it: the ClientHello
/// is read whole (bounded by `ClientHelloParser.maximumHelloSize`), the certificate chosen by its
/// server name, and the proxy's ServerHello read on its way out for what the library does not say
/// (the cipher, a resumption). No I/O: `TLSAcceptHandler` feeds it bytes and does what it answers.
public struct TLSAcceptStateMachine: Sendable {
    public enum Action: Sendable, Equatable {
        /// The hello is not whole yet: read more.
        case readMore
        /// `accept-proxy`: the PROXY protocol header that comes before the hello (nil for a
        /// `LOCAL` one) took the first `length` bytes; drop them and feed the rest again.
        case proxyHeader(ProxyProtocolHeader?, length: Int)
        /// Hand the connection to the TLS library with this certificate entry's context; the bytes
        /// read so far are replayed to it. `hello` is nil when the bytes are not a readable hello
        /// (the library then fails the handshake with the alert it sends for them).
        case handshake(certificate: Int, hello: ClientHello?)
        /// Not TLS at all (plain HTTP on a TLS port): closed without a byte, as HAProxy does.
        case close
        /// A fatal alert, then close: `strict-sni` and a name no certificate serves (112,
        /// unrecognized_name, as HAProxy's OpenSSL sends).
        case refuse(alert: UInt8)
    }

    public enum State: Sendable, Equatable {
        case readingProxyHeader
        case readingHello
        case waitingForServerHello(clientSessionID: [UInt8])
        case done
    }

    public private(set) var state: State
    private let parser: ClientHelloParser
    private let chooser: CertificateChooser

    public init(chooser: CertificateChooser, parser: ClientHelloParser = ClientHelloParser(), expectsProxyHeader: Bool = false) {
        self.chooser = chooser
        self.parser = parser
        self.state = expectsProxyHeader ? .readingProxyHeader : .readingHello
    }

    /// Whether the client's bytes are still being read (before the TLS library has them).
    public var isReading: Bool { state == .readingProxyHeader || state == .readingHello }

    /// Everything the client has sent so far (the same bytes again, and more, on each call).
    public mutating func received(_ bytes: UnsafeRawBufferPointer) -> Action {
        if case .readingProxyHeader = state {
            switch ProxyProtocolParser.parse(bytes) {
            case .needMoreData:
                return .readMore
            case .invalid:
                state = .done
                return .close
            case .header(let header, let length):
                state = .readingHello
                return .proxyHeader(header, length: length)
            }
        }
        guard case .readingHello = state else { return .readMore }
        switch parser.parse(bytes) {
        case .needMoreData:
            return .readMore
        case .notClientHello(.notHandshakeRecord):
            state = .done
            return .close
        case .notClientHello:
            state = .done
            // No name can be read: with `strict-sni` that is a refusal, as for a hello without one.
            guard let index = chooser.choose(serverName: nil) else { return .refuse(alert: 112) }
            return .handshake(certificate: index, hello: nil)
        case .clientHello(let hello):
            let signatures = hello.certificateSignatures
            let support = CertificateChooser.SignatureSupport(rsa: signatures.rsa, ecdsa: signatures.ecdsa)
            guard let index = chooser.choose(serverName: hello.serverName, signatures: support) else {
                state = .done
                return .refuse(alert: 112)
            }
            state = .waitingForServerHello(clientSessionID: hello.sessionID)
            return .handshake(certificate: index, hello: hello)
        }
    }

    /// The proxy's first bytes to the client; nil until they hold its ServerHello (or if they
    /// never will), after which the machine is done.
    public mutating func sent(_ bytes: UnsafeRawBufferPointer) -> ServerHelloSummary? {
        guard case .waitingForServerHello(let sessionID) = state else { return nil }
        // A HelloRetryRequest has a ServerHello's shape: the real one follows the client's second hello.
        if ServerHelloSummary.isHelloRetryRequest(bytes) { return nil }
        state = .done
        return ServerHelloSummary.parse(bytes, clientSessionID: sessionID)
    }

    /// A fatal TLS alert record.
    public static func alertRecord(_ description: UInt8) -> [UInt8] {
        [21, 3, 3, 0, 2, 2, description]
    }
}
