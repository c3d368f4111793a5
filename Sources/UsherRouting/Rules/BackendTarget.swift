import UsherConfig

/// Where a `use_backend` rule sends a connection: a backend known at load time, or a name computed
/// from the connection (`use_backend %[req.ssl_sni,lower]`).
public enum BackendTarget: Sendable {
    case fixed(Int)
    case dynamic(LogFormatTemplate)
}
