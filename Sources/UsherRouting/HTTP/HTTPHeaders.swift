/// The header fields of a request or response, in order, names with their original case.
///
/// HAProxy treats repeated fields as one comma-separated list where the field allows it; here the
/// fields stay as they came and the accessors say which view they give.
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    public var fields: [HTTPField]

    public init(_ fields: [HTTPField] = []) {
        self.fields = fields
    }

    public init(_ pairs: [(String, String)]) {
        self.fields = pairs.map { HTTPField(name: $0.0, value: $0.1) }
    }

    public func makeIterator() -> IndexingIterator<[HTTPField]> { fields.makeIterator() }

    public var count: Int { fields.count }

    /// Whether a field with this name is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { $0.hasName(name) }
    }

    /// The values of every field with this name, in order, each field whole (not split at commas):
    /// what HAProxy's `hdr_full`/`req.fhdr` see.
    public func fullValues(_ name: String) -> [String] {
        fields.compactMap { $0.hasName(name) ? $0.value : nil }
    }

    /// The values of every field with this name, split at commas outside quoted strings and trimmed:
    /// what HAProxy's `hdr()`/`req.hdr()` see.
    public func values(_ name: String) -> [String] {
        var result: [String] = []
        for field in fields where field.hasName(name) {
            result += HTTPHeaders.splitList(field.value)
        }
        return result
    }

    /// The first field's whole value.
    public subscript(first name: String) -> String? {
        fields.first { $0.hasName(name) }?.value
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append(HTTPField(name: name, value: value))
    }

    /// Removes every field with this name, then adds one.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { $0.hasName(name) }
    }

    /// Whether a comma-separated token list field (`Connection`, `Transfer-Encoding`, `Upgrade`)
    /// holds `token`, compared without regard to case.
    public func hasToken(_ token: String, in name: String) -> Bool {
        for field in fields where field.hasName(name) {
            // The usual case, one bare token, needs no split.
            if HTTPField.namesEqual(field.value, token) { return true }
            let needsSplit = field.value.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x20 || $0 == 0x09 }
            if needsSplit, HTTPHeaders.splitList(field.value).contains(where: { HTTPField.namesEqual($0, token) }) {
                return true
            }
        }
        return false
    }

    /// Splits a field value at commas that are not inside a quoted string, trimming spaces and tabs,
    /// dropping empty elements (RFC 9110 §5.6.1).
    public static func splitList(_ value: String) -> [String] {
        var result: [String] = []
        var current: [UInt8] = []
        var quoted = false
        var escaped = false
        for byte in value.utf8 {
            if quoted {
                current.append(byte)
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { quoted = false }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                appendTrimmed(current, to: &result)
                current.removeAll(keepingCapacity: true)
            case UInt8(ascii: "\""):
                quoted = true
                current.append(byte)
            default:
                current.append(byte)
            }
        }
        appendTrimmed(current, to: &result)
        return result
    }

    private static func appendTrimmed(_ bytes: [UInt8], to result: inout [String]) {
        var slice = bytes[...]
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        if !slice.isEmpty { result.append(String(decoding: slice, as: UTF8.self)) }
    }
}
