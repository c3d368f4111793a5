import UsherConfig

/// A proxy's statistics page with its conditions compiled: who may see it, who may act on servers.
public struct CompiledStatsPage: Sendable {
    public let settings: StatsPageSettings
    let adminConditions: [CompiledCondition]
    let accessRules: [(action: StatsPageSettings.AccessRule.Action, condition: CompiledCondition?)]

    init(settings: StatsPageSettings, adminConditions: [CompiledCondition], accessRules: [(StatsPageSettings.AccessRule.Action, CompiledCondition?)]) {
        self.settings = settings
        self.adminConditions = adminConditions
        self.accessRules = accessRules.map { (action: $0.0, condition: $0.1) }
    }

    /// Whether `target` (the request's URI) asks for this page: HAProxy compares the prefix only,
    /// so `/stats;csv` and `/stats?scope=x` are the page too.
    public func matches(target: String) -> Bool {
        target.hasPrefix(settings.uri)
    }

    /// `stats http-request` rules: the first whose condition holds decides; none matching allows.
    public func isAllowed(_ context: inout SampleContext) -> Bool {
        for rule in accessRules where rule.condition.evaluate(&context) == .pass {
            return rule.action == .allow
        }
        return true
    }

    /// `stats admin`: the form may change servers for this request.
    public func allowsAdmin(_ context: inout SampleContext) -> Bool {
        adminConditions.contains { $0.evaluate(&context) == .pass }
    }

    /// Checks an `Authorization` header against `stats auth` (none configured: open).
    public func isAuthorized(authorization: String?) -> Bool {
        guard !settings.credentials.isEmpty else { return true }
        guard let authorization, let credentials = StatsPageRequest.basicCredentials(authorization) else { return false }
        return settings.credentials.contains { $0.user == credentials.user && $0.password == credentials.password }
    }
}
