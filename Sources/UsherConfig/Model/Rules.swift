/// `tcp-request connection|session|content ACTION [COND]`.
public struct TCPRequestRule: Sendable, Equatable {
    /// When the rule runs: at accept, before a byte is read (`connection`); once the connection is
    /// set up, after a PROXY header or TLS handshake (`session`); on the request's contents
    /// (`content`: in `mode http`, once per request, with the request head there).
    public enum Phase: String, Sendable, Equatable {
        case connection
        case session
        case content
    }

    public enum Action: Sendable, Equatable {
        /// Stop this phase's rules; the connection goes on.
        case accept
        /// Close the connection.
        case reject
        /// Close the connection without telling the client (no FIN, no RST where the system allows).
        case silentDrop
        /// `set-var(…)`, `set-var-fmt(…)`, `unset-var(…)`: the rules go on.
        case variable(VariableAction)
        /// `track-scN`, `sc-inc-gpcN`, `sc-set-gptN`: the rules go on.
        case stickCounter(StickCounterAction)

        /// Whether the action ends this phase's rules.
        public var isFinal: Bool {
            switch self {
            case .variable, .stickCounter: false
            default: true
            }
        }
    }

    public var phase: Phase
    public var action: Action
    public var condition: Condition?
    public var location: SourceLocation

    public init(phase: Phase, action: Action, condition: Condition?, location: SourceLocation) {
        self.phase = phase
        self.action = action
        self.condition = condition
        self.location = location
    }
}

/// `use_backend NAME [COND]`. The name may be a log-format expression such as `%[req.ssl_sni,lower]`.
public struct UseBackendRule: Sendable, Equatable {
    public var backend: String
    public var condition: Condition?
    public var location: SourceLocation

    public init(backend: String, condition: Condition?, location: SourceLocation) {
        self.backend = backend
        self.condition = condition
        self.location = location
    }

    /// As in HAProxy, a name with a `%` in it is a log-format string evaluated per request.
    public var isDynamic: Bool { backend.contains("%") }
}

/// `use-server NAME [COND]` in a backend.
public struct UseServerRule: Sendable, Equatable {
    public var server: String
    public var condition: Condition?
    public var location: SourceLocation

    public init(server: String, condition: Condition?, location: SourceLocation) {
        self.server = server
        self.condition = condition
        self.location = location
    }

    /// As for `use_backend`, a name with a `%` in it (`%[req.hdr(x-server)]`) is a log-format
    /// string evaluated per request.
    public var isDynamic: Bool { server.contains("%") }
}
