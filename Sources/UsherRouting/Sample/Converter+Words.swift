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
        var remaining = count
        if index > 0 {
            var number = 1, start = 0
            for position in bytes.indices where delimiters.contains(bytes[position]) {
                if number == index {
                    if remaining == 1 { return bytes[start..<position] }
                    if remaining > 1 { remaining -= 1 }
                } else {
                    start = position + 1
                    number += 1
                }
            }
            return number == index ? bytes[start...] : nil
        }
        var number = -1, end = bytes.count
        for position in bytes.indices.reversed() where delimiters.contains(bytes[position]) {
            if number == index {
                if remaining == 1 { return bytes[(position + 1)..<end] }
                if remaining > 1 { remaining -= 1 }
            } else {
                end = position
                number -= 1
            }
        }
        return number == index ? bytes[..<end] : nil
    }

    /// The `count` words from the `index`th (negative: from the end), or an empty slice if there is
    /// no such word. Delimiters at either end of the input do not make words.
    static func word(_ bytes: [UInt8], index: Int, delimiters: Set<UInt8>, count: Int) -> ArraySlice<UInt8> {
        var remaining = count
        var number = 0
        var inWord = false
        if index > 0 {
            var start = 0
            for position in bytes.indices {
                let isDelimiter = delimiters.contains(bytes[position])
                if !inWord {
                    guard !isDelimiter else { continue }
                    if number != index {
                        number += 1
                        start = position
                    }
                    inWord = true
                } else if isDelimiter {
                    if number == index {
                        if remaining == 1 { return bytes[start..<position] }
                        if remaining > 1 { remaining -= 1 }
                    }
                    inWord = false
                }
            }
            return number == index ? bytes[start...] : []
        }
        var end = bytes.count
        for position in bytes.indices.reversed() {
            let isDelimiter = delimiters.contains(bytes[position])
            if !inWord {
                guard !isDelimiter else { continue }
                if number != index {
                    number -= 1
                    end = position + 1
                }
                inWord = true
            } else if isDelimiter {
                if number == index {
                    if remaining == 1 { return bytes[(position + 1)..<end] }
                    if remaining > 1 { remaining -= 1 }
                }
                inWord = false
            }
        }
        return number == index ? bytes[..<end] : []
    }
}
