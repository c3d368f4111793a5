/// One `http-check send …` or `http-check expect …` line.
public enum HTTPCheckRule: Sendable, Equatable {
    case send(Send)
    case expect(Expect)

    /// `http-check send [meth M] [uri U] [ver V] [hdr NAME FMT]… [body TEXT]`: what the request
    /// adds to (or changes in) the `option httpchk` request line.
    public struct Send: Sendable, Equatable {
        public var method: String?
        public var uri: String?
        public var version: String?
        /// `hdr NAME FMT`, in order; values are log-format strings, kept raw.
        public var headers: [HTTPHeaderField]
        /// `body TEXT`; a `Content-Length` goes with it.
        public var body: String?
        public var location: SourceLocation

        public init(
            method: String? = nil, uri: String? = nil, version: String? = nil, headers: [HTTPHeaderField] = [], body: String? = nil,
            location: SourceLocation
        ) {
            self.method = method
            self.uri = uri
            self.version = version
            self.headers = headers
            self.body = body
            self.location = location
        }
    }

    /// `http-check expect [min-recv N] [!] MATCH PATTERN`: what makes the check pass.
    public struct Expect: Sendable, Equatable {
        public enum Match: Sendable, Equatable {
            /// `status 200,201,300-310`: the status is one of the codes or in one of the ranges.
            case status([ClosedRange<Int>])
            /// `rstatus REGEX`: the status (as text) matches.
            case statusRegex(String)
            /// `string TEXT`: the body contains the text.
            case string(String)
            /// `rstring REGEX`: the body matches.
            case bodyRegex(String)
        }

        /// `!`: the check fails when the match succeeds.
        public var negated: Bool
        public var match: Match
        /// `min-recv N`: evaluate only once N bytes have arrived (`nil`: no minimum; `-1` also means none).
        public var minimumReceived: Int?
        public var location: SourceLocation

        public init(negated: Bool = false, match: Match, minimumReceived: Int? = nil, location: SourceLocation) {
            self.negated = negated
            self.match = match
            self.minimumReceived = minimumReceived
            self.location = location
        }
    }
}
