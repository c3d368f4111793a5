/// One logical line of configuration, split into words the way HAProxy splits them.
public struct ConfigurationLine: Sendable, Equatable {
    public var words: [String]
    public var location: SourceLocation

    public init(words: [String], location: SourceLocation) {
        self.words = words
        self.location = location
    }

    /// The keyword, i.e. the first word.
    public var keyword: String { words.first ?? "" }
}
