/// `regsub(REGEX,SUBST[,FLAGS])`: sed's `s/REGEX/SUBST/FLAGS` on the text of the sample, with the
/// regular expression engine `-m reg` uses. `FLAGS` holds `g` (every match, not just the first) and
/// `i` (ignore case); `SUBST` may refer to groups as `\1`…`\9` and to bytes as `\xHH`.
extension Converter {
    /// A compiled regular expression, which the standard library does not mark `Sendable` though it
    /// is an immutable value.
    struct SendableRegex: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>
    }

    static func regexSubstitution(_ call: (name: String, arguments: [String])) throws(RoutingError) -> Transform {
        let arguments = call.arguments
        guard (2...3).contains(arguments.count) else {
            throw RoutingError("converter 'regsub' expects a regular expression, a replacement and optional flags, e.g. regsub(/+,/,g)")
        }
        var global = false, ignoreCase = false
        for flag in arguments.count == 3 ? arguments[2] : "" {
            switch flag {
            case "g": global = true
            case "i": ignoreCase = true
            default: throw RoutingError("invalid regsub flag '\(flag)', only 'i' and 'g' are supported")
            }
        }
        let compiled: SendableRegex
        do {
            var regex = try Regex(arguments[0])
            if ignoreCase { regex = regex.ignoresCase() }
            compiled = SendableRegex(regex: regex)
        } catch {
            throw RoutingError("invalid regular expression '\(arguments[0])': \(error)")
        }
        let replacement = arguments[1]
        let maxReplacements = global ? Int.max : 1
        return { value in
            let text = value.text
            let result = text.replacing(compiled.regex, maxReplacements: maxReplacements) { match in
                expandReplacement(replacement, groups: match.output)
            }
            return .string(result)
        }
    }

    /// `SUBST` with `\N` replaced by group N (nothing if it did not take part), `\xHH` by that byte,
    /// and `\c` by `c`.
    static func expandReplacement(_ template: String, groups: AnyRegexOutput) -> String {
        var result: [UInt8] = []
        var bytes = template.utf8[...]
        while let byte = bytes.popFirst() {
            guard byte == UInt8(ascii: "\\"), let next = bytes.popFirst() else {
                result.append(byte)
                continue
            }
            switch next {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let number = Int(next - UInt8(ascii: "0"))
                if number < groups.count, let group = groups[number].substring {
                    result += Array(group.utf8)
                }
            case UInt8(ascii: "x"):
                if bytes.count >= 2, let high = Pattern.hexDigit(bytes[bytes.startIndex]),
                    let low = Pattern.hexDigit(bytes[bytes.index(after: bytes.startIndex)])
                {
                    result.append(high << 4 | low)
                    bytes = bytes.dropFirst(2)
                } else {
                    result.append(next)
                }
            default:
                result.append(next)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
