import UsherConfig

/// A backend's routing decisions, compiled once per configuration.
public final class BackendRoutes: Sendable {
    public let proxy: Proxy
    let useServerRules: [(server: Int, condition: CompiledCondition?)]

    /// `http-request` rules, run once the backend is chosen (after the frontend's).
    public let httpRequestRules: CompiledHTTPRules
    /// `http-response` rules, run before the frontend's.
    public let httpResponseRules: CompiledHTTPRules

    init(
        proxy: Proxy, useServerRules: [(server: Int, condition: CompiledCondition?)],
        httpRequestRules: CompiledHTTPRules = .empty, httpResponseRules: CompiledHTTPRules = .empty
    ) {
        self.proxy = proxy
        self.useServerRules = useServerRules
        self.httpRequestRules = httpRequestRules
        self.httpResponseRules = httpResponseRules
    }

    public var name: String { proxy.name }
    public var servers: [Server] { proxy.servers }

    /// The server a `use-server` rule names for this connection, if any rule matches. Like switching
    /// rules, these see the bytes received as final.
    public func forcedServer(_ context: inout SampleContext) -> Int? {
        let wasFinal = context.isFinal
        context.isFinal = true
        defer { context.isFinal = wasFinal }
        for rule in useServerRules where rule.condition.evaluate(&context) == .pass {
            return rule.server
        }
        return nil
    }
}
