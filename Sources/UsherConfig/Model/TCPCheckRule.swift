/// One `tcp-check …` line. The rules of a proxy run in order, as one check: every step must pass.
public struct TCPCheckRule: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// `tcp-check connect [OPTIONS]`: (re)opens the connection.
        case connect(Connect)
        /// `tcp-check send|send-binary|send-lf|send-binary-lf DATA`.
        case send(Payload)
        /// `tcp-check expect …`.
        case expect(Expect)
        /// `tcp-check comment TEXT`: named in the report when the next step fails.
        case comment(String)
        /// `tcp-check set-var(…)`, `set-var-fmt(…)`, `unset-var(…)`.
        case variable(VariableAction)
    }

    /// What a `send` sends, or what an `expect` of the `-lf` kinds looks for.
    public enum Payload: Sendable, Equatable {
        /// `send TEXT`: the text, with the lexer's escapes already applied (`\r\n`).
        case text(String)
        /// `send-binary HEX`: the bytes.
        case binary([UInt8])
        /// `send-lf FMT`: a log-format string, kept raw (UsherRouting compiles it).
        case textFormat(String)
        /// `send-binary-lf FMT`: a log-format string whose result is read as hexadecimal digits.
        case binaryFormat(String)
    }

    /// `tcp-check connect [default] [port N] [addr IP] [send-proxy] [ssl] [sni NAME] [alpn LIST] [linger]`
    public struct Connect: Sendable, Equatable {
        /// `port N`: else the server's check port, else its port.
        public var port: Int?
        /// `addr IP`: else the server's check address, else its address.
        public var address: String?
        /// `send-proxy`: a PROXY protocol (v1) header opens the connection.
        public var sendProxy: Bool
        /// `ssl`: the connection is ciphered.
        public var ssl: Bool
        /// `sni NAME` (with `ssl`).
        public var sni: String?
        /// `alpn LIST` (with `ssl`).
        public var alpn: [String]?
        /// `linger`: close cleanly instead of with a reset.
        public var linger: Bool
        /// `default`: the server line's check options (its `check-ssl`, `check-send-proxy`…) fill in
        /// what the rule does not say.
        public var usesServerDefaults: Bool

        public init(
            port: Int? = nil, address: String? = nil, sendProxy: Bool = false, ssl: Bool = false, sni: String? = nil,
            alpn: [String]? = nil, linger: Bool = false, usesServerDefaults: Bool = false
        ) {
            self.port = port
            self.address = address
            self.sendProxy = sendProxy
            self.ssl = ssl
            self.sni = sni
            self.alpn = alpn
            self.linger = linger
            self.usesServerDefaults = usesServerDefaults
        }
    }

    /// `tcp-check expect [min-recv N] [!] MATCH PATTERN` with its status and message options.
    public struct Expect: Sendable, Equatable {
        public enum Match: Sendable, Equatable {
            /// `string TEXT`: the bytes received contain the text.
            case string(String)
            /// `rstring REGEX`: the bytes received, as text, match.
            case regex(String)
            /// `binary HEX`: the bytes received contain these bytes.
            case binary([UInt8])
            /// `rbinary REGEX`: the bytes received, written in upper-case hexadecimal, match.
            case binaryRegex(String)
            /// `string-lf FMT`: the bytes received contain the evaluated format.
            case stringFormat(String)
            /// `binary-lf FMT`: the bytes received contain the evaluated format, read as hexadecimal.
            case binaryFormat(String)
        }

        public var negated: Bool
        public var match: Match
        /// `min-recv N`: evaluate only once N bytes have arrived (`nil`: no minimum).
        public var minimumReceived: Int?
        /// `ok-status`, `error-status`, `tout-status`: the status reported; `nil` for the defaults
        /// (L7OK, L7RSP, L7TOUT).
        public var okStatus: CheckStatus?
        public var errorStatus: CheckStatus?
        public var timeoutStatus: CheckStatus?
        /// `on-success FMT`, `on-error FMT`: the message reported (log-format strings, kept raw).
        public var onSuccess: String?
        public var onError: String?
        /// `status-code EXPR`: the code reported.
        public var statusCode: SampleExpression?

        public init(
            negated: Bool = false, match: Match, minimumReceived: Int? = nil, okStatus: CheckStatus? = nil, errorStatus: CheckStatus? = nil,
            timeoutStatus: CheckStatus? = nil, onSuccess: String? = nil, onError: String? = nil, statusCode: SampleExpression? = nil
        ) {
            self.negated = negated
            self.match = match
            self.minimumReceived = minimumReceived
            self.okStatus = okStatus
            self.errorStatus = errorStatus
            self.timeoutStatus = timeoutStatus
            self.onSuccess = onSuccess
            self.onError = onError
            self.statusCode = statusCode
        }
    }

    public var action: Action
    /// `comment TEXT` at the end of a `connect`, `send` or `expect` line.
    public var comment: String?
    public var location: SourceLocation

    public init(_ action: Action, comment: String? = nil, location: SourceLocation) {
        self.action = action
        self.comment = comment
        self.location = location
    }
}
