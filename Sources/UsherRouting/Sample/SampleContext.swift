import NIOCore

/// What sample fetches look at: the connection's addresses and the bytes the client has sent so far.
public struct SampleContext {
    public var connection: ConnectionInfo
    /// The request bytes received so far (not consumed).
    public var payload: ByteBuffer
    /// No more bytes will be waited for (the inspect delay expired, the buffer is full or the client
    /// closed): fetches that lack data answer "no value" rather than "need more data".
    public var isFinal: Bool
    /// In HTTP mode, the request being routed; its fetches (`path`, `hdr()`…) have no value without it.
    public var request: HTTPRequestHead?
    /// In HTTP mode, once the server has answered: what `http-response` rules and `res.*` fetches see.
    public var response: HTTPResponseHead?
    /// The session keeping the connection's variables (`var()`, `set-var`). Without one (a test's
    /// context, a health check's) variables have no value and setting them does nothing.
    public var variables: (any VariableStorage)?
    /// The connection's stick counters (`track-sc`, `sc_*` fetches). Without them (a test's
    /// context, a health check's) `sc_*` fetches have no value and tracking does nothing.
    public var stickCounters: StickCounters?

    let helloParser: ClientHelloParser
    private var cachedHello: ClientHelloParseResult?

    public init(
        connection: ConnectionInfo, payload: ByteBuffer, isFinal: Bool, helloParser: ClientHelloParser = ClientHelloParser(),
        request: HTTPRequestHead? = nil, response: HTTPResponseHead? = nil, variables: (any VariableStorage)? = nil
    ) {
        self.connection = connection
        self.payload = payload
        self.isFinal = isFinal
        self.request = request
        self.response = response
        self.variables = variables
        self.helloParser = helloParser
    }

    /// The ClientHello in the payload, parsed once per context.
    mutating func clientHello() -> ClientHelloParseResult {
        if let cachedHello { return cachedHello }
        let result = payload.withUnsafeReadableBytes { helloParser.parse($0) }
        cachedHello = result
        return result
    }

    /// Turns "need more data" into "no value" once nothing more will arrive.
    func settle<T>(_ result: FetchResult<T>) -> FetchResult<T> {
        if case .needMoreData = result, isFinal { return .noValue }
        return result
    }
}
