/// The facts of one finished HTTP request, formatted as HAProxy 2.6's `option httplog` line:
///
///     %ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r
///
/// The captured header blocks (`%hr`, `%hs`) appear only when the frontend captures headers; the
/// request line is quoted, with `"`, `#` and bytes outside printable ASCII written `#XX`.
public struct HTTPLogRecord: Sendable, Equatable {
    public var clientAddress: String
    public var clientPort: Int
    /// When the first byte of the request arrived (`%tr`).
    public var requestDate: LogTimestamp
    public var frontend: String
    /// The backend name, or the frontend's when the request never got one.
    public var backend: String
    /// The server name, or `<NOSRV>` when the request reached none.
    public var server: String
    /// `TR`: milliseconds from the first byte of the request to the end of its headers; -1 if the
    /// headers never completed.
    public var requestTime: Int
    /// `Tw`: milliseconds waited in queues; -1 if the request never reached one.
    public var queueTime: Int
    /// `Tc`: milliseconds to connect to the server; -1 if it never connected.
    public var connectTime: Int
    /// `Tr`: milliseconds from the connection to the complete response headers; -1 if they never
    /// came.
    public var responseTime: Int
    /// `Ta`: milliseconds from the first byte of the request to the last byte of the response.
    public var activeTime: Int
    /// The status sent to the client; -1 when none was.
    public var status: Int
    /// Bytes sent to the client, headers included.
    public var bytesToClient: Int64
    /// `capture cookie`: the `name=value` the client sent, if captured.
    public var capturedRequestCookie: String?
    /// `capture cookie`: the `name=value` the server set, if captured.
    public var capturedResponseCookie: String?
    /// With the persistence cookie states: printed as four characters.
    public var termination: TerminationState
    public var counters: SessionCounters
    /// `capture request header` values in declaration order (a missing header as ""), or `nil` when
    /// the frontend captures none: then the `{…}` block is left out.
    public var capturedRequestHeaders: [String]?
    /// `capture response header` values, likewise.
    public var capturedResponseHeaders: [String]?
    /// The request line as received (`GET /x HTTP/1.1`), or `nil` for a request that could not be
    /// parsed (logged as `<BADREQ>`).
    public var requestLine: String?
    /// The stream's unique ID (`unique-id-format`), `%ID`.
    public var uniqueID: String?
    /// Logged before the end (`option logasap`): the total times and byte count are marked `+`.
    public var isEarly = false
    /// The client connection came over TLS that usher terminated: `%ft` then ends in `~`.
    public var overTLS = false

    /// `%ft`: the frontend's name, with `~` when the connection came over TLS, as HAProxy marks it.
    public var transportFrontend: String { overTLS ? frontend + "~" : frontend }

    public init(
        clientAddress: String, clientPort: Int, requestDate: LogTimestamp, frontend: String, backend: String, server: String,
        requestTime: Int, queueTime: Int, connectTime: Int, responseTime: Int, activeTime: Int, status: Int, bytesToClient: Int64,
        capturedRequestCookie: String? = nil, capturedResponseCookie: String? = nil, termination: TerminationState,
        counters: SessionCounters, capturedRequestHeaders: [String]? = nil, capturedResponseHeaders: [String]? = nil, requestLine: String?
    ) {
        self.clientAddress = clientAddress
        self.clientPort = clientPort
        self.requestDate = requestDate
        self.frontend = frontend
        self.backend = backend
        self.server = server
        self.requestTime = requestTime
        self.queueTime = queueTime
        self.connectTime = connectTime
        self.responseTime = responseTime
        self.activeTime = activeTime
        self.status = status
        self.bytesToClient = bytesToClient
        self.capturedRequestCookie = capturedRequestCookie
        self.capturedResponseCookie = capturedResponseCookie
        self.termination = termination
        self.counters = counters
        self.capturedRequestHeaders = capturedRequestHeaders
        self.capturedResponseHeaders = capturedResponseHeaders
        self.requestLine = requestLine
    }

    /// HAProxy keeps at most this many bytes of the request line for the log (`tune.http.logurilen`
    /// 1024, less its terminating byte).
    public static let maximumRequestLineLength = 1023

    /// The line, without any syslog header.
    /// `+` before a figure that is only what it was so far (`option logasap`).
    var soFar: String { isEarly ? "+" : "" }

    public var line: String {
        var line = "\(clientAddress):\(clientPort) [\(requestDate.acceptDateText)] \(transportFrontend) \(backend)/\(server) "
            + "\(requestTime)/\(queueTime)/\(connectTime)/\(responseTime)/\(soFar)\(activeTime) \(status) \(soFar)\(bytesToClient) "
            + "\(capturedRequestCookie ?? "-") \(capturedResponseCookie ?? "-") \(termination.httpDescription) \(counters.text) "
        // Empty fields take no room: without captures the request line follows the queues directly.
        for captures in [capturedRequestHeaders, capturedResponseHeaders] {
            guard let captures else { continue }
            line += "{" + captures.map { Self.encode($0.utf8, Self.headerEscapes) }.joined(separator: "|") + "} "
        }
        let request = requestLine.map { Self.encode($0.utf8.prefix(Self.maximumRequestLineLength), Self.requestEscapes) }
        return line + "\"\(request ?? "<BADREQ>")\""
    }

    /// Besides control and non-ASCII bytes, what the request line and captured headers escape.
    static let requestEscapes: Set<UInt8> = [UInt8(ascii: "\""), UInt8(ascii: "#")]
    static let headerEscapes: Set<UInt8> = [UInt8(ascii: "\""), UInt8(ascii: "#"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}")]

    /// `bytes` as text, with those below 32, from 127, and those in `escaped` written as `#XX`.
    static func encode(_ bytes: some Collection<UInt8>, _ escaped: Set<UInt8>) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        for byte in bytes {
            if byte < 32 || byte >= 127 || escaped.contains(byte) {
                result.append(UInt8(ascii: "#"))
                result += Converter.hexDigits[Int(byte >> 4)].utf8
                result += Converter.hexDigits[Int(byte & 0xF)].utf8
            } else {
                result.append(byte)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
