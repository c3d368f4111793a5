/// How a message's body is delimited on the wire.
public enum HTTPBodyFraming: Sendable, Equatable {
    /// No body at all (a GET without Content-Length, a 204, the answer to a HEAD…).
    case none
    case contentLength(UInt64)
    case chunked
    /// A response without length that ends when the server closes.
    case untilClose
}
