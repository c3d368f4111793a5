/// The balancer's answer.
public enum BalanceDecision: Sendable, Equatable {
    /// Connect to this server.
    case server(Int)
    /// Servers are up but all at their `maxconn`: wait in the backend's queue.
    case queue
    /// No server can take the connection (all down, disabled or of weight 0).
    case noServer
}
