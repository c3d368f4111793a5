/// Splits configuration text into words following HAProxy's rules:
///
/// - words are separated by spaces and tabs; `#` starts a comment unless quoted or escaped;
/// - a backslash escapes the next character (`\ `, `\#`, `\\`, `\'`, `\"`), and `\r`, `\n`, `\t`,
///   `\xHH` stand for the bytes they name (outside single quotes);
/// - single quotes keep everything literally, double quotes allow escapes and variables;
/// - `$NAME`, `${NAME}` and `${NAME:-default}` expand from the environment outside single quotes;
///   `"${NAME[*]}"` expands to several words split on spaces;
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
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.last == "\r" { line = line.dropLast() }
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
        // Words produced by `${VAR[*]}`, spliced in place of the word being built.
        var splitWords: [String]? = nil
        let bytes = Array(line.utf8)
        var i = 0

        func finishWord() {
            if let split = splitWords {
                var pieces = split
                if !current.isEmpty { pieces.append(String(decoding: current, as: UTF8.self)) }
                words.append(contentsOf: pieces)
            } else if inWord {
                words.append(String(decoding: current, as: UTF8.self))
            }
            current.removeAll(keepingCapacity: true)
            inWord = false
            splitWords = nil
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
            // Unquoted or double-quoted: escapes and variables.
            if c == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count else {
                    return .failure(LexError(message: "a backslash at the end of the line escapes nothing; write '\\\\' for a backslash"))
                }
                let n = bytes[i + 1]
                inWord = true
                switch n {
                case UInt8(ascii: "r"): current.append(0x0D); i += 2
                case UInt8(ascii: "n"): current.append(0x0A); i += 2
                case UInt8(ascii: "t"): current.append(0x09); i += 2
                case UInt8(ascii: "x"):
                    guard i + 3 < bytes.count, let hi = hexValue(bytes[i + 2]), let lo = hexValue(bytes[i + 3]) else {
                        return .failure(LexError(message: "'\\x' must be followed by two hexadecimal digits"))
                    }
                    current.append(hi << 4 | lo)
                    i += 4
                default:
                    current.append(n)
                    i += 2
                }
                continue
            }
            if c == UInt8(ascii: "$"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{") || isNameStart(bytes[i + 1]) {
                switch expandVariable(bytes, at: i, quoted: quote == .double) {
                case .failure(let error):
                    return .failure(error)
                case .success(let expansion):
                    inWord = true
                    i = expansion.end
                    if let many = expansion.words {
                        // "${VAR[*]}": the current word ends, each value becomes a word of its own.
                        var pieces = splitWords ?? []
                        if !current.isEmpty { pieces.append(String(decoding: current, as: UTF8.self)) }
                        pieces.append(contentsOf: many)
                        splitWords = pieces
                        current.removeAll(keepingCapacity: true)
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

    private func expandVariable(_ bytes: [UInt8], at start: Int, quoted: Bool) -> Result<Expansion, LexError> {
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
        var defaultValue: String? = nil
        if i + 2 < bytes.count, bytes[i] == UInt8(ascii: "["), bytes[i + 1] == UInt8(ascii: "*"), bytes[i + 2] == UInt8(ascii: "]") {
            splitList = true
            i += 3
        }
        if i + 1 < bytes.count, bytes[i] == UInt8(ascii: ":"), bytes[i + 1] == UInt8(ascii: "-") {
            i += 2
            var value: [UInt8] = []
            while i < bytes.count, bytes[i] != UInt8(ascii: "}") {
                value.append(bytes[i])
                i += 1
            }
            defaultValue = String(decoding: value, as: UTF8.self)
        }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "}") else {
            return .failure(LexError(message: "missing '}' after variable '${\(key)'"))
        }
        i += 1
        let value: String
        if let set = environment[key] {
            value = set
        } else {
            value = defaultValue ?? ""
        }
        if splitList && quoted {
            let pieces = value.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            return .success(Expansion(value: value, words: pieces, end: i))
        }
        return .success(Expansion(value: value, words: nil, end: i))
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
