/// `tcp-request content|connection accept|reject [COND]`.
public struct TCPRequestRule: Sendable, Equatable {
    public enum Phase: String, Sendable, Equatable {
        case connection
        case content
    }

    public enum Action: String, Sendable, Equatable {
        case accept
        case reject
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
