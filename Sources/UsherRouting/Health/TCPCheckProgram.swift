import UsherConfig

/// A backend's check sequence, ready to run: its `tcp-check` rules compiled, or the sequence of a
/// protocol check (`option redis-check`…). `TCPCheckStateMachine` runs it.
public struct TCPCheckProgram: @unchecked Sendable {
    // @unchecked: compiled regular expressions are immutable and matched without shared state.

    enum Step {
        case connect(TCPCheckRule.Connect)
        case send(Payload)
        case expect(Expectation)
        case comment(String)
        case variable(CompiledVariableAction)
    }

    enum Payload {
        case bytes([UInt8])
        case format(LogFormatTemplate, binary: Bool)
    }

    /// One `tcp-check expect`, compiled.
    struct Expectation {
        enum Matcher {
            case bytes([UInt8], text: Bool)
            case regex(Regex<AnyRegexOutput>, pattern: String, hexadecimal: Bool)
            case format(LogFormatTemplate, binary: Bool)
            case reply(ProtocolReply)
        }

        let matcher: Matcher
        var negated = false
        var minimumReceived: Int?
        var okStatus: CheckStatus?
        var errorStatus: CheckStatus?
        var timeoutStatus: CheckStatus?
        var onSuccess: LogFormatTemplate?
        var onError: LogFormatTemplate?
        var statusCode: CompiledSample?
        /// How the rule is written, for the timeout's report: `expect string '+OK'`.
        var written: String
    }

    struct Entry {
        var step: Step
        var comment: String?
        /// The rule's number in the sequence (from 1, comments counted), as HAProxy reports it;
        /// nil for the protocol checks' own steps and the implicit first connection.
        var number: Int?
    }

    let entries: [Entry]
    /// Whether a step reads or writes (success is then `L7OK`, else the connection alone, `L4OK`).
    let exchangesData: Bool
    /// Whether the sequence opens its own connections (else one is opened first, implicitly).
    let hasConnect: Bool

    init(entries: [Entry]) {
        self.entries = entries
        exchangesData = entries.contains {
            switch $0.step {
            case .send, .expect: true
            default: false
            }
        }
        hasConnect = entries.contains {
            if case .connect = $0.step { return true }
            return false
        }
    }

    /// Whether a `connect` step asks for TLS (`ssl`).
    public var usesTLS: Bool {
        entries.contains {
            if case .connect(let connect) = $0.step { return connect.ssl }
            return false
        }
    }

    /// Compiles `tcp-check` rules.
    public init(rules: [TCPCheckRule]) throws(RoutingError) {
        var entries: [Entry] = []
        for (index, rule) in rules.enumerated() {
            let step: Step
            switch rule.action {
            case .connect(let connect): step = .connect(connect)
            case .comment(let text): step = .comment(text)
            case .variable(let action): step = .variable(try CompiledVariableAction(action))
            case .send(let payload):
                switch payload {
                case .text(let text): step = .send(.bytes(Array(text.utf8)))
                case .binary(let bytes): step = .send(.bytes(bytes))
                case .textFormat(let format): step = .send(.format(try LogFormatTemplate(format), binary: false))
                case .binaryFormat(let format): step = .send(.format(try LogFormatTemplate(format), binary: true))
                }
            case .expect(let expect): step = .expect(try Expectation(expect))
            }
            entries.append(Entry(step: step, comment: rule.comment, number: index + 1))
        }
        self.init(entries: entries)
    }

    /// The sequence of a protocol check.
    public init(protocolCheck: ProtocolCheck) {
        func expect(_ reply: ProtocolReply) -> Entry {
            Entry(step: .expect(Expectation(matcher: .reply(reply), written: "expect \(reply)")), number: nil)
        }
        func send(_ bytes: [UInt8]) -> Entry { Entry(step: .send(.bytes(bytes)), number: nil) }
        switch protocolCheck {
        case .mysql(let user?, let post41):
            self.init(entries: [expect(.mysqlGreeting), send(ProtocolProbe.mysqlLogin(user: user, post41: post41)), expect(.mysqlLogin)])
        case .mysql(nil, _):
            self.init(entries: [expect(.mysqlGreeting)])
        case .pgsql(let user):
            self.init(entries: [send(ProtocolProbe.pgsqlStartup(user: user)), expect(.pgsqlAuthentication)])
        case .redis:
            // PING as a RESP array of one bulk string, as HAProxy sends it (not the inline form).
            self.init(entries: [send(Array("*1\r\n$4\r\nPING\r\n".utf8)), expect(.redisPong)])
        case .smtp(let hello, let domain):
            self.init(entries: [
                expect(.smtp), send(Array("\(hello) \(domain)\r\n".utf8)), expect(.smtp), send(Array("QUIT\r\n".utf8)), expect(.smtp),
            ])
        case .ldap:
            self.init(entries: [send(ProtocolProbe.ldapBind), expect(.ldapBind)])
        }
    }
}

extension TCPCheckProgram.Expectation {
    init(matcher: Matcher, written: String) {
        self.matcher = matcher
        self.written = written
    }

    init(_ expect: TCPCheckRule.Expect) throws(RoutingError) {
        let bang = expect.negated ? "! " : ""
        switch expect.match {
        case .string(let text):
            matcher = .bytes(Array(text.utf8), text: true)
            written = "expect \(bang)string '\(text)'"
        case .binary(let bytes):
            matcher = .bytes(bytes, text: false)
            written = "expect \(bang)binary '\(bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())'"
        case .regex(let pattern):
            matcher = .regex(try CompiledHeaderAction.regex(pattern), pattern: pattern, hexadecimal: false)
            written = "expect \(bang)rstring '\(pattern)'"
        case .binaryRegex(let pattern):
            matcher = .regex(try CompiledHeaderAction.regex(pattern), pattern: pattern, hexadecimal: true)
            written = "expect \(bang)rbinary '\(pattern)'"
        case .stringFormat(let format):
            matcher = .format(try LogFormatTemplate(format), binary: false)
            written = "expect \(bang)string-lf '\(format)'"
        case .binaryFormat(let format):
            matcher = .format(try LogFormatTemplate(format), binary: true)
            written = "expect \(bang)binary-lf '\(format)'"
        }
        negated = expect.negated
        minimumReceived = expect.minimumReceived
        okStatus = expect.okStatus
        errorStatus = expect.errorStatus
        timeoutStatus = expect.timeoutStatus
        onSuccess = try expect.onSuccess.map { (format) throws(RoutingError) in try LogFormatTemplate(format) }
        onError = try expect.onError.map { (format) throws(RoutingError) in try LogFormatTemplate(format) }
        statusCode = try expect.statusCode.map { (expression) throws(RoutingError) in try CompiledSample(expression) }
    }

    /// What a failed match is called in the report, as HAProxy words it.
    var contentDescription: String {
        switch matcher {
        case .bytes(let bytes, true): "'\(String(decoding: bytes, as: UTF8.self))'"
        case .bytes: "(binary)"
        case .regex(_, _, false): "(regex)"
        case .regex: "(binary regex)"
        case .format(_, false): "(log-format string)"
        case .format: "(log-format binary)"
        case .reply: "(protocol answer)"
        }
    }
}
