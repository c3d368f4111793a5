/// `balance ALGORITHM [ARGUMENTS]`.
public enum BalanceAlgorithm: Sendable, Equatable {
    /// Smooth weighted round robin. The default.
    case roundRobin
    /// Weighted round robin fixed at start.
    case staticRoundRobin
    /// The server with the fewest connections, round robin among equals.
    case leastConnections
    /// The first server (in declaration order) with a free connection slot.
    case first
    /// A hash of the client's address.
    case source
    /// An HTTP-only algorithm, kept with its words for the HTTP layer.
    case http(name: String, arguments: [String])
}
