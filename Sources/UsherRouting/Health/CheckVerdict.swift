import UsherConfig

/// How one health check ended: HAProxy's status (`check_status`, `L7OK`, `L4CON`…), the code it
/// reports (`check_code`: an SMTP reply code, a MySQL error number) and its free text (`last_chk`,
/// the `info:` of log lines).
public struct CheckVerdict: Sendable, Equatable {
    public var status: CheckStatus
    public var code: Int?
    public var info: String?

    public init(_ status: CheckStatus, code: Int? = nil, info: String? = nil) {
        self.status = status
        self.code = code
        self.info = info
    }

    public var isPassing: Bool { status.isPassing }
    /// The stats page's `check_desc` and the logs' `reason:`.
    public var description: String { status.description }
}
