import UsherConfig

/// How long connections live around one HTTP exchange, as HAProxy's three options define it.
public enum HTTPConnectionMode: Sendable, Equatable {
    /// `option http-keep-alive` (the default): both connections stay open between requests.
    case keepAlive
    /// `option http-server-close`: the server connection closes after each response, the client's
    /// stays open.
    case serverClose
    /// `option httpclose`: both close after each response.
    case close

    /// The mode a proxy's own options ask for.
    public init(_ settings: ProxySettings) {
        if settings.isEnabled("httpclose") {
            self = .close
        } else if settings.isEnabled("http-server-close") {
            self = .serverClose
        } else {
            self = .keepAlive
        }
    }

    /// The mode of an exchange through `frontend` and `backend`: the one that closes more wins,
    /// as in HAProxy.
    public static func combining(frontend: HTTPConnectionMode, backend: HTTPConnectionMode) -> HTTPConnectionMode {
        if frontend == .close || backend == .close { return .close }
        if frontend == .serverClose || backend == .serverClose { return .serverClose }
        return .keepAlive
    }
}
