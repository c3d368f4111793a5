/// `option forwardfor [except NETWORK] [header NAME] [if-none]`.
public struct ForwardFor: Sendable, Equatable {
    /// A source network (`127.0.0.0/8`, an address alone) for which no header is added.
    public var except: String?
    public var header: String
    public var ifNone: Bool
    public var location: SourceLocation

    public init(except: String? = nil, header: String = "X-Forwarded-For", ifNone: Bool = false, location: SourceLocation) {
        self.except = except
        self.header = header
        self.ifNone = ifNone
        self.location = location
    }
}
