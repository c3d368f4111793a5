/// Byte classes of RFC 9110/9112, as lookup tables.
enum HTTPSyntax {
    /// `tchar`: what a method or a header name is made of.
    static let isTokenByte: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
        for character in "!#$%&'*+-.^_`|~".utf8 { table[Int(character)] = true }
        return table
    }()

    /// What may appear inside a field value: visible ASCII, obs-text, space and tab. Never CR, LF,
    /// NUL or another control byte.
    static let isFieldValueByte: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in 0x21...0x7E { table[byte] = true }
        for byte in 0x80...0xFF { table[byte] = true }
        table[0x20] = true
        table[0x09] = true
        return table
    }()

    /// What a request target may hold: visible ASCII only (RFC 3986 characters and the few others
    /// clients send unencoded), but not `#`: a fragment never goes on the wire (RFC 9112 §3.2).
    static let isTargetByte: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in 0x21...0x7E { table[byte] = true }
        table[Int(UInt8(ascii: "#"))] = false
        return table
    }()

    static func hexValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt64(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt64(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")
}
