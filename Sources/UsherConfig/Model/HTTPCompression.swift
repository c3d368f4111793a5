/// `compression algo …`, `compression type …`, `compression offload`: which responses usher
/// compresses itself, and how.
public struct HTTPCompression: Sendable, Equatable {
    public enum Algorithm: String, Sendable, Equatable, CaseIterable {
        /// No change to the bytes (for testing: the response is still re-framed as chunks).
        case identity
        /// Deflate in a gzip wrapper.
        case gzip
        /// Deflate in a zlib wrapper, as RFC 9110's "deflate" says.
        case deflate
        /// Deflate without a wrapper, sent as "deflate" (what most browsers take for it).
        case rawDeflate = "raw-deflate"

        /// The name the client asks for in `Accept-Encoding` and the response's `Content-Encoding`.
        public var token: String {
            switch self {
            case .identity: return "identity"
            case .gzip: return "gzip"
            case .deflate, .rawDeflate: return "deflate"
            }
        }
    }

    /// In the order written (several `compression algo` lines add up).
    public var algorithms: [Algorithm] = []
    /// Content types to compress (a prefix of the response's `Content-Type`); empty for any.
    public var types: [String] = []
    /// `compression offload`: `Accept-Encoding` is removed from requests, so that servers leave
    /// the compressing to usher.
    public var offload = false

    /// What applies to a request: the backend's algorithms and types where it has them, else the
    /// frontend's (HAProxy's order); `offload` from either. Nil when neither has an algorithm.
    public static func effective(backend: HTTPCompression?, frontend: HTTPCompression?) -> HTTPCompression? {
        func either<Value>(_ value: (HTTPCompression) -> [Value]) -> [Value] {
            if let backend, !value(backend).isEmpty { return value(backend) }
            return frontend.map(value) ?? []
        }
        let algorithms = either(\.algorithms)
        guard !algorithms.isEmpty else { return nil }
        let types = either(\.types)
        return HTTPCompression(algorithms: algorithms, types: types, offload: backend?.offload == true || frontend?.offload == true)
    }

    public init(algorithms: [Algorithm] = [], types: [String] = [], offload: Bool = false) {
        self.algorithms = algorithms
        self.types = types
        self.offload = offload
    }
}
