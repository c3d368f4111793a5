/// What a scrape asked the Prometheus exporter for, read from the request's query string as
/// HAProxy 2.6 reads it:
///
/// - no `scope` parameter: every scope;
/// - `scope=NAME` (`global`, `frontend`, `listener`, `backend`, `server`, `sticktable`): that scope,
///   and repeated `scope` parameters add up; `scope=*` (anything starting with `*`) adds every
///   scope; an empty `scope=` clears what the parameters before it chose;
/// - `scope` without a value, or an unknown scope: the request is refused (400);
/// - `no-maint` (with or without a value): servers in maintenance are left out of the server metrics;
/// - other parameters are ignored. Names and values are percent-decoded after the split on `&`.
public struct PrometheusQuery: Sendable, Equatable {
    public var scopes: PrometheusScopes
    /// `no-maint`: servers in maintenance are left out of the `haproxy_server_*` metrics (the
    /// backends' aggregates still count them, as HAProxy's do).
    public var excludesMaintenance: Bool

    public init(scopes: PrometheusScopes = .all, excludesMaintenance: Bool = false) {
        self.scopes = scopes
        self.excludesMaintenance = excludesMaintenance
    }

    /// Reads a query string (what follows `?`, nil for none). Returns nil where HAProxy answers 400.
    public init?(query: Substring?) {
        self.init()
        guard let query else { return }
        var sawScope = false
        for parameter in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = FormURLEncoding.decode(parts[0]) else { return nil }
            let value: String?
            if parts.count > 1 {
                guard let decoded = FormURLEncoding.decode(parts[1]) else { return nil }
                value = decoded
            } else {
                value = nil
            }
            switch key {
            case "scope":
                if !sawScope {
                    sawScope = true
                    scopes = []
                }
                guard let value else { return nil }
                if value.isEmpty {
                    scopes = []
                } else if value.hasPrefix("*") {
                    scopes = .all
                } else if let scope = PrometheusScopes(name: value) {
                    scopes.insert(scope)
                } else {
                    return nil
                }
            case "no-maint":
                excludesMaintenance = true
            default:
                continue
            }
        }
    }

}

/// The exporter's sections, in the order it prints them.
public struct PrometheusScopes: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// `haproxy_process_*`
    public static let global = PrometheusScopes(rawValue: 1 << 0)
    /// `haproxy_frontend_*`
    public static let frontend = PrometheusScopes(rawValue: 1 << 1)
    /// `haproxy_listener_*`: listeners of proxies with `option socket-stats`.
    public static let listener = PrometheusScopes(rawValue: 1 << 2)
    /// `haproxy_backend_*`
    public static let backend = PrometheusScopes(rawValue: 1 << 3)
    /// `haproxy_server_*`
    public static let server = PrometheusScopes(rawValue: 1 << 4)
    /// `haproxy_sticktable_*`: usher has no stick tables, so this scope is always empty.
    public static let stickTable = PrometheusScopes(rawValue: 1 << 5)
    public static let all: PrometheusScopes = [.global, .frontend, .listener, .backend, .server, .stickTable]

    init?(name: String) {
        switch name {
        case "global": self = .global
        case "frontend": self = .frontend
        case "listener": self = .listener
        case "backend": self = .backend
        case "server": self = .server
        case "sticktable": self = .stickTable
        default: return nil
        }
    }
}
