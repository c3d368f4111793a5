/// The counters the TCP and HTTP log lines print after the session state:
/// `%ac/%fc/%bc/%sc/%rc %sq/%bq`.
public struct SessionCounters: Sendable, Equatable {
    /// Connections open on the process when the line was logged.
    public var activeConnections: Int
    public var frontendConnections: Int
    /// Connections on the backend, queued ones included.
    public var backendConnections: Int
    public var serverConnections: Int
    /// Connection retries to the server.
    public var retries: Int
    /// The session was redispatched to another server after a failure (`+` before the retries).
    public var redispatched: Bool
    /// Requests served before this one from the server's queue, and from the backend's.
    public var serverQueue: Int
    public var backendQueue: Int

    public init(
        activeConnections: Int, frontendConnections: Int, backendConnections: Int, serverConnections: Int, retries: Int,
        redispatched: Bool, serverQueue: Int, backendQueue: Int
    ) {
        self.activeConnections = activeConnections
        self.frontendConnections = frontendConnections
        self.backendConnections = backendConnections
        self.serverConnections = serverConnections
        self.retries = retries
        self.redispatched = redispatched
        self.serverQueue = serverQueue
        self.backendQueue = backendQueue
    }

    /// `1/1/0/0/+3 0/0`.
    public var text: String {
        let retriesText = redispatched ? "+\(retries)" : "\(retries)"
        return "\(activeConnections)/\(frontendConnections)/\(backendConnections)/\(serverConnections)/\(retriesText) \(serverQueue)/\(backendQueue)"
    }
}
