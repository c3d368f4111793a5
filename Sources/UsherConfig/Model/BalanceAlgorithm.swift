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
    /// `balance uri [whole] [len N] [depth N] [path-only]`: a hash of the request URI.
    case uri(URIHash)
    /// `balance url_param NAME [check_post]`: a hash of a query-string parameter's value (with
    /// `check_post`, of a form body's too when the query string lacks it).
    case urlParameter(name: String, checkPost: Bool)
    /// `balance hdr(NAME) [use_domain_only]`: a hash of a request header's value.
    case header(name: String, useDomainOnly: Bool)
    /// `balance random[(DRAWS)]`: DRAWS random points on the consistent-hash ring, the least
    /// loaded of the servers they land on.
    case random(draws: Int)

    /// The options of `balance uri`.
    public struct URIHash: Sendable, Equatable {
        /// `whole`: hash the query string too, not only what precedes the `?`.
        public var whole: Bool
        /// `path-only`: start at the path's first `/`, skipping a scheme and authority.
        public var pathOnly: Bool
        /// `len N`: hash at most the first N characters.
        public var length: Int?
        /// `depth N`: hash at most N directory levels (one per `/`).
        public var depth: Int?

        public init(whole: Bool = false, pathOnly: Bool = false, length: Int? = nil, depth: Int? = nil) {
            self.whole = whole
            self.pathOnly = pathOnly
            self.length = length
            self.depth = depth
        }
    }

    /// Whether the algorithm needs the HTTP request (HAProxy's "layer 7" hashes).
    public var needsHTTP: Bool {
        switch self {
        case .uri, .urlParameter, .header: return true
        case .roundRobin, .staticRoundRobin, .leastConnections, .first, .source, .random: return false
        }
    }

    /// The algorithm as written after `balance`, without its options: `roundrobin`, `hdr(host)`.
    public var name: String {
        switch self {
        case .roundRobin: return "roundrobin"
        case .staticRoundRobin: return "static-rr"
        case .leastConnections: return "leastconn"
        case .first: return "first"
        case .source: return "source"
        case .uri: return "uri"
        case .urlParameter: return "url_param"
        case .header(let name, _): return "hdr(\(name))"
        case .random: return "random"
        }
    }
}
