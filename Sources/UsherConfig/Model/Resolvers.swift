/// A `resolvers NAME` section: the name servers usher asks, and how long it trusts what they say.
public struct Resolvers: Sendable, Equatable {
    public var name: String
    public var location: SourceLocation
    /// `nameserver ID ADDRESS:PORT` lines, and those `parse-resolv-conf` read, in order.
    public var nameservers: [Nameserver] = []
    /// `hold STATUS PERIOD`.
    public var hold = ResolverHoldPeriods()
    /// `resolve_retries N`: queries sent in one resolution before it times out.
    public var resolveRetries = 3
    /// `timeout resolve`: between two resolutions of a name whose last answer was not valid.
    public var timeoutResolve: Duration = .seconds(1)
    /// `timeout retry`: how long one query waits for an answer before the next is sent.
    public var timeoutRetry: Duration = .seconds(1)
    /// `accepted_payload_size N`: announced in the queries (EDNS0) and the largest answer read.
    public var acceptedPayloadSize = 512

    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}

/// One name server of a `resolvers` section.
public struct Nameserver: Sendable, Equatable {
    public var name: String
    /// An IPv4 or IPv6 address, as written.
    public var host: String
    public var port: Int
    public var location: SourceLocation

    public init(name: String, host: String, port: Int, location: SourceLocation) {
        self.name = name
        self.host = host
        self.port = port
        self.location = location
    }
}

/// How long the last answer stays in force after a resolution ends in each status (`hold STATUS
/// PERIOD`). HAProxy's defaults: 30s for the errors, 10s for `valid`, 0s for `obsolete`.
public struct ResolverHoldPeriods: Sendable, Equatable {
    /// No such name (NXDOMAIN).
    public var nx: Duration = .seconds(30)
    /// Any other error (SERVFAIL, an answer that could not be read…).
    public var other: Duration = .seconds(30)
    /// The name server refused the query.
    public var refused: Duration = .seconds(30)
    /// No name server answered.
    public var timeout: Duration = .seconds(30)
    /// A valid answer is used this long before the name is asked again.
    public var valid: Duration = .seconds(10)
    /// A record missing from the latest answers is kept this long after it was last seen.
    public var obsolete: Duration = .zero

    public init() {}
}
