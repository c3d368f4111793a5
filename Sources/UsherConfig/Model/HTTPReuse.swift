/// `http-reuse never|safe|aggressive|always`: how idle server connections are shared between
/// requests of different clients. HAProxy's default is `safe`.
public enum HTTPReuse: String, Sendable, Equatable, CaseIterable {
    /// Never shared between sessions.
    case never
    /// A session's first request gets its own connection; later ones may use any idle one.
    case safe
    /// First requests may use idle connections that have already been reused once.
    case aggressive
    /// Any request may use any idle connection.
    case always
}
