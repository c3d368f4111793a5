/// What the persistence cookie of a request said, the third character of HAProxy's HTTP session
/// state (`%tsc`).
public enum ClientCookieStatus: Character, Sendable, Equatable {
    /// The request had no persistence cookie.
    case none = "N"
    /// The cookie named no known server (or was empty).
    case invalid = "I"
    /// The cookie named a server that is down: the request went there anyway (`option persist`) or
    /// was balanced.
    case down = "D"
    /// The cookie named a usable server, which got the request.
    case valid = "V"
    /// The cookie's last-seen date was older than `maxidle` (or too far in the future): ignored.
    case expired = "E"
    /// The cookie's first date was older than `maxlife` (or too far in the future): ignored.
    case old = "O"
    /// The cookie was there but something else chose the server (`use-server`, `ignore-persist`).
    case unused = "U"
    /// The backend has no persistence cookie.
    case notApplicable = "-"
}
