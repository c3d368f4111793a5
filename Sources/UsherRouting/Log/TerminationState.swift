/// The first two characters of HAProxy's session state at close (`%ts`): who ended the session, and
/// in which phase.
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
        /// An internal error.
        case `internal` = "I"
        /// The proxy was stopping.
        case down = "D"
        /// The proxy was told to kill it.
        case killed = "K"
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

    public init(_ cause: Cause, _ phase: Phase) {
        self.cause = cause
        self.phase = phase
    }

    public static let normal = TerminationState(.none, .none)

    public var description: String { "\(cause.rawValue)\(phase.rawValue)" }
}
