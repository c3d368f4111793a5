import UsherConfig

/// How a frontend logs its finished sessions, read once from its options: which line
/// (`option httplog clf`), at which level (`option log-separate-errors`), and which sessions are
/// left out (`option dontlog-normal`).
public struct SessionLogPolicy: Sendable, Equatable {
    /// `option log-separate-errors`: an error is logged at `err` instead of `info`.
    public var separateErrors: Bool
    /// `option dontlog-normal`: only errors are logged.
    public var dontLogNormal: Bool
    /// `option httplog clf`: the HTTP line in Common Log Format.
    public var commonLogFormat: Bool

    public init(separateErrors: Bool = false, dontLogNormal: Bool = false, commonLogFormat: Bool = false) {
        self.separateErrors = separateErrors
        self.dontLogNormal = dontLogNormal
        self.commonLogFormat = commonLogFormat
    }

    public init(_ proxy: Proxy) {
        let settings = proxy.settings
        self.init(
            separateErrors: settings.isEnabled("log-separate-errors"), dontLogNormal: settings.isEnabled("dontlog-normal"),
            commonLogFormat: proxy.mode == .http && settings.isEnabled("httplog") && settings.httpLogIsCLF
        )
    }

    /// The level of a session's line, or `nil` when `dontlog-normal` leaves it out.
    public func level(isError: Bool) -> SyslogLevel? {
        if !isError && dontLogNormal { return nil }
        return isError && separateErrors ? .err : .info
    }

    /// Whether a session counts as an error for these options, as HAProxy judges it: it ended
    /// abnormally (anything but a normal end or the proxy answering by itself, `L`), or it was
    /// retried or redispatched, or (HTTP) its status is 5xx.
    public static func isError(termination: TerminationState, retries: Int, redispatched: Bool, status: Int? = nil) -> Bool {
        if redispatched || retries > 0 { return true }
        if termination.cause != .none && termination.cause != .local { return true }
        return (status ?? 0) >= 500
    }
}
