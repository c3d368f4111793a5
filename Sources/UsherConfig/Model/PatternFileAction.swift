/// `set-map(FILE) KEYFMT VALUEFMT`, `del-map(FILE) KEYFMT`, `add-acl(FILE) KEYFMT` and
/// `del-acl(FILE) KEYFMT` in `http-request`/`http-response` rules: a change to the in-memory map or
/// ACL pattern list of `file`, which every converter and ACL reading that file sees. The formats are
/// log-format strings, kept raw.
public struct PatternFileAction: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case setMap = "set-map"
        case deleteMap = "del-map"
        case addACL = "add-acl"
        case deleteACL = "del-acl"
    }

    public var kind: Kind
    public var file: String
    public var key: String
    /// `set-map`'s value; `nil` for the others.
    public var value: String?

    public init(kind: Kind, file: String, key: String, value: String? = nil) {
        self.kind = kind
        self.file = file
        self.key = key
        self.value = value
    }
}
