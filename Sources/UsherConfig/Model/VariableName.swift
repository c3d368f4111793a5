/// A variable as rules name it: `txn.host` is the variable `host` of scope `txn`. The scope says
/// how long the value lives and who shares it.
public struct VariableName: Sendable, Hashable, CustomStringConvertible {
    /// Where a variable lives, from the longest-lived to the shortest.
    public enum Scope: String, Sendable, CaseIterable {
        /// The whole process: every connection shares it, and it outlives them.
        case proc
        /// The client connection (HAProxy's session): kept from request to request.
        case sess
        /// One transaction: a request and its response (in `mode tcp`, the whole stream).
        case txn
        /// While the request is processed; gone once the response is.
        case req
        /// While the response is processed.
        case res
        /// A health check's; rules of a proxy never see one (usher has no `http-check set-var`).
        case check
    }

    public var scope: Scope
    public var name: String

    public init(scope: Scope, name: String) {
        self.scope = scope
        self.name = name
    }

    public var description: String { "\(scope.rawValue).\(name)" }

    /// Parses `SCOPE.NAME`, as HAProxy reads it: the scope in lower case, then a dot, then a name
    /// of letters, digits, `_` and `.`.
    public static func parse(_ text: String) -> Result<VariableName, Address.ParseError> {
        guard let dot = text.firstIndex(of: "."), let scope = Scope(rawValue: String(text[..<dot])), text.index(after: dot) < text.endIndex else {
            return .failure(.init(message: "invalid variable name '\(text)': a variable name starts with its scope ('proc', 'sess', 'txn', 'req', 'res' or 'check'), then a '.' and the name"))
        }
        let name = text[text.index(after: dot)...]
        if let bad = name.unicodeScalars.first(where: { !isNameCharacter($0) }) {
            return .failure(.init(message: "invalid character '\(bad)' in variable name '\(text)': a name has only letters, digits, '_' and '.'"))
        }
        return .success(VariableName(scope: scope, name: String(name)))
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", ".": true
        default: false
        }
    }
}
