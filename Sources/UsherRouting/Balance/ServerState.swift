/// What the balancer needs to know about one server at the moment of choosing.
public struct ServerState: Sendable, Equatable {
    /// Passed its health checks (or is not checked) and is not disabled.
    public var isUp: Bool
    public var isBackup: Bool
    public var weight: Int
    /// Connections currently open to it (queued ones excluded).
    public var activeConnections: Int
    /// `maxconn`; 0 means no limit.
    public var maxConnections: Int
    /// The server's numeric id (its position from 1 unless the configuration sets one; 0 for
    /// "its position"): where consistent hashing places its points.
    public var identifier: Int

    public init(isUp: Bool, isBackup: Bool, weight: Int, activeConnections: Int, maxConnections: Int, identifier: Int = 0) {
        self.isUp = isUp
        self.isBackup = isBackup
        self.weight = weight
        self.activeConnections = activeConnections
        self.maxConnections = maxConnections
        self.identifier = identifier
    }

    public var isFull: Bool { maxConnections > 0 && activeConnections >= maxConnections }
}
