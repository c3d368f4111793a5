/// An HTTP/1.x protocol version.
public struct HTTPVersion: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    /// `HTTP/1.1`, as on the wire.
    public var description: String {
        // The two versions ever written, without formatting numbers each time.
        if major == 1 && minor == 1 { return "HTTP/1.1" }
        if major == 1 && minor == 0 { return "HTTP/1.0" }
        return "HTTP/\(major).\(minor)"
    }

    /// `1.1`, as `req.ver` returns it.
    public var number: String { "\(major).\(minor)" }
}
