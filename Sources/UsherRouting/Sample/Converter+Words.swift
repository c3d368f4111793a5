/// `field(INDEX,DELIMITERS[,COUNT])` and `word(INDEX,DELIMITERS[,COUNT])`.
///
/// Both count from 1 (or from -1 at the end) and take any of the characters of `DELIMITERS` as a
/// separator; `COUNT` pieces are returned with what separates them (0: all the rest). They differ in
/// empty pieces: `field` counts them (`a__b` has three fields), `word` skips runs of delimiters
/// (two words). A missing field gives no value; a missing word gives an empty string, as in HAProxy.
extension Converter {
    static func positional(_ call: (name: String, arguments: [String])) throws(RoutingError) -> Transform {
        let arguments = call.arguments
        guard (2...3).contains(arguments.count), let index = Int(arguments[0]), index != 0, !arguments[1].isEmpty,
            arguments.count == 2 || Int(arguments[2]) != nil
        else {
            throw RoutingError("converter '\(call.name)' expects an index other than 0, delimiters and an optional count, e.g. \(call.name)(2,/)")
        }
        let delimiters = Set(arguments[1].utf8)
        let count = arguments.count == 3 ? Int(arguments[2])! : 1
        if call.name == "field" {
            return { value in
                let bytes = Converter.bytes(of: value)
                return field(bytes, index: index, delimiters: delimiters, count: count).map { .string(String(decoding: $0, as: UTF8.self)) }
            }
        }
        return { value in
            let bytes = Converter.bytes(of: value)
            return .string(String(decoding: word(bytes, index: index, delimiters: delimiters, count: count), as: UTF8.self))
        }
    }

    /// The `count` fields from the `index`th (negative: from the end), or `nil` if there is no such
    /// field.
    static func field(_ bytes: [UInt8], index: Int, delimiters: Set<UInt8>, count: Int) -> ArraySlice<UInt8>? {
        let walk = Walk(bytes, forward: index > 0)
        var number = 1, remaining = count
        // Where the current field begins, in the direction of the walk.
        var fieldStart = walk.start
        for position in walk.positions where delimiters.contains(bytes[position]) {
            if number == abs(index) {
                if remaining == 1 { return walk.piece(from: fieldStart, before: position) }
                if remaining > 1 { remaining -= 1 }
            } else {
                fieldStart = walk.after(position)
                number += 1
            }
        }
        return number == abs(index) ? walk.piece(from: fieldStart, before: nil) : nil
    }

    /// The `count` words from the `index`th (negative: from the end), or an empty slice if there is
    /// no such word. Delimiters at either end of the input do not make words.
    static func word(_ bytes: [UInt8], index: Int, delimiters: Set<UInt8>, count: Int) -> ArraySlice<UInt8> {
        let walk = Walk(bytes, forward: index > 0)
        var number = 0, remaining = count
        var inWord = false
        var wordStart = walk.start
        for position in walk.positions {
            let isDelimiter = delimiters.contains(bytes[position])
            if !inWord {
                guard !isDelimiter else { continue }
                if number != abs(index) {
                    number += 1
                    wordStart = walk.at(position)
                }
                inWord = true
            } else if isDelimiter {
                if number == abs(index) {
                    if remaining == 1 { return walk.piece(from: wordStart, before: position) }
                    if remaining > 1 { remaining -= 1 }
                }
                inWord = false
            }
        }
        return number == abs(index) ? walk.piece(from: wordStart, before: nil) : []
    }

    /// A walk over the bytes from the start (positive indexes) or from the end (negative ones),
    /// with boundaries expressed in the walk's direction.
    struct Walk {
        let bytes: [UInt8]
        let forward: Bool

        init(_ bytes: [UInt8], forward: Bool) {
            self.bytes = bytes
            self.forward = forward
        }

        var positions: StrideTo<Int> {
            forward ? stride(from: 0, to: bytes.count, by: 1) : stride(from: bytes.count - 1, to: -1, by: -1)
        }

        /// The boundary the walk starts from.
        var start: Int { forward ? 0 : bytes.count }
        /// The boundary just past `position` in the direction of the walk.
        func after(_ position: Int) -> Int { forward ? position + 1 : position }
        /// The boundary just before `position` in the direction of the walk.
        func at(_ position: Int) -> Int { forward ? position : position + 1 }

        /// The bytes from the boundary `from` up to `position` (excluded), or to the end of the walk.
        func piece(from boundary: Int, before position: Int?) -> ArraySlice<UInt8> {
            let end = position.map(at) ?? (forward ? bytes.count : 0)
            return bytes[min(boundary, end)..<max(boundary, end)]
        }
    }
}
