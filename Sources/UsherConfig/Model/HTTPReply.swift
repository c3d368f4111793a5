/// The response of an `http-request`/`http-response` `return`, `deny` or `tarpit` rule:
/// `[status CODE] [content-type TYPE] [PAYLOAD] [hdr NAME FMT]…`.
public struct HTTPReply: Sendable, Equatable {
    /// What follows the status line.
    public enum Payload: Sendable, Equatable {
        /// No payload: only the status (and the `hdr` headers). HAProxy's "dummy" response.
        case none
        /// The proxy's error page for `status` (`errorfile`, `errorloc`, else HAProxy's own):
        /// `default-errorfiles`, implied by a `deny` or `tarpit` with no argument but `deny_status`.
        case proxyErrorPage
        /// `errorfile FILE`: a complete HTTP response (status line, headers, body), read while
        /// parsing. Empty means "close without a response". `status` only selects the log status.
        case errorFile(path: String, contents: [UInt8])
        /// `file FILE`: the body, read while parsing.
        case file(path: String, contents: [UInt8])
        /// `string TEXT`: the body, as is.
        case string(String)
        /// `lf-string FMT`: the body, a log-format string evaluated per response.
        case logFormat(String)
    }

    public var status: Int
    /// `content-type TYPE`; required by HAProxy when the payload is a non-empty body.
    public var contentType: String?
    public var payload: Payload
    /// `hdr NAME FMT`, in order. Empty for `errorFile` and `proxyErrorPage` payloads, which are
    /// complete responses.
    public var headers: [HTTPHeaderField]

    public init(status: Int, contentType: String? = nil, payload: Payload, headers: [HTTPHeaderField] = []) {
        self.status = status
        self.contentType = contentType
        self.payload = payload
        self.headers = headers
    }
}
