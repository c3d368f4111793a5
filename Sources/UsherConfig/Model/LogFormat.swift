/// A log-format string as written (`log-format`, `unique-id-format`): plain text with `%` variables
/// and `%[…]` sample expressions. UsherRouting compiles it.
public struct LogFormat: Sendable, Equatable {
    public var format: String
    public var location: SourceLocation

    public init(format: String, location: SourceLocation) {
        self.format = format
        self.location = location
    }
}
