/// `capture request header NAME len N` or `capture response header NAME len N` in a frontend: the
/// last value of that header, cut to `length` characters, goes into the log between braces, in the
/// order the captures are declared.
public struct HeaderCapture: Sendable, Equatable {
    /// The header captured into the slot; nil for a slot that rules fill (`declare capture`,
    /// `http-request capture … len N`).
    public var name: String?
    public var length: Int
    public var location: SourceLocation

    public init(name: String?, length: Int, location: SourceLocation) {
        self.name = name
        self.length = length
        self.location = location
    }
}
