import UsherConfig

/// A backend's routing decisions, compiled once per configuration.
public final class BackendRoutes: Sendable {
    public let proxy: Proxy
    let useServerRules: [(server: ServerTarget, condition: CompiledCondition?)]
    /// Server indexes by name, for `use-server` names computed per request.
    let serverIndexes: [String: Int]

    /// What a `use-server` rule names: a server, or a name to compute for each request.
    enum ServerTarget: Sendable {
        case fixed(Int)
        case dynamic(LogFormatTemplate)
    }

    /// `http-request` rules, run once the backend is chosen (after the frontend's).
    public let httpRequestRules: CompiledHTTPRules
    /// `http-response` rules, run before the frontend's.
    public let httpResponseRules: CompiledHTTPRules
    /// `http-after-response` rules, run before the frontend's, on every response.
    public let httpAfterResponseRules: CompiledHTTPRules
    /// Each server's `sni` expression, by server index (nil: none).
    let serverNameSamples: [CompiledSample?]
    /// Whether any server has an `sni` expression: only then does a connection keep what it needs
    /// to evaluate one.
    public let hasServerNameSamples: Bool
    /// `stick match|on|store-*` rules.
    public let stickPersistence: StickPersistence
    /// A backend's own `tcp-request content` rules (not a listen section's: those run once, as
    /// its frontend's).
    let contentRules: [FrontendRoutes.Rule]
    public var hasContentRules: Bool { !contentRules.isEmpty }
    /// The check sequence of `option tcp-check` with `tcp-check` rules, or of a protocol check
    /// (`option redis-check`…); nil for the other check methods.
    public let checkProgram: TCPCheckProgram?

    init(
        proxy: Proxy, useServerRules: [(server: ServerTarget, condition: CompiledCondition?)],
        httpRequestRules: CompiledHTTPRules = .empty, httpResponseRules: CompiledHTTPRules = .empty,
        httpAfterResponseRules: CompiledHTTPRules = .empty, serverNameSamples: [CompiledSample?] = [], stickPersistence: StickPersistence = .empty, contentRules: [FrontendRoutes.Rule] = [],
        checkProgram: TCPCheckProgram? = nil
    ) {
        self.contentRules = contentRules
        self.stickPersistence = stickPersistence
        self.proxy = proxy
        self.checkProgram = checkProgram
        var indexes: [String: Int] = [:]
        for (index, server) in proxy.servers.enumerated() where indexes[server.name] == nil {
            indexes[server.name] = index
        }
        self.serverIndexes = indexes
        self.useServerRules = useServerRules
        self.httpRequestRules = httpRequestRules
        self.httpResponseRules = httpResponseRules
        self.httpAfterResponseRules = httpAfterResponseRules
        self.serverNameSamples = serverNameSamples
        self.hasServerNameSamples = serverNameSamples.contains { $0 != nil }
    }

    public var name: String { proxy.name }

    /// The backend's `tcp-request content` rules, once the backend is chosen (after the
    /// frontend's). They see what has arrived as final: usher does not wait for more here (rules
    /// that would need to are refused at check time in mode tcp).
    public func evaluateContentRules(_ context: inout SampleContext) -> InspectionVerdict {
        guard !contentRules.isEmpty else { return .accept }
        let wasFinal = context.isFinal
        context.isFinal = true
        defer { context.isFinal = wasFinal }
        return FrontendRoutes.evaluate(contentRules, &context)
    }

    /// The name server `index` is sent in the TLS ClientHello for this connection or request: its
    /// `sni` expression's value, nil when it has none or the value is empty (HAProxy then sends
    /// no SNI).
    public func serverName(_ index: Int, _ context: inout SampleContext) -> String? {
        guard index < serverNameSamples.count, let sample = serverNameSamples[index] else { return nil }
        let wasFinal = context.isFinal
        context.isFinal = true
        defer { context.isFinal = wasFinal }
        guard case .value(let value) = sample.evaluate(&context) else { return nil }
        let name = value.text
        return name.isEmpty ? nil : name
    }
    public var servers: [Server] { proxy.servers }

    /// The server a `use-server` rule names for this connection, if any rule matches. Like switching
    /// rules, these see the bytes received as final. A computed name that is no server's ends the
    /// rules without a choice (the backend balances), as in HAProxy.
    public func forcedServer(_ context: inout SampleContext) -> Int? {
        let wasFinal = context.isFinal
        context.isFinal = true
        defer { context.isFinal = wasFinal }
        for rule in useServerRules where rule.condition.evaluate(&context) == .pass {
            switch rule.server {
            case .fixed(let index): return index
            case .dynamic(let template): return serverIndexes[template.render(&context)]
            }
        }
        return nil
    }
}
