import UsherConfig

/// A backend's routing decisions, compiled once per configuration.
public struct BackendRoutes: Sendable {
    public let proxy: Proxy
    let useServerRules: [(server: Int, condition: CompiledCondition?)]

    init(proxy: Proxy, useServerRules: [(server: Int, condition: CompiledCondition?)]) {
        self.proxy = proxy
        self.useServerRules = useServerRules
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
