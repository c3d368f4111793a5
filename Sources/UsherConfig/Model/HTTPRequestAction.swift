/// `http-request ACTION … [if|unless COND]` in a frontend, listen or backend, or a standalone
/// `redirect …` line (kept apart in `Proxy.redirectRules`: HAProxy evaluates those after every
/// `http-request` rule).
public typealias HTTPRequestRule = HTTPRule<HTTPRequestAction>

/// What an `http-request` rule does. Format arguments are log-format strings, kept raw.
public enum HTTPRequestAction: Sendable, Equatable {
    /// `set-header`, `add-header`, `del-header`, `replace-header`, `replace-value`.
    case header(HTTPHeaderAction)
    /// `set-path FMT`: the path, keeping the query string.
    case setPath(String)
    /// `set-pathq FMT`: the path and the query string together.
    case setPathAndQuery(String)
    /// `set-query FMT`: what follows the `?` (one is added when missing and the value is not empty).
    case setQuery(String)
    /// `set-uri FMT`: the whole URI.
    case setURI(String)
    /// `set-method FMT`
    case setMethod(String)
    /// `replace-path REGEX FMT` (the path, keeping the query), `replace-pathq` (path and query),
    /// `replace-uri` (the whole target): where the regular expression matches, the part becomes
    /// the format's value, with `\1`… standing for the groups.
    case replaceTarget(part: TargetPart, regex: String, replacement: String)

    /// What `replace-path`, `replace-pathq` and `replace-uri` work on.
    public enum TargetPart: String, Sendable, Equatable {
        case path = "replace-path"
        case pathAndQuery = "replace-pathq"
        case uri = "replace-uri"
    }
    /// `redirect …`: answer with a redirect; no further rule is evaluated.
    case redirect(HTTPRedirect)
    /// `allow`: stop evaluating this section's `http-request` rules and let the request through.
    case allow
    /// `deny …`: answer with the reply (403 by default); no further rule is evaluated.
    case deny(HTTPReply)
    /// `tarpit …`: hold the request for `timeout tarpit` (else `timeout connect`), then answer
    /// with the reply (500 by default); logged `PT`.
    case tarpit(HTTPReply)
    /// `return …`: answer with the reply (200 by default); no further rule is evaluated.
    case `return`(HTTPReply)
    /// `use-service NAME`: the service answers the request; no further rule is evaluated.
    case useService(HTTPService)
    /// `set-var(…)`, `set-var-fmt(…)`, `unset-var(…)`.
    case variable(VariableAction)
    /// `track-scN`, `sc-inc-gpcN`, `sc-set-gptN`.
    case stickCounter(StickCounterAction)
    /// `set-map(…)`, `del-map(…)`, `add-acl(…)`, `del-acl(…)`.
    case patternFile(PatternFileAction)
    /// `auth [realm REALM]`: answer 401 with a Basic challenge for the realm (the proxy's name
    /// when none is given); no further rule is evaluated.
    case auth(realm: String?)
    /// `silent-drop`: the client connection disappears without an answer, a FIN or (where the
    /// system allows) a reset; no further rule is evaluated.
    case silentDrop
    /// `capture SAMPLE len N | id N`: the sample's value as text, cut to the slot's length, into
    /// request capture slot `slot` (`len` declares a new slot in the frontend).
    case capture(sample: String, slot: Int)
}
