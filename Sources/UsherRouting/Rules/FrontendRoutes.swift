import UsherConfig

/// A frontend's routing decisions, compiled once per configuration. A class: immutable, and shared
/// by reference so that reading it from a session never copies its many fields.
public final class FrontendRoutes: Sendable {
    /// A `tcp-request` rule, compiled.
    struct Rule: Sendable {
        enum Action: Sendable {
            case accept
            case reject
            case silentDrop
            case variable(CompiledVariableAction)
            case stickCounter(CompiledStickAction)
        }

        var action: Action
        var condition: CompiledCondition?
    }

    public let proxy: Proxy
    /// The delay to wait for request bytes while a content rule cannot decide.
    public let inspectDelay: Duration?
    let connectionRules: [Rule]
    let sessionRules: [Rule]
    let contentRules: [Rule]
    let backendRules: [(target: BackendTarget, condition: CompiledCondition?)]
    /// For a mode http frontend, the mode tcp backends, by index: a computed `use_backend` name that
    /// picks one does not apply (an HTTP stream cannot become a TCP one; a mode tcp frontend's
    /// connection is upgraded to HTTP for a mode http backend).
    let otherModeBackends: Set<Int>
    /// Index into `RoutingTable.backends`.
    public let defaultBackend: Int?
    /// `http-request` and `redirect` rules, run before the backend is chosen.
    public let httpRequestRules: CompiledHTTPRules
    /// `http-response` rules, run after the backend's.
    public let httpResponseRules: CompiledHTTPRules
    /// `http-after-response` rules, run after the backend's, on every response.
    public let httpAfterResponseRules: CompiledHTTPRules
    /// `log-format`, compiled (HTTP mode).
    public let logFormat: LogFormatLine?
    /// `unique-id-format`, compiled: each stream's unique ID (`unique-id`, `%ID`).
    public let uniqueIDFormat: LogFormatLine?
    /// `unique-id-header NAME`: the request header that carries the unique ID to the server.
    public var uniqueIDHeader: String? { uniqueIDFormat == nil ? nil : proxy.settings.uniqueIDHeader }

    init(
        proxy: Proxy, connectionRules: [Rule], sessionRules: [Rule] = [], contentRules: [Rule],
        backendRules: [(target: BackendTarget, condition: CompiledCondition?)], defaultBackend: Int?,
        httpRequestRules: CompiledHTTPRules = .empty, httpResponseRules: CompiledHTTPRules = .empty,
        httpAfterResponseRules: CompiledHTTPRules = .empty, logFormat: LogFormatLine? = nil,
        uniqueIDFormat: LogFormatLine? = nil, otherModeBackends: Set<Int> = []
    ) {
        self.uniqueIDFormat = uniqueIDFormat
        self.otherModeBackends = otherModeBackends
        self.logFormat = logFormat
        self.httpRequestRules = httpRequestRules
        self.httpResponseRules = httpResponseRules
        self.httpAfterResponseRules = httpAfterResponseRules
        self.proxy = proxy
        self.inspectDelay = proxy.settings.inspectDelay
        self.connectionRules = connectionRules
        self.sessionRules = sessionRules
        self.contentRules = contentRules
        self.backendRules = backendRules
        self.defaultBackend = defaultBackend
        if let inspectDelay = proxy.settings.inspectDelay, inspectDelay > .zero {
            // In mode tcp, HTTP fetches read the request bytes too.
            let tcp = proxy.mode == .tcp
            self.needsInspection = contentRules.contains { rule in
                guard let condition = rule.condition else { return false }
                return condition.readsPayload || (tcp && !condition.httpACLNames.isEmpty)
            }
        } else {
            self.needsInspection = false
        }
    }

    /// Whether connections must be inspected (wait for bytes) before a backend is chosen.
    public let needsInspection: Bool

    /// Whether there are `tcp-request content` rules (in `mode http`, run on each request).
    public var hasContentRules: Bool { !contentRules.isEmpty }

    /// `tcp-request connection` rules, evaluated at accept time, before any byte is read.
    public func evaluateConnectionRules(_ context: inout SampleContext) -> InspectionVerdict {
        // Nothing can arrive before these rules run: "need more data" means no value.
        context.isFinal = true
        return Self.evaluate(connectionRules, &context)
    }

    /// `tcp-request session` rules, evaluated once the connection is set up (after a PROXY header
    /// or a TLS handshake), before any content is inspected.
    public func evaluateSessionRules(_ context: inout SampleContext) -> InspectionVerdict {
        let wasFinal = context.isFinal
        context.isFinal = true
        defer { context.isFinal = wasFinal }
        return Self.evaluate(sessionRules, &context)
    }

    /// `tcp-request content` rules, in order, from the first each time, as HAProxy 2.6 runs them
    /// whenever more of the request has arrived (a variable set before a rule that waits is set
    /// again on the next run). A rule whose condition is undecided makes the evaluation wait,
    /// unless `context.isFinal` (then it does not match); a rule that matches decides, or (setting
    /// a variable) goes on; when none decides the connection is accepted.
    public func evaluateContentRules(_ context: inout SampleContext) -> InspectionVerdict {
        Self.evaluate(contentRules, &context)
    }

    static func evaluate(_ rules: [Rule], _ context: inout SampleContext) -> InspectionVerdict {
        for (index, rule) in rules.enumerated() {
            switch rule.condition.evaluate(&context) {
            case .pass:
                switch rule.action {
                case .accept: return .accept
                case .reject: return .reject(rule: index)
                case .silentDrop: return .silentDrop(rule: index)
                case .variable(let action): action.apply(&context)
                case .stickCounter(let action): action.apply(&context)
                }
            case .fail:
                continue
            case .miss:
                if !context.isFinal { return .waitForData }
            }
        }
        return .accept
    }

    /// The backend for this connection: the first matching `use_backend` rule, else `default_backend`.
    /// Returns an index into `RoutingTable.backends`, or `nil` when none applies.
    ///
    /// As in HAProxy, switching rules never wait: they see the bytes as final, so a fetch still
    /// short of data has no value (and `unless` such a condition passes).
    public func chooseBackend(_ context: inout SampleContext, backendsByName: [String: Int]) -> Int? {
        let wasFinal = context.isFinal
        context.isFinal = true
        defer { context.isFinal = wasFinal }
        for rule in backendRules where rule.condition.evaluate(&context) == .pass {
            switch rule.target {
            case .fixed(let index):
                return index
            case .dynamic(let template):
                // A computed name that matches no backend makes the rule not apply.
                if let index = backendsByName[template.render(&context)], !otherModeBackends.contains(index) { return index }
            }
        }
        return defaultBackend
    }
}
