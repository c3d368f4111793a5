/// Splits configuration text into words following HAProxy's rules:
///
/// - words are separated by spaces and tabs; `#` starts a comment unless quoted or escaped;
/// - a backslash escapes a space, `#`, `\\`, `'` and `"`; `\r`, `\n`, `\t` and `\xHH` stand for the
///   bytes they name (outside single quotes); any other backslash is kept as written, so regular
///   expressions such as `^/\d+$` reach the ACL unchanged;
/// - single quotes keep everything literally, double quotes allow escapes and variables;
/// - variables are expanded inside double quotes only, as HAProxy does: `"$NAME"`, `"${NAME}"`,
///   `"${NAME-default}"` (the default replaces an unset variable, not an empty one), usher's
///   extension `"${NAME:-default}"` (also replaces an empty one), `"\$"` for a literal dollar, and
///   `"${NAME[*]}"`, which expands to several words split on spaces;
/// - CRLF line ends are accepted; so is a missing newline at the end of the file.
public struct ConfigurationLexer: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// Lexes a whole file. Errors (an unterminated quote, a bad escape) are returned as diagnostics
    /// and the offending line is dropped.
    public func lex(_ text: String, file: String) -> (lines: [ConfigurationLine], diagnostics: [Diagnostic]) {
        var lines: [ConfigurationLine] = []
        var diagnostics: [Diagnostic] = []
        var lineNumber = 0
        // Split on bytes: as Characters, "\r\n" is one grapheme that never equals "\n".
        for rawLine in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var bytes = Array(rawLine)
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            let line = Substring(String(decoding: bytes, as: UTF8.self))
            let location = SourceLocation(file: file, line: lineNumber)
            switch lexLine(line) {
            case .success(let words):
                if !words.isEmpty { lines.append(ConfigurationLine(words: words, location: location)) }
            case .failure(let error):
                diagnostics.append(.alert(location, error.message))
            }
        }
        return (lines, diagnostics)
    }

    struct LexError: Error {
        var message: String
    }

    private enum Quote { case none, single, double }

    func lexLine(_ line: Substring) -> Result<[String], LexError> {
        var words: [String] = []
        var current: [UInt8] = []
        var inWord = false
        var quote = Quote.none
        let bytes = Array(line.utf8)
        var i = 0

        func finishWord() {
            if inWord { words.append(String(decoding: current, as: UTF8.self)) }
            current.removeAll(keepingCapacity: true)
            inWord = false
        }

        while i < bytes.count {
            let c = bytes[i]
            switch quote {
            case .single:
                if c == UInt8(ascii: "'") { quote = .none } else { current.append(c) }
                i += 1
                continue
            case .none where c == UInt8(ascii: " ") || c == UInt8(ascii: "\t"):
                finishWord()
                i += 1
                continue
            case .none where c == UInt8(ascii: "#"):
                finishWord()
                return .success(words)
            case .none where c == UInt8(ascii: "'"):
                quote = .single
                inWord = true
                i += 1
                continue
            case .none where c == UInt8(ascii: "\""):
                quote = .double
                inWord = true
                i += 1
                continue
            case .double where c == UInt8(ascii: "\""):
                quote = .none
                i += 1
                continue
            default:
                break
            }
            // Unquoted or double-quoted: escapes, and variables inside double quotes.
            if c == UInt8(ascii: "\\") {
                inWord = true
                // As in HAProxy, a backslash that escapes nothing (at the end of the line, or
                // before a character without a meaning such as `\d` or `\.`) is kept as written.
                guard i + 1 < bytes.count else {
                    current.append(c)
                    i += 1
                    continue
                }
                let n = bytes[i + 1]
                switch n {
                case UInt8(ascii: "r"): current.append(0x0D); i += 2
                case UInt8(ascii: "n"): current.append(0x0A); i += 2
                case UInt8(ascii: "t"): current.append(0x09); i += 2
                case UInt8(ascii: " "), UInt8(ascii: "\\"), UInt8(ascii: "#"), UInt8(ascii: "'"), UInt8(ascii: "\""):
                    current.append(n)
                    i += 2
                case UInt8(ascii: "$") where quote == .double:
                    current.append(n)
                    i += 2
                case UInt8(ascii: "x"):
                    guard i + 3 < bytes.count, let hi = hexValue(bytes[i + 2]), let lo = hexValue(bytes[i + 3]) else {
                        return .failure(LexError(message: "'\\x' must be followed by two hexadecimal digits"))
                    }
                    current.append(hi << 4 | lo)
                    i += 4
                default:
                    current.append(c)
                    i += 1
                }
                continue
            }
            if c == UInt8(ascii: "$"), quote == .double, i + 1 < bytes.count,
                bytes[i + 1] == UInt8(ascii: "{") || isNameStart(bytes[i + 1])
            {
                switch expandVariable(bytes, at: i) {
                case .failure(let error):
                    return .failure(error)
                case .success(let expansion):
                    inWord = true
                    i = expansion.end
                    if let many = expansion.words {
                        // "${VAR[*]}": each space ends a word, as in HAProxy; the text before the
                        // variable joins the first value and the text after it the last one.
                        for (index, value) in many.enumerated() {
                            if index > 0 {
                                words.append(String(decoding: current, as: UTF8.self))
                                current.removeAll(keepingCapacity: true)
                            }
                            current.append(contentsOf: value.utf8)
                        }
                    } else {
                        current.append(contentsOf: expansion.value.utf8)
                    }
                }
                continue
            }
            current.append(c)
            inWord = true
            i += 1
        }
        if quote == .single { return .failure(LexError(message: "unterminated single quote")) }
        if quote == .double { return .failure(LexError(message: "unterminated double quote")) }
        finishWord()
        return .success(words)
    }

    private struct Expansion {
        var value: String
        var words: [String]?
        var end: Int
    }

    /// Expands the variable whose `$` is at `start` (inside double quotes).
    private func expandVariable(_ bytes: [UInt8], at start: Int) -> Result<Expansion, LexError> {
        var i = start + 1
        if bytes[i] != UInt8(ascii: "{") {
            // $NAME
            var name: [UInt8] = []
            while i < bytes.count, isNameByte(bytes[i]) {
                name.append(bytes[i])
                i += 1
            }
            let key = String(decoding: name, as: UTF8.self)
            return .success(Expansion(value: environment[key] ?? "", words: nil, end: i))
        }
        i += 1
        var name: [UInt8] = []
        while i < bytes.count, isNameByte(bytes[i]) {
            name.append(bytes[i])
            i += 1
        }
        let key = String(decoding: name, as: UTF8.self)
        guard !name.isEmpty else {
            return .failure(LexError(message: "'${' must be followed by a variable name"))
        }
        var splitList = false
        if i + 2 < bytes.count, bytes[i] == UInt8(ascii: "["), bytes[i + 1] == UInt8(ascii: "*"), bytes[i + 2] == UInt8(ascii: "]") {
            splitList = true
            i += 3
        }
        var value = environment[key]
        // `${NAME-default}` (HAProxy: only when unset) or `${NAME:-default}` (also when empty).
        let colonDash = i + 1 < bytes.count && bytes[i] == UInt8(ascii: ":") && bytes[i + 1] == UInt8(ascii: "-")
        if colonDash || (i < bytes.count && bytes[i] == UInt8(ascii: "-")) {
            i += colonDash ? 2 : 1
            var fallback: [UInt8] = []
            while i < bytes.count, bytes[i] != UInt8(ascii: "}") {
                fallback.append(bytes[i])
                i += 1
            }
            if value == nil || (colonDash && value == "") {
                value = String(decoding: fallback, as: UTF8.self)
            }
        }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "}") else {
            return .failure(LexError(message: "missing '}' after variable '${\(key)'"))
        }
        i += 1
        let text = value ?? ""
        if splitList {
            let pieces = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            return .success(Expansion(value: text, words: pieces, end: i))
        }
        return .success(Expansion(value: text, words: nil, end: i))
    }

    private func isNameStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || c == UInt8(ascii: "_")
    }

    private func isNameByte(_ c: UInt8) -> Bool {
        isNameStart(c) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    private func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
