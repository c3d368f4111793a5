/// A problem with one configuration line; the parser attaches the line's location.
struct ConfigurationError: Error {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    /// A 1.x keyword that HAProxy 2.x dropped (usually for an `http-request`/`http-response` rule).
    static func removedIn2x(_ what: String) -> ConfigurationError {
        ConfigurationError("\(what) is an HAProxy 1.x keyword, removed in HAProxy 2.x, and is not supported by usher yet")
    }

    static func notSupported(_ what: String) -> ConfigurationError {
        ConfigurationError("\(what) is a valid HAProxy keyword but is not supported by usher yet")
    }
}
