/// The words of a rule after its action (`http-request set-header …`, `redirect …`,
/// `http-check send …`), read in order. Where an argument could start, `if` or `unless` begins the
/// rule's condition, which the caller parses from `rest`.
struct RuleWords {
    private(set) var rest: ArraySlice<String>
    /// What the rule is called in messages: `http-request set-header`.
    let rule: String
    /// False for lines that take no condition (`http-check`): `if` is then an ordinary word.
    let takesCondition: Bool

    init(_ words: ArraySlice<String>, rule: String, takesCondition: Bool = true) {
        self.rest = words
        self.rule = rule
        self.takesCondition = takesCondition
    }

    /// Whether nothing is left but the condition, if any.
    var isAtCondition: Bool {
        guard let word = rest.first else { return true }
        return takesCondition && (word == "if" || word == "unless")
    }

    /// The next word, or `nil` where the condition (or the line) starts.
    mutating func next() -> String? {
        guard !isAtCondition else { return nil }
        return rest.popFirst()
    }

    /// The value after an option word such as `code` or `string`: whatever word comes next.
    mutating func value(of option: String) throws -> String {
        guard let value = rest.popFirst() else {
            throw ConfigurationError("'\(option)' in '\(rule)' expects a value")
        }
        return value
    }

    /// The fixed arguments of an action, one per description (`"a header name"`), before its
    /// condition.
    mutating func arguments(_ descriptions: String...) throws -> [String] {
        var values: [String] = []
        for _ in descriptions {
            guard let value = next() else {
                throw ConfigurationError("'\(rule)' expects \(Self.list(descriptions))")
            }
            values.append(value)
        }
        return values
    }

    /// `a, b and c`.
    static func list(_ items: [String], conjunction: String = "and") -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items.last!
    }
}
