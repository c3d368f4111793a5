/// What one runtime API command answers.
public enum RuntimeAPIReply: Sendable, Equatable {
    /// Text followed by the empty line that ends every answer (`""` for a silent success: just `\n`).
    case output(String)
    /// Text sent as it is, without the closing empty line: HAProxy 2.6 ends a few error messages
    /// ("Empty weight string empty or preceded by garbage") with a single newline.
    case raw(String)
    /// The session's level does not allow the command.
    case permissionDenied

    /// The bytes on the wire (before any prompt).
    var text: String {
        switch self {
        case .output(let text): return text + "\n"
        case .raw(let text): return text
        case .permissionDenied: return "Permission denied\n\n"
        }
    }
}
