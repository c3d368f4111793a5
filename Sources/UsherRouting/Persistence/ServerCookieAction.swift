/// What became of the persistence cookie in a response, the fourth character of HAProxy's HTTP
/// session state (`%tsc`).
public enum ServerCookieAction: Character, Sendable, Equatable {
    /// The server sent none and none was inserted.
    case none = "N"
    /// The server sent one and it went to the client untouched (passive mode, `preserve`).
    case passed = "P"
    /// The server's cookie was removed.
    case deleted = "D"
    /// The proxy inserted one (`insert` mode), replacing any the server sent.
    case inserted = "I"
    /// The server's cookie was rewritten (`rewrite` and `prefix` modes).
    case rewritten = "R"
    /// Only the last-seen date of the client's cookie was refreshed (`insert` with `maxidle`).
    case updated = "U"
    /// The backend has no persistence cookie.
    case notApplicable = "-"
}
