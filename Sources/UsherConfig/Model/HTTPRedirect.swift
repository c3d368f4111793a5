/// A redirect: `redirect …`, `http-request redirect …` or `http-response redirect location …`.
public struct HTTPRedirect: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// `location LOC`: `Location` is exactly the value.
        case location
        /// `prefix PFX`: `Location` is the value then the request's URI (a value of `/` alone adds
        /// nothing in front).
        case prefix
        /// `scheme SCH`: `Location` is the value, `://`, the request's `Host` and its URI.
        case scheme
    }

    /// `set-cookie NAME[=VALUE]` or `clear-cookie NAME[=]` (the last one written wins).
    public enum Cookie: Sendable, Equatable {
        /// Add `Set-Cookie: NAME[=VALUE]`, a session cookie.
        case set(String)
        /// Add `Set-Cookie: NAME[=]` with `Max-Age=0`, so the browser deletes it.
        case clear(String)
    }

    /// The status codes HAProxy can redirect with.
    public static let allowedCodes = [301, 302, 303, 307, 308]

    public var kind: Kind
    /// The location, prefix or scheme. A log-format string when `valueIsLogFormat`.
    public var value: String
    /// True in `http-request` and `http-response` rules; a standalone `redirect` line's value is
    /// plain text.
    public var valueIsLogFormat: Bool
    /// One of `allowedCodes`; 302 unless `code` says otherwise.
    public var code: Int
    /// `drop-query`: leave the query string out of a `prefix` or `scheme` redirect.
    public var dropQuery: Bool
    /// `append-slash`: with `drop-query`, add a `/` to a path that does not end with one.
    public var appendSlash: Bool
    /// `ignore-empty`: skip the rule when the log-format value evaluates to nothing.
    public var ignoreEmpty: Bool
    public var cookie: Cookie?

    public init(
        kind: Kind, value: String, valueIsLogFormat: Bool, code: Int = 302, dropQuery: Bool = false,
        appendSlash: Bool = false, ignoreEmpty: Bool = false, cookie: Cookie? = nil
    ) {
        self.kind = kind
        self.value = value
        self.valueIsLogFormat = valueIsLogFormat
        self.code = code
        self.dropQuery = dropQuery
        self.appendSlash = appendSlash
        self.ignoreEmpty = ignoreEmpty
        self.cookie = cookie
    }
}
