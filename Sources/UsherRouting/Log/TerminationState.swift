/// HAProxy's session state at close: who ended the session and in which phase (`%ts`, the TCP log's
/// two characters), and for HTTP what became of the persistence cookie (`%tsc`, four characters).
public struct TerminationState: Sendable, Equatable, CustomStringConvertible {
    /// The first event that ended the session.
    public enum Cause: Character, Sendable {
        /// Normal end.
        case none = "-"
        /// The client aborted or failed.
        case clientAbort = "C"
        /// The server aborted or refused.
        case serverAbort = "S"
        /// The proxy itself blocked it (rules, no server…).
        case proxy = "P"
        /// A local resource ran out.
        case resource = "R"
        /// The proxy answered the request itself (a redirect, the statistics page…).
        case local = "L"
        /// An internal error.
        case `internal` = "I"
        /// The proxy was stopping.
        case down = "D"
        /// The proxy was told to kill it.
        case killed = "K"
        /// Killed on a backup server because an active server came back up.
        case activeServerUp = "U"
        /// A client-side timeout.
        case clientTimeout = "c"
        /// A server-side timeout.
        case serverTimeout = "s"
    }

    /// The phase the session was in.
    public enum Phase: Character, Sendable {
        /// Waiting for the request (or inspecting it).
        case request = "R"
        /// Waiting in a queue.
        case queue = "Q"
        /// Connecting to the server.
        case connect = "C"
        /// Waiting for the response headers (HTTP).
        case headers = "H"
        /// Transferring data.
        case data = "D"
        /// Closing: the last data were sent, the other side was slow to close.
        case closing = "L"
        /// Tarpitted.
        case tarpit = "T"
        /// Normal end.
        case none = "-"
    }

    public var cause: Cause
    public var phase: Phase
    /// HTTP only: the persistence cookie the client sent.
    public var clientCookie: ClientCookieStatus
    /// HTTP only: what became of the persistence cookie in the response.
    public var serverCookie: ServerCookieAction

    public init(_ cause: Cause, _ phase: Phase, clientCookie: ClientCookieStatus = .notApplicable, serverCookie: ServerCookieAction = .notApplicable) {
        self.cause = cause
        self.phase = phase
        self.clientCookie = clientCookie
        self.serverCookie = serverCookie
    }

    public static let normal = TerminationState(.none, .none)

    /// The two characters of the TCP log (`%ts`).
    public var description: String { "\(cause.rawValue)\(phase.rawValue)" }

    /// The four characters of the HTTP log (`%tsc`).
    public var httpDescription: String { "\(cause.rawValue)\(phase.rawValue)\(clientCookie.rawValue)\(serverCookie.rawValue)" }
}
