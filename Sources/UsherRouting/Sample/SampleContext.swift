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

    /// The frontend, backend and server of the stream, its number and unique ID.
    public var stream = StreamFacts()
    /// The exchange's capture slots, as headers and rules fill them.
    public var captures = CaptureSlots()

    /// The results of the password checks made for this request, by hash (`http_auth`,
    /// `http_auth_group`): the proxy fills it with the checks it made off its event loop.
    public var credentialResults: [String: Bool] = [:]

    /// In `mode tcp`: HTTP fetches read the request bytes as an HTTP/1 request head, as HAProxy
    /// lets them (`path_beg` on a port shared by several protocols).
    public var readsHTTPFromPayload = false

    let helloParser: ClientHelloParser
    private var cachedHello: ClientHelloParseResult?
    /// The payload's head, once read (or found not to be one), for `readsHTTPFromPayload`.
    private var payloadHead: FetchResult<HTTPRequestHead>?

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

    /// With `readsHTTPFromPayload` and no request yet, reads the payload as a request head and makes
    /// it `request`: "need more data" while the head is incomplete (and more may come), "no value"
    /// if the bytes are no HTTP/1 request. Otherwise (a request is there) a value.
    mutating func prepareRequestFromPayload() -> FetchResult<Void> {
        guard request == nil, readsHTTPFromPayload else { return .value(()) }
        if let payloadHead, case .value(let head) = payloadHead {
            request = head
            return .value(())
        }
        if case .noValue? = payloadHead { return .noValue }
        let result: FetchResult<HTTPRequestHead> = payload.withUnsafeReadableBytes { bytes in
            var scanner = HTTPHeadScanner()
            guard let length = scanner.headLength(in: bytes) else {
                // A head longer than a buffer will never be read here.
                if bytes.count >= HTTPLimits().maxHeadBytes { return .noValue }
                // What has come so far must at least start like a request.
                if (try? HTTPHeadParser.checkRequestLine(bytes)) == nil { return .noValue }
                return .needMoreData
            }
            guard let head = try? HTTPHeadParser.parseRequest(UnsafeRawBufferPointer(rebasing: bytes[..<length])) else { return .noValue }
            return .value(head)
        }
        switch result {
        case .value(let head):
            payloadHead = result
            request = head
            return .value(())
        case .noValue:
            payloadHead = .noValue
            return .noValue
        case .needMoreData:
            return settle(.needMoreData)
        }
    }

    /// Turns "need more data" into "no value" once nothing more will arrive.
    func settle<T>(_ result: FetchResult<T>) -> FetchResult<T> {
        if case .needMoreData = result, isFinal { return .noValue }
        return result
    }
}

/// A frontend's capture slots for one exchange (`capture request|response header`, `declare
/// capture`, `http-request capture … len`): what each holds so far and its length limit. The log's
/// `%hr`/`%hs` show them; `capture.req.hdr(N)` and `capture.res.hdr(N)` read them.
public struct CaptureSlots: Sendable, Equatable {
    /// Each slot's value; nil until something filled it.
    public var request: [String?] = []
    public var requestLengths: [Int] = []
    public var response: [String?] = []
    public var responseLengths: [Int] = []

    public init() {}

    /// Puts `value`, cut to the slot's length, into slot `slot`; a slot the frontend lacks is
    /// ignored, as HAProxy ignores it at run time.
    mutating func store(_ value: String, slot: Int, response isResponse: Bool) {
        if isResponse {
            guard response.indices.contains(slot), responseLengths.indices.contains(slot) else { return }
            response[slot] = String(decoding: value.utf8.prefix(responseLengths[slot]), as: UTF8.self)
        } else {
            guard request.indices.contains(slot), requestLengths.indices.contains(slot) else { return }
            request[slot] = String(decoding: value.utf8.prefix(requestLengths[slot]), as: UTF8.self)
        }
    }
}
