import UsherConfig

/// A proxy's statistics page with its conditions compiled: who may see it, who may act on servers.
public struct CompiledStatsPage: Sendable {
    public let settings: StatsPageSettings
    let adminConditions: [CompiledCondition]
    let accessRules: [AccessRule]

    /// A `stats http-request` rule: its action, the realm of an `auth` (the rule's, else
    /// `stats realm`), its condition.
    struct AccessRule: Sendable {
        var action: StatsPageSettings.AccessRule.Action
        var realm: String
        var condition: CompiledCondition?
    }

    /// What `stats http-request` rules decide for a request.
    public enum Access: Sendable, Equatable {
        case allow
        case deny
        /// Answer 401 with a Basic challenge for the realm.
        case authenticate(realm: String)
    }

    init(settings: StatsPageSettings, adminConditions: [CompiledCondition], accessRules: [AccessRule]) {
        self.settings = settings
        self.adminConditions = adminConditions
        self.accessRules = accessRules
    }

    /// Whether `target` (the request's URI) asks for this page: HAProxy compares the prefix only,
    /// so `/stats;csv` and `/stats?scope=x` are the page too.
    public func matches(target: String) -> Bool {
        target.hasPrefix(settings.uri)
    }

    /// `stats http-request` rules: the first whose condition holds decides; none matching allows.
    public func access(_ context: inout SampleContext) -> Access {
        for rule in accessRules where rule.condition.evaluate(&context) == .pass {
            switch rule.action {
            case .allow: return .allow
            case .deny: return .deny
            case .auth: return .authenticate(realm: rule.realm)
            }
        }
        return .allow
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
