/// Where a UNIX-domain stream socket lives: a file-system path (`/run/app.sock`, `unix@/run/app.sock`)
/// or a name in Linux's abstract namespace (`abns@name`), which has no file and no permissions.
public enum UnixSocketName: Sendable, Hashable, CustomStringConvertible {
    /// A path in the file system, as written (a relative path is relative to the working directory
    /// at start, as in HAProxy).
    case path(String)
    /// An abstract name, without the leading NUL byte the kernel keys it by.
    case abstract(String)

    /// The longest path accepted: `sun_path` holds 108 bytes, and a listener binds a temporary name
    /// (the path plus `.PID.tmp`) before renaming it into place, as HAProxy does, which needs room.
    public static let maximumPathLength = 97
    /// The longest abstract name: `sun_path` less its leading NUL.
    public static let maximumAbstractLength = 107

    public var description: String {
        switch self {
        case .path(let path): return path
        case .abstract(let name): return "abns@\(name)"
        }
    }

    /// Reads the part after `unix@`/`abns@` (or a bare path), checking its length.
    static func parse(_ text: Substring, abstract: Bool, written: String) -> Result<UnixSocketName, Address.ParseError> {
        let limit = abstract ? maximumAbstractLength : maximumPathLength
        guard !text.isEmpty else {
            return .failure(Address.ParseError(message: "missing socket \(abstract ? "name" : "path") in '\(written)'"))
        }
        guard text.utf8.count <= limit else {
            return .failure(Address.ParseError(message: "socket \(abstract ? "name" : "path") '\(written)' is too long (\(text.utf8.count) bytes, at most \(limit))"))
        }
        guard !text.utf8.contains(0) else {
            return .failure(Address.ParseError(message: "socket \(abstract ? "name" : "path") '\(written)' contains a NUL byte"))
        }
        return .success(abstract ? .abstract(String(text)) : .path(String(text)))
    }
}
