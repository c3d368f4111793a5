extension Converter {
    /// `base64`, `b64dec`, `ub64enc`, `ub64dec`, `url_enc`, `url_dec`: text encodings. `nil` for any
    /// other converter. A decoder given input it cannot read gives no value.
    static func encoding(_ call: (name: String, arguments: [String])) throws(RoutingError) -> Transform? {
        switch call.name {
        case "base64", "ub64enc":
            try expectNoArguments(call)
            let url = call.name == "ub64enc"
            return { value in .string(base64(bytes(of: value), url: url)) }
        case "b64dec", "ub64dec":
            try expectNoArguments(call)
            let url = call.name == "ub64dec"
            return { value in decodeBase64(value.text, url: url).map { .binary($0) } }
        case "url_enc":
            guard call.arguments.count <= 1, call.arguments.first.map({ $0.isEmpty || $0 == "query" }) ?? true else {
                throw RoutingError("converter 'url_enc' knows only the 'query' encoding")
            }
            return { value in .string(urlEncoded(bytes(of: value))) }
        case "url_dec":
            guard call.arguments.count <= 1, call.arguments.first.map({ $0.isEmpty || Int($0) != nil }) ?? true else {
                throw RoutingError("converter 'url_dec' expects an optional integer (non-zero: '+' is a space everywhere), e.g. url_dec(1)")
            }
            let form = (call.arguments.first.flatMap { Int($0) } ?? 0) != 0
            return { value in urlDecoded(bytes(of: value), form: form).map { .string(String(decoding: $0, as: UTF8.self)) } }
        default:
            return nil
        }
    }

    static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let base64URLAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Base64 (RFC 4648 §4) with `=` padding, or base64url (§5) without it.
    static func base64(_ input: [UInt8], url: Bool) -> String {
        let alphabet = url ? base64URLAlphabet : base64Alphabet
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index < input.count {
            let count = min(3, input.count - index)
            var group: UInt32 = 0
            for offset in 0..<3 { group = group << 8 | (offset < count ? UInt32(input[index + offset]) : 0) }
            for position in 0..<4 {
                if position <= count {
                    output.append(alphabet[Int(group >> UInt32(18 - 6 * position) & 0x3f)])
                } else if !url {
                    output.append(UInt8(ascii: "="))
                }
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes a base64 (padded, in groups of four) or base64url (padding optional) text stands
    /// for; nil when it is not one.
    static func decodeBase64(_ text: String, url: Bool) -> [UInt8]? {
        let alphabet = url ? base64URLAlphabet : base64Alphabet
        var values: [UInt8] = []
        var padding = 0
        for character in text.utf8 {
            if character == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            guard padding == 0, let value = alphabet.firstIndex(of: character) else { return nil }
            values.append(UInt8(value))
        }
        if !url, (values.count + padding) % 4 != 0 || padding > 2 { return nil }
        if values.count % 4 == 1 { return nil }
        var output: [UInt8] = []
        var index = 0
        while index < values.count {
            let count = min(4, values.count - index)
            var group: UInt32 = 0
            for offset in 0..<4 { group = group << 6 | (offset < count ? UInt32(values[index + offset]) : 0) }
            for position in 0..<(count - 1) { output.append(UInt8(group >> UInt32(16 - 8 * position) & 0xff)) }
            index += 4
        }
        return output
    }

    /// Every byte but the unreserved ones (RFC 3986: letters, digits, `-._~`) as `%XX`.
    static func urlEncoded(_ input: [UInt8]) -> String {
        var output = ""
        for byte in input {
            let unreserved = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || [UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~")].contains(byte)
            if unreserved {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                output += "%" + hexDigits[Int(byte >> 4)] + hexDigits[Int(byte & 0xf)]
            }
        }
        return output
    }

    /// `%XX` decoded; `+` read as a space in a form (`form`), or after a `?`. Nil on a broken `%`.
    static func urlDecoded(_ input: [UInt8], form: Bool) -> [UInt8]? {
        var output: [UInt8] = []
        var inQuery = form
        var index = 0
        while index < input.count {
            let byte = input[index]
            switch byte {
            case UInt8(ascii: "%"):
                guard index + 2 < input.count, let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2]) else { return nil }
                output.append(high << 4 | low)
                index += 3
                continue
            case UInt8(ascii: "+") where inQuery:
                output.append(UInt8(ascii: " "))
            case UInt8(ascii: "?"):
                inQuery = true
                output.append(byte)
            default:
                output.append(byte)
            }
            index += 1
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
