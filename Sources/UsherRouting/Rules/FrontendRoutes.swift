import UsherConfig

/// A frontend's routing decisions, compiled once per configuration. A class: immutable, and shared
/// by reference so that reading it from a session never copies its many fields.
public final class FrontendRoutes: Sendable {
    struct Rule: Sendable {
        var action: TCPRequestRule.Action
        var condition: CompiledCondition?
    }

    public let proxy: Proxy
    /// The delay to wait for request bytes while a content rule cannot decide.
    public let inspectDelay: Duration?
    let connectionRules: [Rule]
    let contentRules: [Rule]
    let backendRules: [(target: BackendTarget, condition: CompiledCondition?)]
    /// The backends in another mode than this frontend's, by index: a computed `use_backend` name
    /// that picks one does not apply (usher cannot switch a TCP stream to HTTP nor the reverse).
    let otherModeBackends: Set<Int>
    /// Index into `RoutingTable.backends`.
    public let defaultBackend: Int?
    /// `http-request` and `redirect` rules, run before the backend is chosen.
    public let httpRequestRules: CompiledHTTPRules
    /// `http-response` rules, run after the backend's.
    public let httpResponseRules: CompiledHTTPRules
    /// `log-format`, compiled (HTTP mode).
    public let logFormat: LogFormatLine?

    init(
        proxy: Proxy, connectionRules: [Rule], contentRules: [Rule],
        backendRules: [(target: BackendTarget, condition: CompiledCondition?)], defaultBackend: Int?,
        httpRequestRules: CompiledHTTPRules = .empty, httpResponseRules: CompiledHTTPRules = .empty, logFormat: LogFormatLine? = nil,
        otherModeBackends: Set<Int> = []
    ) {
        self.otherModeBackends = otherModeBackends
        self.logFormat = logFormat
        self.httpRequestRules = httpRequestRules
        self.httpResponseRules = httpResponseRules
        self.proxy = proxy
        self.inspectDelay = proxy.settings.inspectDelay
        self.connectionRules = connectionRules
        self.contentRules = contentRules
        self.backendRules = backendRules
        self.defaultBackend = defaultBackend
        if let inspectDelay = proxy.settings.inspectDelay, inspectDelay > .zero {
            self.needsInspection = contentRules.contains { $0.condition?.readsPayload ?? false }
        } else {
            self.needsInspection = false
        }
    }

    /// Whether connections must be inspected (wait for bytes) before a backend is chosen.
    public let needsInspection: Bool

    /// `tcp-request connection` rules, evaluated at accept time, before any byte is read.
    public func evaluateConnectionRules(_ context: inout SampleContext) -> InspectionVerdict {
        for (index, rule) in connectionRules.enumerated() {
            // Nothing can arrive before these rules run: "need more data" means no value.
            context.isFinal = true
            if rule.condition.evaluate(&context) == .pass {
                return rule.action == .accept ? .accept : .reject(rule: index)
            }
        }
        return .accept
    }

    /// `tcp-request content` rules, in order. A rule whose condition is undecided makes the whole
    /// evaluation wait, unless `context.isFinal` (then it does not match); a rule that matches decides; when none matches the
    /// connection is accepted.
    public func evaluateContentRules(_ context: inout SampleContext) -> InspectionVerdict {
        for (index, rule) in contentRules.enumerated() {
            switch rule.condition.evaluate(&context) {
            case .pass: return rule.action == .accept ? .accept : .reject(rule: index)
            case .fail: continue
            case .miss:
                if context.isFinal { continue }
                return .waitForData
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
