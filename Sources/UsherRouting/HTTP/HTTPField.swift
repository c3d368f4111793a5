/// One header field as it arrived: the name keeps its case, the value has no surrounding whitespace.
public struct HTTPField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
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
