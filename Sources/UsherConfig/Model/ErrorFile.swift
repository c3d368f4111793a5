/// `errorfiles NAME [CODE…]`: the error files of an `http-errors` section, all or some.
public struct ErrorFileImport: Sendable, Equatable {
    public var section: String
    /// Empty: every status the section has.
    public var statuses: [Int]
    public var location: SourceLocation

    public init(section: String, statuses: [Int], location: SourceLocation) {
        self.section = section
        self.statuses = statuses
        self.location = location
    }
}

/// What a proxy answers instead of one of HAProxy's own error responses: `errorfile CODE FILE`,
/// `errorloc CODE URL`, `errorloc302 CODE URL` or `errorloc303 CODE URL`.
public struct ErrorFile: Sendable, Equatable {
    public enum Response: Sendable, Equatable {
        /// A complete HTTP response (status line, headers, body), read while parsing as HAProxy
        /// does; already checked to start with an `HTTP/1.x` status line. Empty means "close the
        /// connection without answering".
        case file(path: String, contents: [UInt8])
        /// A redirect to `url` with status 302 (`errorloc`, `errorloc302`) or 303 (`errorloc303`).
        case redirect(code: Int, url: String)
        /// `http-error status CODE …`: a reply written as `http-request return` writes one (its
        /// payload and headers fixed text).
        case reply(HTTPReply)
    }

    /// The status codes HAProxy generates itself, the only ones an error file can replace. 200 is
    /// the `monitor-uri` answer.
    public static let statusCodes = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504]

    /// The status it replaces (one of `statusCodes`).
    public var status: Int
    public var response: Response
    public var location: SourceLocation

    public init(status: Int, response: Response, location: SourceLocation) {
        self.status = status
        self.response = response
        self.location = location
    }
}
