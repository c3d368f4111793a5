/// The `timeout …` settings of a proxy. `nil` means unset (HAProxy then waits forever, and warns for the
/// three main ones).
public struct Timeouts: Sendable, Equatable {
    public var client: Duration?
    public var server: Duration?
    public var connect: Duration?
    public var queue: Duration?
    public var check: Duration?
    public var tunnel: Duration?
    public var clientFin: Duration?
    public var serverFin: Duration?
    public var httpRequest: Duration?
    public var httpKeepAlive: Duration?
    public var tarpit: Duration?

    public init() {}

    /// The names usher understands, and where each one is stored.
    nonisolated(unsafe) static let keyPaths: [String: WritableKeyPath<Timeouts, Duration?>] = [
        "client": \.client, "server": \.server, "connect": \.connect, "queue": \.queue,
        "check": \.check, "tunnel": \.tunnel, "client-fin": \.clientFin, "server-fin": \.serverFin,
        "http-request": \.httpRequest, "http-keep-alive": \.httpKeepAlive, "tarpit": \.tarpit,
    ]

}
