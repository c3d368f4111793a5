/// A condition in HAProxy's syntax for conditional blocks (`.if COND`) and `-cc COND`:
/// `0`/`1`, predicates such as `feature(OPENSSL)` or `version_atleast(2.5-dev0)`, `!`, `&&` (which
/// binds tighter), `||`, and parentheses. usher evaluates it for `-cc`, which test harnesses use
/// to ask the proxy what it can do before starting it.
public enum ConditionExpression {
    /// What the predicates are asked about.
    public struct Context: Sendable {
        /// The version `version_atleast` and `version_before` compare with (`2.6`, `2.5-dev0`).
        public var version: String
        /// The features that `feature(NAME)` finds: the names listed with a `+` by `-vv`.
        public var features: Set<String>
        /// For `defined(NAME)`.
        public var environment: [String: String]
        /// The TLS library's name (`ssllib_name_startswith`) and version (`openssl_version_*`).
        public var tlsLibraryName: String
        public var tlsLibraryVersion: String?

        public init(version: String, features: Set<String>, environment: [String: String], tlsLibraryName: String, tlsLibraryVersion: String?) {
            self.version = version
            self.features = features
            self.environment = environment
            self.tlsLibraryName = tlsLibraryName
            self.tlsLibraryVersion = tlsLibraryVersion
        }
    }

    public struct EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Whether `text` holds in `context`; an error for a malformed condition or an unknown predicate.
    /// An empty condition is false, as in HAProxy.
    public static func evaluate(_ text: String, in context: Context) throws -> Bool {
        var parser = Parser(tokens: try tokenize(text), context: context)
        if parser.tokens.isEmpty { return false }
        let result = try parser.disjunction()
        guard parser.position == parser.tokens.count else {
            throw EvaluationError(description: "unexpected '\(parser.tokens[parser.position])' in condition '\(text)'")
        }
        return result
    }

    /// `text` read first as a configuration line is (quotes, escapes, `"$VAR"` and `"${VAR}"` from
    /// `context.environment`), its words then evaluated: how `-cc` takes its argument, as HAProxy.
    public static func evaluate(line text: String, in context: Context) throws -> Bool {
        switch ConfigurationLexer(environment: context.environment).lexLine(Substring(text)) {
        case .success(let words): return try evaluate(words.joined(separator: " "), in: context)
        case .failure(let error): throw EvaluationError(description: error.message)
        }
    }

    enum Token: Equatable, CustomStringConvertible {
        case open, close, not, and, or
        /// A predicate or a number, with its arguments when followed by a parenthesis.
        case term(name: String, arguments: [String]?)

        var description: String {
            switch self {
            case .open: return "("
            case .close: return ")"
            case .not: return "!"
            case .and: return "&&"
            case .or: return "||"
            case .term(let name, let arguments?): return "\(name)(\(arguments.joined(separator: ",")))"
            case .term(let name, nil): return name
            }
        }
    }

    static func tokenize(_ text: String) throws -> [Token] {
        let characters = Array(text)
        var tokens: [Token] = []
        var index = 0
        func isNameCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" || c == "." }
        while index < characters.count {
            let c = characters[index]
            if c == " " || c == "\t" {
                index += 1
            } else if c == "(" {
                tokens.append(.open); index += 1
            } else if c == ")" {
                tokens.append(.close); index += 1
            } else if c == "!" {
                tokens.append(.not); index += 1
            } else if c == "&" || c == "|" {
                guard index + 1 < characters.count, characters[index + 1] == c else {
                    throw EvaluationError(description: "'\(c)' alone in condition '\(text)' (expected '\(c)\(c)')")
                }
                tokens.append(c == "&" ? .and : .or); index += 2
            } else if isNameCharacter(c) {
                var name = ""
                while index < characters.count, isNameCharacter(characters[index]) {
                    name.append(characters[index]); index += 1
                }
                guard index < characters.count, characters[index] == "(" else {
                    tokens.append(.term(name: name, arguments: nil))
                    continue
                }
                // The arguments: up to the closing parenthesis, split on commas, quotes removed.
                index += 1
                var arguments: [String] = []
                var current = ""
                var quote: Character? = nil
                var closed = false
                while index < characters.count {
                    let a = characters[index]
                    index += 1
                    if let open = quote {
                        if a == open { quote = nil } else { current.append(a) }
                    } else if a == "\"" || a == "'" {
                        quote = a
                    } else if a == "," {
                        arguments.append(current); current = ""
                    } else if a == ")" {
                        closed = true
                        break
                    } else {
                        current.append(a)
                    }
                }
                guard closed else { throw EvaluationError(description: "missing ')' after '\(name)(' in condition '\(text)'") }
                if !(arguments.isEmpty && current.isEmpty) { arguments.append(current) }
                tokens.append(.term(name: name, arguments: arguments))
            } else {
                throw EvaluationError(description: "unexpected character '\(c)' in condition '\(text)'")
            }
        }
        return tokens
    }

    struct Parser {
        let tokens: [Token]
        let context: Context
        var position = 0

        init(tokens: [Token], context: Context) {
            self.tokens = tokens
            self.context = context
        }

        mutating func disjunction() throws -> Bool {
            var result = try conjunction()
            while position < tokens.count, tokens[position] == .or {
                position += 1
                // Every operand is parsed (and checked) even when the result is already known.
                let next = try conjunction()
                result = result || next
            }
            return result
        }

        mutating func conjunction() throws -> Bool {
            var result = try unary()
            while position < tokens.count, tokens[position] == .and {
                position += 1
                let next = try unary()
                result = result && next
            }
            return result
        }

        mutating func unary() throws -> Bool {
            guard position < tokens.count else { throw EvaluationError(description: "the condition ends where a term was expected") }
            let token = tokens[position]
            position += 1
            switch token {
            case .not:
                return !(try unary())
            case .open:
                let inner = try disjunction()
                guard position < tokens.count, tokens[position] == .close else {
                    throw EvaluationError(description: "missing ')' in condition")
                }
                position += 1
                return inner
            case .term(let name, let arguments):
                return try ConditionExpression.predicate(name, arguments, in: context)
            case .close, .and, .or:
                throw EvaluationError(description: "unexpected '\(token)' where a term was expected")
            }
        }
    }

    static func predicate(_ name: String, _ arguments: [String]?, in context: Context) throws -> Bool {
        if arguments == nil, let number = Int(name) { return number != 0 }
        let arguments = arguments ?? []
        func one() throws -> String {
            guard arguments.count == 1 else { throw EvaluationError(description: "'\(name)' expects one argument") }
            return arguments[0]
        }
        func two() throws -> (String, String) {
            guard arguments.count == 2 else { throw EvaluationError(description: "'\(name)' expects two arguments") }
            return (arguments[0], arguments[1])
        }
        switch name {
        case "defined": return context.environment[try one()] != nil
        case "feature": return context.features.contains(try one())
        case "streq": let (a, b) = try two(); return a == b
        case "strneq": let (a, b) = try two(); return a != b
        case "version_atleast": return try compare(context.version, try one()) >= 0
        case "version_before": return try compare(context.version, try one()) < 0
        case "ssllib_name_startswith": return context.tlsLibraryName.hasPrefix(try one())
        case "openssl_version_atleast", "openssl_version_before":
            let wanted = try one()
            // Not OpenSSL (BoringSSL has no comparable version): false either way.
            guard let have = context.tlsLibraryVersion else { return false }
            let order = try compare(have, wanted)
            return name == "openssl_version_atleast" ? order >= 0 : order < 0
        default:
            throw EvaluationError(description: "unknown predicate '\(name)' (usher knows defined, feature, streq, strneq, version_atleast, version_before, ssllib_name_startswith, openssl_version_atleast, openssl_version_before)")
        }
    }

    /// Orders two versions as HAProxy writes them: numbers separated by dots (missing ones are 0),
    /// then an optional `-devN`, `-preN` or `-rcN` that comes before the release itself.
    static func compare(_ left: String, _ right: String) throws -> Int {
        let a = try VersionKey(left), b = try VersionKey(right)
        for (x, y) in zip(a.numbers, b.numbers) where x != y { return x < y ? -1 : 1 }
        if a.stage != b.stage { return a.stage < b.stage ? -1 : 1 }
        if a.stageNumber != b.stageNumber { return a.stageNumber < b.stageNumber ? -1 : 1 }
        return 0
    }

    struct VersionKey {
        var numbers: [Int]
        /// 0: dev, 1: pre, 2: rc, 3: a release (anything else after the dash: a packaging suffix).
        var stage: Int
        var stageNumber: Int

        init(_ text: String) throws {
            let main = text.prefix { $0.isNumber || $0 == "." }
            let parts = main.split(separator: ".", omittingEmptySubsequences: false)
            guard !main.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else {
                throw EvaluationError(description: "'\(text)' is not a version such as 2.6 or 2.5-dev0")
            }
            numbers = parts.map { Int($0) ?? 0 }
            while numbers.count < 4 { numbers.append(0) }
            let rest = text.dropFirst(main.count)
            stage = 3
            stageNumber = 0
            if rest.hasPrefix("-") {
                let suffix = rest.dropFirst()
                for (word, value) in [("dev", 0), ("pre", 1), ("rc", 2)] where suffix.hasPrefix(word) {
                    stage = value
                    stageNumber = Int(suffix.dropFirst(word.count).prefix { $0.isNumber }) ?? 0
                }
            }
        }
    }
}
