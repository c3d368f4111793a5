import Testing
@testable import UsherConfig

/// HAProxy's condition expressions (`.if`, `-cc`), as usher evaluates them for `-cc`.
struct ConditionExpressionTests {
    let context = ConditionExpression.Context(
        version: "2.6", features: ["OPENSSL", "EPOLL"], environment: ["SET": "yes", "EMPTY": ""],
        tlsLibraryName: "BoringSSL", tlsLibraryVersion: nil)

    func holds(_ text: String) throws -> Bool { try ConditionExpression.evaluate(text, in: context) }

    @Test(arguments: [
        ("1", true), ("0", false), ("", false), ("42", true),
        ("feature(OPENSSL)", true), ("feature(LUA)", false), ("!feature(LUA)", true),
        ("defined(SET)", true), ("defined(EMPTY)", true), ("defined(UNSET)", false),
        ("streq(a,a)", true), ("streq(\"a b\",'a b')", true), ("strneq(a,b)", true), ("streq(a,b)", false),
        ("version_atleast(2.5-dev0)", true), ("version_atleast(2.6-dev0)", true), ("version_atleast(2.6)", true),
        ("version_atleast(2.6.1)", false), ("version_atleast(2.7-dev0)", false), ("version_before(2.7)", true),
        ("version_before(2.6)", false), ("version_before(2.6-rc1)", false),
        ("ssllib_name_startswith(OpenSSL)", false), ("ssllib_name_startswith(Boring)", true),
        ("openssl_version_atleast(1.1.1)", false),
        // && binds tighter than ||; parentheses group.
        ("0 && 0 || 1", true), ("1 || 0 && 0", true), ("(1 || 0) && 0", false),
        ("version_atleast(2.5-dev5) && (feature(PCRE) || feature(PCRE2))", false),
        ("feature(OPENSSL) && !ssllib_name_startswith(BoringSSL)", false),
        ("!(feature(LUA) || 0)", true),
    ])
    func evaluates(text: String, expected: Bool) throws {
        #expect(try holds(text) == expected, "\(text)")
    }

    @Test(arguments: [
        ("bogus(1)", "unknown predicate 'bogus'"),
        ("feature(", "missing ')'"),
        ("(1", "missing ')'"),
        ("1 &", "'&' alone"),
        ("1 &&", "where a term was expected"),
        ("1 1", "unexpected '1'"),
        ("streq(a)", "'streq' expects two arguments"),
        ("version_atleast(x)", "is not a version"),
        ("1 $", "unexpected character '$'"),
    ])
    func malformedConditionsAreErrors(text: String, needle: String) {
        #expect(throws: ConditionExpression.EvaluationError.self) { try holds(text) }
        do {
            _ = try holds(text)
        } catch {
            #expect("\(error)".contains(needle), "\(text): \(error)")
        }
    }

    /// `-cc` reads its argument as a configuration line: quotes go, variables in double quotes
    /// are replaced, an unclosed quote is an error.
    @Test func aLineIsLexedFirst() throws {
        let context = ConditionExpression.Context(
            version: "2.6", features: [], environment: ["TESTVAR": "1"], tlsLibraryName: "BoringSSL", tlsLibraryVersion: nil)
        func line(_ text: String) throws -> Bool { try ConditionExpression.evaluate(line: text, in: context) }
        #expect(try line(#"defined(TESTVAR) && streq("$TESTVAR","1")"#))
        #expect(try line(#"streq("${TESTVAR}",1)"#))
        #expect(try line(#"streq("foo bar",'foo bar')"#))
        #expect(try line("streq(foo,'foo')"))
        #expect(try !line("''"))
        #expect(try line("-1000 && 200"))
        #expect(try line("1   &&!   0&&    !((streq(a,b)||!streq(a,a)&&1)||strneq(a,a))"))
        #expect(throws: ConditionExpression.EvaluationError.self) { try line(#"streq(a,"a)"#) }
        #expect(throws: ConditionExpression.EvaluationError.self) { try line("200rrr") }
        #expect(throws: ConditionExpression.EvaluationError.self) { try line("!(0))") }
    }

    @Test func versionsOrderAsHAProxyWritesThem() throws {
        #expect(try ConditionExpression.compare("2.6", "2.6-dev9") > 0)
        #expect(try ConditionExpression.compare("2.6-dev2", "2.6-dev10") < 0)
        #expect(try ConditionExpression.compare("2.6-rc1", "2.6-dev10") > 0)
        #expect(try ConditionExpression.compare("2.6.12-1+deb12u4", "2.6.12") == 0)
        #expect(try ConditionExpression.compare("2.6", "2.6.0") == 0)
        #expect(try ConditionExpression.compare("2.10", "2.9") > 0)
    }
}
