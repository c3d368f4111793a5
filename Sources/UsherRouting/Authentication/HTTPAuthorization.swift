/// What a request's `Authorization` field says, read as HAProxy 2.6 reads it for `http_auth*`:
/// the first such field, a scheme and one word after it (any run of spaces between). `Basic`
/// (any case) carries base64 of `user:password` (the password runs from the first colon to the
/// end); `Bearer` a token. Anything else, or a Basic value that does not decode to a pair, is no
/// authorization at all: `http_auth_type` then has no value either.
public enum HTTPAuthorization: Sendable, Equatable {
    case basic(user: String, password: String)
    case bearer(token: String)

    /// `Basic` or `Bearer`, as `http_auth_type` gives it.
    public var type: String {
        switch self {
        case .basic: "Basic"
        case .bearer: "Bearer"
        }
    }

    public init?(_ value: String) {
        let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard words.count == 2 else { return nil }
        switch words[0].lowercased() {
        case "basic":
            guard let credentials = StatsPageRequest.basicCredentials("Basic \(words[1])") else { return nil }
            self = .basic(user: credentials.user, password: credentials.password)
        case "bearer":
            self = .bearer(token: String(words[1]))
        default:
            return nil
        }
    }

    /// The authorization of a request head, if any.
    public init?(_ headers: HTTPHeaders) {
        guard let value = headers[first: "Authorization"] else { return nil }
        self.init(value)
    }

    /// The user and password of a Basic authorization.
    public var basicCredentials: (user: String, password: String)? {
        if case .basic(let user, let password) = self { return (user, password) }
        return nil
    }
}
