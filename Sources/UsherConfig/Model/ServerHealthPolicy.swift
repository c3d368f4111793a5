/// `on-marked-down ACTION`: what happens to a server's sessions when its checks take it down.
public enum MarkedDownAction: String, Sendable, Equatable, CaseIterable {
    /// `shutdown-sessions`: every connection to the server is cut at once.
    case shutdownSessions = "shutdown-sessions"
}

/// `on-marked-up ACTION`: what happens when a server's checks bring it (back) up.
public enum MarkedUpAction: String, Sendable, Equatable, CaseIterable {
    /// `shutdown-backup-sessions`: the sessions on the backend's backup servers are cut, so that
    /// clients come back to the active server.
    case shutdownBackupSessions = "shutdown-backup-sessions"
}

/// `on-error MODE`: what `error-limit` consecutive errors seen in live traffic (`observe`) do.
public enum ObservedErrorAction: String, Sendable, Equatable, CaseIterable {
    /// `fastinter`: checks run at `fastinter` from then on, until the server's health changes.
    case fastinter
    /// `fail-check`: counts as one failed check (and `fastinter`). HAProxy's default.
    case failCheck = "fail-check"
    /// `sudden-death`: the server is left one failed check away from going down (and `fastinter`).
    case suddenDeath = "sudden-death"
    /// `mark-down`: the server goes down at once (and `fastinter`).
    case markDown = "mark-down"
}

/// `observe MODE`: which live-traffic errors count against a server's health.
public enum ObserveMode: String, Sendable, Equatable, CaseIterable {
    /// `none`: nothing is observed.
    case none
    /// `layer4`: failed connections to the server.
    case layer4
    /// `layer7`: also HTTP responses that are errors (mode http only).
    case layer7
}
