import Testing
@testable import UsherConfig

@Suite("Lexer: words, quotes, escapes, variables, line ends")
struct LexerTests {
    // MARK: - Words and comments

    @Test func splitsOnSpacesAndTabs() throws {
        #expect(try lexWords("  bind\t:80   name  web ") == ["bind", ":80", "name", "web"])
    }

    @Test func emptyAndCommentOnlyLinesProduceNoWords() throws {
        #expect(try lexWords("") == [])
        #expect(try lexWords("    ") == [])
        #expect(try lexWords("# a comment") == [])
        #expect(try lexWords("   # indented comment") == [])
    }

    @Test func commentEndsTheLineEvenInsideAWord() throws {
        #expect(try lexWords("maxconn 10 # the limit") == ["maxconn", "10"])
        #expect(try lexWords("maxconn 10#the limit") == ["maxconn", "10"])
    }

    @Test func quotedOrEscapedHashIsNotAComment() throws {
        #expect(try lexWords(#"log-format "a # b" c"#) == ["log-format", "a # b", "c"])
        #expect(try lexWords("x 'a#b'") == ["x", "a#b"])
        #expect(try lexWords(##"x \#y"##) == ["x", "#y"])
    }

    // MARK: - Quotes

    @Test func singleQuotesKeepEverythingLiterally() throws {
        #expect(try lexWords(#"x '\x41 $HOME ${HOME} "q"'"#, environment: ["HOME": "/root"]) == ["x", #"\x41 $HOME ${HOME} "q""#])
    }

    @Test func doubleQuotesKeepSpacesAndSingleQuotes() throws {
        #expect(try lexWords(#"x "it's a test""#) == ["x", "it's a test"])
    }

    @Test func adjacentQuotedPiecesFormOneWord() throws {
        #expect(try lexWords(#"x "a b"'c d'e"#) == ["x", "a bc de"])
    }

    @Test func emptyQuotesMakeAnEmptyWord() throws {
        #expect(try lexWords(#"x "" y"#) == ["x", "", "y"])
    }

    // MARK: - Escapes

    @Test func hexEscape() throws {
        #expect(try lexWords(#"x \x41\x62"#) == ["x", "Ab"])
        #expect(try lexWords(#"x "\x41""#) == ["x", "A"])
    }

    @Test func escapedSpaceJoinsWords() throws {
        #expect(try lexWords(#"errorfile a\ b c"#) == ["errorfile", "a b", "c"])
    }

    @Test func escapedBackslashAndQuotes() throws {
        #expect(try lexWords(#"x a\\b \"q\" \'s\'"#) == ["x", #"a\b"#, #""q""#, "'s'"])
        #expect(try lexWords(#"x "say \"hi\"""#) == ["x", #"say "hi""#])
    }

    @Test func controlEscapes() throws {
        #expect(try lexWords(#"x a\tb\r\n"#) == ["x", "a\tb\r\n"])
    }

    /// HAProxy keeps a backslash that escapes nothing, so regular expressions survive the lexer.
    @Test func backslashBeforeAnOrdinaryCharacterIsKept() throws {
        #expect(try lexWords(#"acl api path_reg ^/v\d+/\w+$"#) == ["acl", "api", "path_reg", #"^/v\d+/\w+$"#])
        #expect(try lexWords(#"acl h hdr_reg(host) ^www\.example\.com$"#) == ["acl", "h", "hdr_reg(host)", #"^www\.example\.com$"#])
        #expect(try lexWords(#"x "\1""#) == ["x", #"\1"#])
    }

    @Test func backslashDollarEscapesOnlyInsideDoubleQuotes() throws {
        #expect(try lexWords(#"x "\$HOME""#, environment: ["HOME": "/root"]) == ["x", "$HOME"])
        #expect(try lexWords(#"x \$HOME"#, environment: ["HOME": "/root"]) == ["x", #"\$HOME"#])
    }

    @Test func trailingBackslashIsKeptAsHAProxyDoes() throws {
        #expect(try lexWords(#"x a\"#) == ["x", #"a\"#])
    }

    @Test func badHexEscapeIsAnError() throws {
        let result = ConfigurationLexer(environment: [:]).lexLine(#"x \x4G"#)
        guard case .failure(let error) = result else {
            Issue.record("expected an error, got \(result)")
            return
        }
        #expect(error.message.contains("hexadecimal"))
    }

    // MARK: - Variables

    @Test func bracedVariableInDoubleQuotes() throws {
        let env = ["PORT": "8443", "HOST": "10.0.0.1"]
        #expect(try lexWords(#"bind "${HOST}:${PORT}""#, environment: env) == ["bind", "10.0.0.1:8443"])
        #expect(try lexWords(#"bind "a${PORT}b""#, environment: env) == ["bind", "a8443b"])
    }

    @Test func plainVariableInDoubleQuotes() throws {
        #expect(try lexWords(#"user "$USERNAME""#, environment: ["USERNAME": "haproxy"]) == ["user", "haproxy"])
        #expect(try lexWords(#"user "$USERNAME.x""#, environment: ["USERNAME": "haproxy"]) == ["user", "haproxy.x"])
    }

    /// HAProxy expands variables only inside double quotes: unquoted `$VAR` stays as written (a
    /// regex ending in `$` or a literal dollar must not be eaten).
    @Test func unquotedVariablesAreNotExpanded() throws {
        let env = ["USERNAME": "haproxy"]
        #expect(try lexWords("user $USERNAME", environment: env) == ["user", "$USERNAME"])
        #expect(try lexWords("user ${USERNAME}", environment: env) == ["user", "${USERNAME}"])
        #expect(try lexWords("acl x path_reg ^/a$", environment: env) == ["acl", "x", "path_reg", "^/a$"])
    }

    @Test func unsetVariableExpandsToNothing() throws {
        #expect(try lexWords(#"x "a${NOPE}b""#) == ["x", "ab"])
        #expect(try lexWords(#"x "${NOPE}""#) == ["x", ""])
    }

    /// HAProxy's syntax: `${NAME-default}` replaces an unset variable, not an empty one.
    @Test func dashDefaultReplacesOnlyUnsetVariables() throws {
        #expect(try lexWords(#"log "${SYSLOG-127.0.0.1}:514" local0"#) == ["log", "127.0.0.1:514", "local0"])
        #expect(try lexWords(#"log "${SYSLOG-127.0.0.1}:514" local0"#, environment: ["SYSLOG": "10.1.1.1"]) == ["log", "10.1.1.1:514", "local0"])
        #expect(try lexWords(#"x "[${EMPTY-d}]""#, environment: ["EMPTY": ""]) == ["x", "[]"])
    }

    /// usher's extension, shell-like: `${NAME:-default}` also replaces an empty variable.
    @Test func colonDashDefaultReplacesUnsetAndEmptyVariables() throws {
        #expect(try lexWords(#"x "${NOPE:-fallback}""#) == ["x", "fallback"])
        #expect(try lexWords(#"x "${EMPTY:-fallback}""#, environment: ["EMPTY": ""]) == ["x", "fallback"])
        #expect(try lexWords(#"x "${SET:-fallback}""#, environment: ["SET": "value"]) == ["x", "value"])
        #expect(try lexWords(#"x "${NOPE:-two words}""#) == ["x", "two words"])
    }

    @Test func listVariableExpandsToSeveralWords() throws {
        let env = ["ADDRS": "10.0.0.1:80  10.0.0.2:80 10.0.0.3:80"]
        #expect(try lexWords(#"x "${ADDRS[*]}" y"#, environment: env) == ["x", "10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "y"])
        // Without [*] the value stays one word.
        #expect(try lexWords(#"x "${ADDRS}""#, environment: env) == ["x", "10.0.0.1:80  10.0.0.2:80 10.0.0.3:80"])
    }

    @Test func listVariableJoinsTextAroundIt() throws {
        #expect(try lexWords(#"x "<${L[*]}>""#, environment: ["L": "a b c"]) == ["x", "<a", "b", "c>"])
    }

    @Test func listVariableWithDefault() throws {
        #expect(try lexWords(#"x "${L[*]-p q}""#) == ["x", "p", "q"])
    }

    @Test func malformedVariablesAreErrors() throws {
        let lexer = ConfigurationLexer(environment: [:])
        for line in [#"x "${}""#, #"x "${NAME""#, #"x "${NAME:-default""#] {
            let result = lexer.lexLine(Substring(line))
            guard case .failure = result else {
                Issue.record("expected an error for \(line), got \(result)")
                continue
            }
        }
    }

    // MARK: - Lines and files

    @Test func crlfLineEndsAreAccepted() {
        let (lines, diagnostics) = ConfigurationLexer(environment: [:]).lex("global\r\n    maxconn 10\r\n\r\ndefaults\r\n", file: "crlf.cfg")
        #expect(diagnostics.isEmpty)
        #expect(lines.map(\.words) == [["global"], ["maxconn", "10"], ["defaults"]])
        #expect(lines.map(\.location.line) == [1, 2, 4])
    }

    @Test func missingFinalNewlineKeepsTheLastLine() {
        let (lines, _) = ConfigurationLexer(environment: [:]).lex("global\n    maxconn 10", file: "t.cfg")
        #expect(lines.map(\.words) == [["global"], ["maxconn", "10"]])
        #expect(lines.last?.location == UsherConfig.SourceLocation(file: "t.cfg", line: 2))
    }

    @Test func lineNumbersCountBlankAndCommentLines() {
        let text = "\n# comment\nglobal\n\n    daemon\n"
        let (lines, _) = ConfigurationLexer(environment: [:]).lex(text, file: "t.cfg")
        #expect(lines.map(\.location.line) == [3, 5])
    }

    @Test func unterminatedQuotesAreReportedWithTheirLine() {
        let text = "global\n    daemon\n    log \"127.0.0.1 local0\n    pidfile 'x\n"
        let (lines, diagnostics) = ConfigurationLexer(environment: [:]).lex(text, file: "q.cfg")
        #expect(lines.map(\.words) == [["global"], ["daemon"]])
        #expect(diagnostics.count == 2)
        #expect(diagnostics.allSatisfy { $0.severity == .alert })
        #expect(diagnostics.map(\.location) == [UsherConfig.SourceLocation(file: "q.cfg", line: 3), UsherConfig.SourceLocation(file: "q.cfg", line: 4)])
        #expect(diagnostics[0].message.contains("unterminated double quote"))
        #expect(diagnostics[1].message.contains("unterminated single quote"))
    }

    @Test func unterminatedQuoteFailsTheWholeParse() {
        let outcome = parse("global\n    log \"127.0.0.1 local0\n")
        #expect(outcome.configuration == nil)
        #expect(outcome.alerts.map(\.location?.line) == [2])
    }

    @Test func environmentReachesTheParser() throws {
        let outcome = parse("global\n    maxconn \"${MAXCONN}\"\n", environment: ["MAXCONN": "1234"])
        #expect(outcome.configuration?.global.maxconn == 1234)
    }

    @Test func crlfFileParses() throws {
        let text = quietDefaults.replacing("\n", with: "\r\n")
            + "\r\nfrontend fe\r\n    bind :80\r\n    default_backend be\r\nbackend be\r\n    server s1 127.0.0.1:8000\r\n"
        let outcome = parse(text)
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
        #expect(try outcome.proxy("be").servers.map(\.name) == ["s1"])
        #expect(try outcome.proxy("fe").settings.defaultBackendLocation?.line == 7)
    }
}
