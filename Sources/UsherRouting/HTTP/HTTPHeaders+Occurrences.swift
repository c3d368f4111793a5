/// The header views HAProxy's sample fetches use. They differ from ``HTTPHeaders/values(_:)`` in
/// keeping empty list elements: for HAProxy `X: a, ,b` holds three values and an empty `X:` one,
/// which `req.hdr_cnt` counts and `req.hdr(x,2)` can return.
extension HTTPHeaders {
    /// Every comma-separated value of the fields named `name` (of every field when `name` is `nil`),
    /// in order, trimmed of spaces and tabs, empty ones included: what `req.hdr()` iterates over.
    func occurrences(_ name: String?) -> [String] {
        var result: [String] = []
        for field in fields where name.map(field.hasName) ?? true {
            Self.forEachListElement(field.value) { result.append($0) }
        }
        return result
    }

    /// The whole values of the fields named `name` (of every field when `name` is `nil`): what
    /// `req.fhdr()` iterates over.
    func fullOccurrences(_ name: String?) -> [String] {
        guard let name else { return fields.map(\.value) }
        return fullValues(name)
    }

    /// How many values `occurrences(name)` would return, without building them.
    func occurrenceCount(_ name: String?) -> Int {
        var count = 0
        for field in fields where name.map(field.hasName) ?? true {
            Self.forEachListElement(field.value) { _ in count += 1 }
        }
        return count
    }

    /// Calls `body` with each element of a comma-separated list (commas inside double quotes do not
    /// split), trimmed, empty elements included: `a, ,b` gives `a`, `` and `b`; `` gives one empty
    /// element.
    static func forEachListElement(_ value: String, _ body: (String) -> Void) {
        let bytes = Array(value.utf8)
        var start = 0
        while true {
            let end = unquotedEnd(bytes, from: start) { $0 == UInt8(ascii: ",") }
            body(trimmedText(bytes[start..<end]))
            guard end < bytes.count else { return }
            start = end + 1
        }
    }

    /// The first byte at or after `start` for which `isDelimiter` holds, outside double-quoted
    /// strings (where a backslash escapes the next byte); the end of `bytes` if there is none.
    static func unquotedEnd(_ bytes: [UInt8], from start: Int, isDelimiter: (UInt8) -> Bool) -> Int {
        var quoted = false
        var escaped = false
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if escaped {
                escaped = false
            } else if quoted {
                if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { quoted = false }
            } else if byte == UInt8(ascii: "\"") {
                quoted = true
            } else if isDelimiter(byte) {
                return index
            }
            index += 1
        }
        return index
    }

    static func trimmedText(_ bytes: ArraySlice<UInt8>) -> String {
        var slice = bytes
        while let first = slice.first, isWhitespace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isWhitespace(last) { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
