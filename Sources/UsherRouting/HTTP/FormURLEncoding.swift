/// `application/x-www-form-urlencoded` text, as query strings and HTML forms carry it.
public enum FormURLEncoding {
    /// `%XX` decoded and `+` read as a space, as in a form; nil for a broken escape or bytes that
    /// are not UTF-8.
    public static func decode(_ text: Substring) -> String? {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(Pattern.hexDigit), let low = iterator.next().flatMap(Pattern.hexDigit) else { return nil }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
