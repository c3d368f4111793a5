import NIOCore

extension ServerRuntime {
    /// The server's address as logs show it (`%si`): its IP, or `unix` for a UNIX socket, as HAProxy.
    var loggedAddress: String {
        if case .unixDomainSocket = address { return "unix" }
        return address.ipAddress ?? "-"
    }
}
