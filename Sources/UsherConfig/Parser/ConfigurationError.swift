/// A problem with one configuration line; the parser attaches the line's location.
struct ConfigurationError: Error {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    static func notSupported(_ what: String) -> ConfigurationError {
        ConfigurationError("\(what) is a valid HAProxy keyword but is not supported by usher yet")
    }
}
