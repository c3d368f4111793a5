import UsherConfig

/// A backend's persistence cookie (`cookie NAME [rewrite|insert|prefix] [indirect] [nocache]…`) with
/// its servers' `cookie` values: what reads a request's cookie to find its server, and what sets or
/// rewrites the cookie in the response. Pure values: the proxy applies the header edits and logs
/// the statuses.
///
/// The cookie forms are HAProxy's: `NAME=SRV` (insert, rewrite, passive), `NAME=SRV|LAST|FIRST` with
/// `maxidle`/`maxlife` (dates in 4-second units, 5 base64 digits each), and `NAME=SRV~APPVALUE` in
/// prefix mode.
public struct PersistenceCookie: Sendable, Equatable {
    public var configuration: CookiePersistence
    /// Each server's `cookie` value in declaration order; `nil` for a server without one.
    public var serverValues: [String?]

    public init(_ configuration: CookiePersistence, serverValues: [String?]) {
        self.configuration = configuration
        self.serverValues = serverValues
    }

    public init(_ configuration: CookiePersistence, servers: [Server]) {
        self.init(configuration, serverValues: servers.map(\.options.cookie))
    }

    var name: String { configuration.name }
    var mode: CookiePersistence.Mode { configuration.mode }
    /// `maxidle` in seconds, 0 when not set.
    var maxIdle: Int64 { configuration.maxIdle.map { $0.components.seconds } ?? 0 }
    /// `maxlife` in seconds, 0 when not set.
    var maxLife: Int64 { configuration.maxLife.map { $0.components.seconds } ?? 0 }

    /// Whether the HTTP log shows the cookie characters of the session state: HAProxy shows `-`
    /// for a passive cookie without `indirect`, whatever it found.
    public var logsCookieStatus: Bool { mode != .passive || configuration.indirect }

    /// What the persistence cookie of a request said and what to change before forwarding it.
    public struct RequestOutcome: Sendable, Equatable {
        /// The server the cookie designates (an index into the backend's servers), when it may be
        /// used; `nil`: balance as usual.
        public var server: Int?
        public var status: ClientCookieStatus
        /// Changes to the request's `Cookie` fields: the server's part stripped (prefix mode), our
        /// cookie removed (insert with indirect).
        public var edits: [HeaderEdit]
        /// The dates the cookie carried (Unix seconds, 0 when none), which the response side needs.
        public var lastSeen: Int64
        public var firstSeen: Int64

        public init(server: Int? = nil, status: ClientCookieStatus = .none, edits: [HeaderEdit] = [], lastSeen: Int64 = 0, firstSeen: Int64 = 0) {
            self.server = server
            self.status = status
            self.edits = edits
            self.lastSeen = lastSeen
            self.firstSeen = firstSeen
        }

        /// Whether the cookie chose the server (HAProxy's direct access).
        public var isDirect: Bool { server != nil }

        public func apply(to headers: inout HTTPHeaders) {
            HeaderEdit.apply(edits, to: &headers)
        }
    }

    /// What to do to a response for the persistence cookie.
    public struct ResponseOutcome: Sendable, Equatable {
        public var action: ServerCookieAction
        /// Changes to the response's `Set-Cookie` fields.
        public var edits: [HeaderEdit]
        /// Fields to append: the inserted `Set-Cookie`, and `Cache-control: private` with `nocache`.
        public var added: [HTTPField]

        public init(action: ServerCookieAction = .none, edits: [HeaderEdit] = [], added: [HTTPField] = []) {
            self.action = action
            self.edits = edits
            self.added = added
        }

        public func apply(to headers: inout HTTPHeaders) {
            HeaderEdit.apply(edits, adding: added, to: &headers)
        }
    }
}
