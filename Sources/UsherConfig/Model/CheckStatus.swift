/// A health check's result as HAProxy names it in the stats (`check_status`) and describes it
/// (`check_desc`, the `reason:` of log lines). `tcp-check expect … ok-status|error-status|tout-status`
/// pick among them.
public enum CheckStatus: String, Sendable, Equatable, CaseIterable {
    case l4OK = "L4OK"
    case l4Timeout = "L4TOUT"
    case l4Connection = "L4CON"
    case l6OK = "L6OK"
    case l6Timeout = "L6TOUT"
    case l6Response = "L6RSP"
    case l7OK = "L7OK"
    case l7ConditionallyOK = "L7OKC"
    case l7Timeout = "L7TOUT"
    case l7Response = "L7RSP"
    case l7Status = "L7STS"
    case socketError = "SOCKERR"

    /// HAProxy's description, as the stats page and the logs show it.
    public var description: String {
        switch self {
        case .l4OK: "Layer4 check passed"
        case .l4Timeout: "Layer4 timeout"
        case .l4Connection: "Layer4 connection problem"
        case .l6OK: "Layer6 check passed"
        case .l6Timeout: "Layer6 timeout"
        case .l6Response: "Layer6 invalid response"
        case .l7OK: "Layer7 check passed"
        case .l7ConditionallyOK: "Layer7 check conditionally passed"
        case .l7Timeout: "Layer7 timeout"
        case .l7Response: "Layer7 invalid response"
        case .l7Status: "Layer7 wrong status"
        case .socketError: "Socket error"
        }
    }

    /// Whether the server passed the check.
    public var isPassing: Bool {
        switch self {
        case .l4OK, .l6OK, .l7OK, .l7ConditionallyOK: true
        default: false
        }
    }

    /// What `tcp-check expect ok-status` accepts (HAProxy 2.6).
    public static let okStatuses: [CheckStatus] = [.l7OK, .l7ConditionallyOK, .l6OK, .l4OK]
    /// What `tcp-check expect error-status` accepts (HAProxy 2.6.12 takes these four).
    public static let errorStatuses: [CheckStatus] = [.l4Connection, .l6Response, .l7Response, .l7Status]
    /// What `tcp-check expect tout-status` accepts.
    public static let timeoutStatuses: [CheckStatus] = [.l7Timeout, .l6Timeout, .l4Timeout]
}
