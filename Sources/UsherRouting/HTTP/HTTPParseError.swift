/// Why a request or response head, or a body's framing, was refused. The proxy answers a bad
/// request with `status` (400 unless said otherwise) and a bad response with 502; `reason` is for
/// the logs and the tests.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    /// The status for the client when a request is at fault.
    public var status: Int

    public init(_ reason: String, status: Int = 400) {
        self.reason = reason
        self.status = status
    }

    public var description: String { reason }
}
