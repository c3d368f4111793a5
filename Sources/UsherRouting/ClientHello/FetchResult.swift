/// The answer of a sample fetch that looks at bytes still arriving from the client, such as
/// HAProxy's `req.ssl_hello_type` and `req.ssl_ver`.
///
/// ``needMoreData`` matches HAProxy's "may change" state: a `tcp-request inspect-delay` rule should
/// wait for more bytes (or for the delay to expire). ``noValue`` is final: the fetch will never
/// return a value on this stream, so rules testing it do not match.
public enum FetchResult<Value: Sendable>: Sendable {
    /// The fetch has its value; more bytes will not change it.
    case value(Value)
    /// Not enough bytes yet to know.
    case needMoreData
    /// The fetch has no value for this stream, now or later.
    case noValue
}

extension FetchResult: Equatable where Value: Equatable {}
