/// One metric of the Prometheus exporter: its name after `haproxy_<scope>_`, its type, its HELP
/// text and where its samples come from. Names, types, labels and HELP texts are HAProxy 2.6's,
/// word for word (its quirks included: every `http_responses_total` says "100-199"): they are
/// what existing dashboards and alerts query.
struct PrometheusMetric: Sendable {
    enum Kind: String, Sendable {
        case gauge, counter
    }

    /// Where the samples come from. HAProxy's exporter is built on its statistics fields, so most
    /// metrics are one column of a statistics row.
    enum Source: Sendable {
        /// A process-wide value (`haproxy_process_*`), looked up by the metric's name.
        case process
        /// The row's cell; NaN where the row has none (HAProxy's empty field).
        case field(StatField)
        /// A cell in milliseconds, printed in seconds.
        case seconds(StatField)
        /// `hrsp_1xx`…`hrsp_other`, one sample per `code` label.
        case responses
        /// The object's state, one sample per `state` label (1 for the current one).
        case status
        /// A server's last health check, one sample per check status; checked servers only.
        case checkStatus
        /// The layer-7 code of a server's last check (0 below layer 7); checked servers only.
        case checkCode
        /// How long a server's last check took, in seconds; servers checked at least once.
        case checkDuration
        /// A backend's servers counted by state; backends with servers only.
        case aggregatedServerStatus
        /// A backend's servers counted by last check status; backends with servers only.
        case aggregatedCheckStatus
    }

    let name: String
    let kind: Kind
    let help: String
    let source: Source
    /// Only proxies in `mode http` have it (HAProxy leaves TCP proxies out of these metrics).
    let httpOnly: Bool

    init(_ name: String, _ kind: Kind, _ help: String, _ source: Source, httpOnly: Bool = false) {
        self.name = name
        self.kind = kind
        self.help = help
        self.source = source
        self.httpOnly = httpOnly
    }

    /// The `code` label values of `http_responses_total`, and the statistics column of each.
    static let responseCodes: [(label: String, field: StatField)] = [
        ("1xx", .hrsp1xx), ("2xx", .hrsp2xx), ("3xx", .hrsp3xx), ("4xx", .hrsp4xx), ("5xx", .hrsp5xx), ("other", .hrspOther),
    ]

    /// The `state` values of a frontend's and a backend's status.
    static let proxyStates = ["DOWN", "UP"]
    /// The `state` values of a listener's status.
    static let listenerStates = ["WAITING", "OPEN", "FULL"]
    /// The `state` values of a server's status and of a backend's aggregate of them.
    static let serverStates = ["DOWN", "UP", "MAINT", "DRAIN", "NOLB"]
    /// The check statuses that end a check (HAProxy leaves out `UNK`, `INI` and `START`).
    static let checkStates = [
        "HANA", "SOCKERR", "L4OK", "L4TOUT", "L4CON", "L6OK", "L6TOUT", "L6RSP", "L7TOUT", "L7RSP", "L7OK", "L7OKC",
        "L7STS", "PROCERR", "PROCTOUT", "PROCOK",
    ]
}
