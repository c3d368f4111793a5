/// A header to add, as written: `hdr NAME FMT` in `http-request return` or `http-check send`. The
/// value is a log-format string (plain text or `%[…]` expressions), kept raw for the layer that
/// compiles log formats.
public struct HTTPHeaderField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
