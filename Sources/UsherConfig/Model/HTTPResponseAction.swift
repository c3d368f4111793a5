/// `http-response ACTION … [if|unless COND]` in a frontend, listen or backend. A backend's rules
/// run before its frontend's.
public typealias HTTPResponseRule = HTTPRule<HTTPResponseAction>

/// What an `http-response` rule does. Format arguments are log-format strings, kept raw.
public enum HTTPResponseAction: Sendable, Equatable {
    /// `set-header`, `add-header`, `del-header`, `replace-header`, `replace-value`.
    case header(HTTPHeaderAction)
    /// `set-status CODE [reason TEXT]`: 100 to 999; without a reason, the code's usual one.
    case setStatus(code: Int, reason: String?)
    /// `allow`: stop evaluating this section's `http-response` rules.
    case allow
    /// `deny …`: replace the response with the reply (502 by default).
    case deny(HTTPReply)
    /// `redirect location …` (the only kind allowed on responses).
    case redirect(HTTPRedirect)
    /// `return …`: replace the response with the reply (200 by default).
    case `return`(HTTPReply)
    /// `set-var(…)`, `set-var-fmt(…)`, `unset-var(…)`.
    case variable(VariableAction)
    /// `track-scN`, `sc-inc-gpcN`, `sc-set-gptN`.
    case stickCounter(StickCounterAction)
    /// `set-map(…)`, `del-map(…)`, `add-acl(…)`, `del-acl(…)`.
    case patternFile(PatternFileAction)
    /// `silent-drop`: the response is dropped and the client connection disappears without a word.
    case silentDrop
    /// `capture SAMPLE id N`: the sample's value as text, cut to the slot's length, into response
    /// capture slot `slot` (declared by `declare capture response`).
    case capture(sample: String, slot: Int)
}
