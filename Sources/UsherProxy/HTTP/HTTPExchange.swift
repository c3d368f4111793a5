import NIOCore
import UsherConfig
import UsherRouting

/// One request and its response through an HTTP session: where it went and what the log line
/// needs about it.
final class HTTPExchange {
    /// When the request began: accept for the first, the end of the previous exchange (or the
    /// first byte, in keep-alive) for the next ones.
    let started: NIODeadline
    let wallMicroseconds: Int64
    /// The request as the client sent it, for the log line and `http-response` rules.
    let request: HTTPRequestHead
    var backend: BackendRuntime?
    /// The stream's number in the process (`%rt`) and its unique ID (`unique-id-format`).
    var streamNumber = 0
    var uniqueID: String?
    /// `compression`: the algorithm the request allows, and the compressor once the response qualifies.
    var compressionAlgorithm: HTTPCompression.Algorithm?
    var compressionTypes: [String] = []
    var compressor: ResponseCompressor?
    /// Logged as the response head went out (`option logasap`): not again at the end.
    var isLoggedEarly = false
    /// Whether a rule asked for the unique ID already (`%ID` prints it from then on).
    var uniqueIDIsSet = false
    /// The frontend's client-side and the backend's server-side timeouts, merged once the backend
    /// is chosen.
    var timeouts: Timeouts?
    var connector: ServerConnector?
    /// Milliseconds from `started` until the head was complete (`TR`, `Th` folded in).
    var headMilliseconds = -1
    /// Milliseconds from the request sent until the response head arrived (`Tr`).
    var responseMilliseconds = -1
    var requestSentAt: NIODeadline?
    var status = -1
    /// The status the server answered with, before any rule replaced the response (-1: none came).
    var serverStatus = -1
    var bytesToClient = 0
    var bytesFromClient = 0
    /// Request body bytes written to the server so far.
    var bodyBytesForwarded = 0
    /// The head as sent to the server, kept to send again after a reused connection turned out
    /// closed.
    var sentHead: ByteBuffer?
    var termination = TerminationState.normal
    /// The client's connection stays open after this exchange.
    var clientKeepAlive = false
    /// The server's connection may serve another request after this one.
    var serverKeepAlive = false
    /// An upgrade request (WebSocket): a 101 turns both sides into a tunnel.
    var isUpgrade = false
    /// `Sec-WebSocket-Key` of a WebSocket upgrade, to check the server's accept value against.
    var webSocketKey: String?
    /// The server connection was reused from an earlier exchange: if it turns out closed before
    /// any answer, the request is sent again on a new connection (its body from `replayBody`).
    var onReusedConnection = false
    /// The body bytes written on a reused connection before any answer came, kept (up to
    /// `tune.bufsize`) to send again if the server turns out to have closed it: a server that
    /// closes right after an answer that did not say so, or at its idle timeout, races the next
    /// request.
    var replayBody: ByteBuffer?
    /// False once the body bytes no longer fit in `replayBody`, or an answer has begun: the
    /// request cannot be sent again (a close is then a 502).
    var canReplay = true
    /// The server's answer has begun reaching the client: errors can no longer be reported with a
    /// status.
    var responseStarted = false
    /// The server a `use-server` rule or the persistence cookie sends the request to, if any.
    var forcedServer: Int?
    /// Keys `stick store-request` rules keep once the server is known.
    var stickStores: [StickPersistence.PendingStore] = []
    /// What the persistence cookie in the request said, for the response's cookie and the log.
    var cookieRequest: PersistenceCookie.RequestOutcome?
    /// What was done with the persistence cookie in the response (the log's fourth state character).
    var serverCookie = ServerCookieAction.notApplicable
    /// The request as the backend's rules left it, kept when a server of the backend has an `sni`
    /// expression to evaluate on it.
    var serverNameContext: SampleContext?
    /// What usher itself did with the request, for the stats' `dreq` and `intercepted`.
    var outcome = LocalOutcome.forwarded
    /// Set while an `http-request tarpit` holds the request.
    var tarpit: Tarpit?
    /// How long the tarpit held the request: the log's `Tw`, as HAProxy reports it.
    var tarpitMilliseconds: Int?

    /// An `http-request tarpit` under way: the answer to give when it ends.
    struct Tarpit {
        let started: NIODeadline
        let until: NIODeadline
        let answer: CompiledHTTPRules.Outcome
        let framing: HTTPBodyFraming
    }

    enum LocalOutcome {
        case forwarded
        /// An `http-request deny` (or another refusing rule).
        case denied
        /// Answered by usher: a redirect, a `return`, the stats page, `monitor-uri`.
        case intercepted
        /// The server's response was refused by an `http-response deny`.
        case responseDenied
    }

    /// False for the stand-in of a request whose head could not be parsed (`<BADREQ>`).
    let isParsed: Bool
    /// `capture request header` values, once the head is in.
    var capturedRequestHeaders: [String?]?
    /// `capture response header` values, once the response head is in.
    var capturedResponseHeaders: [String?]?

    init(started: NIODeadline, wallMicroseconds: Int64, request: HTTPRequestHead, isParsed: Bool = true) {
        self.started = started
        self.wallMicroseconds = wallMicroseconds
        self.request = request
        self.isParsed = isParsed
    }

    var server: ServerRuntime? { connector?.server }
}

@available(*, unavailable)
extension HTTPExchange: Sendable {}
