/// A message about the configuration, tied to where it applies.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: Sendable, Equatable {
        /// The configuration cannot be used.
        case alert
        /// The configuration works, but something in it has no effect or is deprecated.
        case warning
    }

    public var severity: Severity
    public var location: SourceLocation?
    public var message: String

    public init(severity: Severity, location: SourceLocation?, message: String) {
        self.severity = severity
        self.location = location
        self.message = message
    }

    public static func alert(_ location: SourceLocation?, _ message: String) -> Diagnostic {
        Diagnostic(severity: .alert, location: location, message: message)
    }

    public static func warning(_ location: SourceLocation?, _ message: String) -> Diagnostic {
        Diagnostic(severity: .warning, location: location, message: message)
    }

    /// `[ALERT] FILE:LINE: message`, the form `usher -c` prints.
    public var description: String {
        let tag = severity == .alert ? "[ALERT]" : "[WARNING]"
        if let location { return "\(tag) \(location): \(message)" }
        return "\(tag) \(message)"
    }
}
