/// One header field as it arrived: the name keeps its case, the value has no surrounding whitespace.
public struct HTTPField: Sendable, Equatable {
    public var name: String
    /// The value as text. A value whose bytes are not UTF-8 (obs-text, RFC 9110 §5.5 allows bytes
    /// 0x80–0xFF) reads with each bad sequence as U+FFFD; its bytes as they came are in
    /// `rawValue` and go out as they came. Setting the value replaces them.
    public var value: String {
        @inlinable get { text }
        set {
            text = newValue
            rawValue = nil
        }
    }
    /// The value's bytes as they arrived, kept only when they are not UTF-8 (a `String` cannot hold
    /// them): what a rewritten head sends instead of `value`, so they are forwarded unchanged, as
    /// HAProxy forwards them. Nil for every value that is UTF-8, which is the common case.
    public private(set) var rawValue: [UInt8]?
    @usableFromInline var text: String

    public init(name: String, value: String) {
        self.name = name
        self.text = value
        self.rawValue = nil
    }

    /// A field read from the wire whose value bytes were not UTF-8: `value` is their repaired text.
    public init(name: String, value: String, rawValue: [UInt8]?) {
        self.name = name
        self.text = value
        self.rawValue = rawValue
    }

    /// Header names compare without regard to ASCII case.
    @inlinable
    public func hasName(_ other: String) -> Bool {
        HTTPField.namesEqual(name, other)
    }

    @inlinable
    static func namesEqual(_ a: String, _ b: String) -> Bool {
        // Most names looked up are not there: the lengths (known without a scan) usually differ.
        guard a.utf8.count == b.utf8.count else { return false }
        var a = a, b = b
        return a.withUTF8 { left in
            b.withUTF8 { right in
                guard left.count == right.count else { return false }
                for index in 0..<left.count where left[index] | 0x20 != right[index] | 0x20 {
                    // `| 0x20` folds ASCII letters; other bytes must then be equal too.
                    if left[index] != right[index] { return false }
                }
                return true
            }
        }
    }
}
