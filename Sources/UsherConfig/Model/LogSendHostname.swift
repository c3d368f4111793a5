/// `log-send-hostname [NAME]` in `global`: the hostname field of the syslog header.
public enum LogSendHostname: Sendable, Equatable {
    /// No argument: the system's host name, read when logging starts.
    case system
    /// The name given.
    case named(String)
}
