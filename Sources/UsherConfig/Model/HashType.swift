/// `hash-type METHOD [FUNCTION [avalanche]]`: how the hashing `balance` algorithms (`source`, `uri`,
/// `url_param`, `hdr()`, `rdp-cookie`) turn a key into a server.
public struct HashType: Sendable, Equatable {
    public enum Method: String, Sendable, Equatable {
        /// A static table with one slot per unit of weight: smooth, but most keys move when the
        /// set of usable servers changes. HAProxy's default.
        case mapBased = "map-based"
        /// A ring holding many points per server: a key goes to the nearest point, so when a
        /// server goes away only its own keys move.
        case consistent
    }

    public enum Function: String, Sendable, Equatable, CaseIterable {
        case sdbm, djb2, wt6, crc32
    }

    public var method: Method
    public var function: Function
    /// `avalanche`: the function's result is mixed once more by a 32-bit full-avalanche hash.
    public var avalanche: Bool

    public init(method: Method = .mapBased, function: Function = .sdbm, avalanche: Bool = false) {
        self.method = method
        self.function = function
        self.avalanche = avalanche
    }

    /// HAProxy's default: map-based, sdbm, no avalanche.
    public static let `default` = HashType()
}
