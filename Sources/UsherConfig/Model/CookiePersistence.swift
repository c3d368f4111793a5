/// `cookie NAME [rewrite|insert|prefix] [indirect] [nocache] [postonly] [preserve] [httponly] [secure]
/// [domain D]… [maxidle T] [maxlife T] [dynamic] [attr A]…` in a backend.
public struct CookiePersistence: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable {
        case rewrite
        case insert
        case prefix
        /// No mode word: the server's cookie is only read (passive persistence).
        case passive
    }

    public var name: String
    public var mode: Mode
    public var indirect = false
    public var noCache = false
    public var postOnly = false
    public var preserve = false
    public var httpOnly = false
    public var secure = false
    public var domains: [String] = []
    public var maxIdle: Duration?
    public var maxLife: Duration?
    public var attributes: [String] = []
    public var location: SourceLocation

    public init(name: String, mode: Mode, location: SourceLocation) {
        self.name = name
        self.mode = mode
        self.location = location
    }
}
