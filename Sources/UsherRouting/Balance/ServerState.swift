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

    public init(isUp: Bool, isBackup: Bool, weight: Int, activeConnections: Int, maxConnections: Int) {
        self.isUp = isUp
        self.isBackup = isBackup
        self.weight = weight
        self.activeConnections = activeConnections
        self.maxConnections = maxConnections
    }

    public var isFull: Bool { maxConnections > 0 && activeConnections >= maxConnections }
}
