/// A proxy's statistics page: `stats enable|uri|realm|auth|refresh|hide-version|show-legends|
/// show-node|show-desc|admin|scope|http-request`. Any of them turns the page on, as in HAProxy.
public struct StatsPageSettings: Sendable, Equatable {
    /// `stats auth USER:PASSWORD` (several allowed; no colon means an empty password, as HAProxy).
    public struct Credential: Sendable, Equatable {
        public var user: String
        public var password: String

        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    /// `stats http-request allow|deny|auth [realm REALM] [if|unless COND]`.
    public struct AccessRule: Sendable, Equatable {
        public enum Action: String, Sendable, Equatable {
            case allow, deny
            /// Answer 401 with a Basic challenge (the rule's realm, else `stats realm`).
            case auth
        }

        public var action: Action
        /// `auth realm REALM`.
        public var realm: String?
        public var condition: Condition?
        public var location: SourceLocation

        public init(action: Action, realm: String? = nil, condition: Condition?, location: SourceLocation) {
            self.action = action
            self.realm = realm
            self.condition = condition
            self.location = location
        }
    }

    /// The URI prefix the page answers on; HAProxy's default is `/haproxy?stats`.
    public var uri = "/haproxy?stats"
    /// `stats realm`, for the Basic authentication challenge.
    public var realm = "HAProxy Statistics"
    public var credentials: [Credential] = []
    /// `stats refresh`: the page asks the browser to reload itself this often.
    public var refresh: Duration?
    public var hideVersion = false
    public var showLegends = false
    /// `stats show-node [NAME]`: `""` for the host's name; nil when not shown.
    public var node: String?
    /// `stats show-desc [TEXT]`.
    public var description: String?
    /// `stats admin if|unless COND`: requests for which the admin form works.
    public var adminConditions: [Condition] = []
    /// `stats scope NAME` (`.` for the proxy itself): the proxies shown; empty for all.
    public var scopes: [String] = []
    public var accessRules: [AccessRule] = []
    /// The first `stats` line that turned the page on, for messages.
    public var location: SourceLocation

    public init(location: SourceLocation) {
        self.location = location
    }
}
