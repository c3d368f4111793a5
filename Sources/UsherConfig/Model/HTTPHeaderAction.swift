/// A header rewrite, shared by `http-request` and `http-response` rules. Values and replacements are
/// log-format strings, kept raw; regular expressions are kept as written (already checked to
/// compile with Swift's `Regex`).
public enum HTTPHeaderAction: Sendable, Equatable {
    /// `set-header NAME FMT`: remove every `NAME` header, then add one. The value is computed before
    /// the removal, so it may use the old value.
    case set(name: String, value: String)
    /// `add-header NAME FMT`: append a header, keeping the existing ones.
    case add(name: String, value: String)
    /// `del-header NAME [-m METHOD]`: remove every header whose name matches.
    case delete(name: String, match: NameMatch)
    /// `replace-header NAME REGEX FMT`: replace each whole `NAME` header value that matches (case
    /// sensitively); `\1`… in the replacement refer to the regex's groups.
    case replace(name: String, regex: String, replacement: String)
    /// `replace-value NAME REGEX FMT`: the same, applied to each comma-separated value of the header.
    case replaceValue(name: String, regex: String, replacement: String)

    /// How `del-header` compares header names (always case-insensitively, as header names are).
    public enum NameMatch: String, Sendable, Equatable, CaseIterable {
        /// `-m str`, the default: the whole name.
        case exact = "str"
        /// `-m beg`
        case prefix = "beg"
        /// `-m end`
        case suffix = "end"
        /// `-m sub`
        case substring = "sub"
        /// `-m reg`: the name is a regular expression.
        case regex = "reg"
    }

    /// The header name the action is about (for `del-header -m reg`, the regex).
    public var name: String {
        switch self {
        case .set(let name, _), .add(let name, _), .delete(let name, _), .replace(let name, _, _), .replaceValue(let name, _, _):
            return name
        }
    }
}
