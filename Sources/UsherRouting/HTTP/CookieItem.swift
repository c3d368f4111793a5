/// One `NAME=VALUE` item of a `Cookie` or `Set-Cookie` field value, located by byte offsets into
/// that value so it can be read, stripped or rewritten in place.
///
/// Items are found the way HAProxy finds them: RFC 6265 with the leniencies of the older RFCs it
/// still meets in practice (spaces around `=`, quoted values that may hold `;` or `,`, `$Path`-style
/// attributes, items without `=`).
struct CookieItem: Sendable, Equatable {
    /// Where the item's span starts: 0 for the first item, otherwise the delimiter before it.
    var start: Int
    var nameStart: Int
    var nameEnd: Int
    /// The offset of `=`, or `nil` for an item without one (`Cookie: flag`).
    var equal: Int?
    var valueStart: Int
    var valueEnd: Int
    /// The delimiter after the item (`;` or `,`), or the end of the field value.
    var next: Int

    /// `$Version`, `$Path`…: attributes of the previous cookie in RFC 2109 syntax, never cookies.
    func isAttribute(in bytes: [UInt8]) -> Bool { nameStart < bytes.count && bytes[nameStart] == UInt8(ascii: "$") }

    func name(in bytes: [UInt8]) -> ArraySlice<UInt8> { bytes[nameStart..<nameEnd] }
    func value(in bytes: [UInt8]) -> ArraySlice<UInt8> { bytes[valueStart..<valueEnd] }
    func valueText(in bytes: [UInt8]) -> String { String(decoding: value(in: bytes), as: UTF8.self) }

    /// The items of a `Cookie` field value: separated by `;` or `,`.
    static func requestItems(_ bytes: [UInt8]) -> [CookieItem] {
        var items: [CookieItem] = []
        var previous = 0
        while previous < bytes.count {
            let item = scan(bytes, from: previous, isFirst: items.isEmpty, list: true)
            items.append(item)
            previous = item.next
        }
        return items
    }

    /// The cookie of a `Set-Cookie` field value: its first item; what follows are its attributes
    /// (`Path=/`, `Expires=Thu, 01 Jan…`, which may hold a comma).
    static func setCookieItem(_ bytes: [UInt8]) -> CookieItem? {
        guard !bytes.isEmpty else { return nil }
        return scan(bytes, from: 0, isFirst: true, list: false)
    }

    /// Reads the item that starts at `start`. In a `list` (a `Cookie` field) a comma also ends a name.
    static func scan(_ bytes: [UInt8], from start: Int, isFirst: Bool, list: Bool) -> CookieItem {
        let end = bytes.count
        var nameStart = isFirst ? start : start + 1
        while nameStart < end, isSpaceOrTab(bytes[nameStart]) { nameStart += 1 }
        var equal = nameStart
        var nameEnd = nameStart
        while equal < end {
            let byte = bytes[equal]
            if byte == UInt8(ascii: "=") || byte == UInt8(ascii: ";") || (list && byte == UInt8(ascii: ",")) { break }
            equal += 1
            if !isSpaceOrTab(byte) { nameEnd = equal }
        }
        guard equal < end, bytes[equal] == UInt8(ascii: "=") else {
            return CookieItem(start: start, nameStart: nameStart, nameEnd: nameEnd, equal: nil, valueStart: equal, valueEnd: equal, next: equal)
        }
        var valueStart = equal + 1
        while valueStart < end, isSpaceOrTab(bytes[valueStart]) { valueStart += 1 }
        let next = valueEnd(bytes, from: valueStart)
        var valueEnd = next
        while valueEnd > valueStart, isSpaceOrTab(bytes[valueEnd - 1]) { valueEnd -= 1 }
        return CookieItem(start: start, nameStart: nameStart, nameEnd: nameEnd, equal: equal, valueStart: valueStart, valueEnd: valueEnd, next: next)
    }

    /// The first `;` or `,` at or after `start` that is not inside a quoted string.
    static func valueEnd(_ bytes: [UInt8], from start: Int) -> Int {
        HTTPHeaders.unquotedEnd(bytes, from: start) { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") }
    }

    static func isSpaceOrTab(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
}
