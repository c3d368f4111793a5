/// Why a `crt-list` file cannot be used: `FILE:LINE: message` for a bad line, the message alone when
/// the file itself cannot be read. The caller shows it under the `bind` line that names the list.
public struct CertificateListError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line at fault, or `nil` when the whole file is (missing, unreadable, too large).
    public var location: SourceLocation?
    public var message: String

    public init(location: SourceLocation?, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String {
        guard let location else { return message }
        return "\(location): \(message)"
    }
}
