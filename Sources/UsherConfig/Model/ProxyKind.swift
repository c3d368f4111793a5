/// The section a proxy was declared in, which decides its capabilities.
public enum ProxyKind: String, Sendable, Equatable {
    case frontend
    case backend
    case listen

    /// Accepts connections (has `bind` lines, routes to backends).
    public var hasFrontendCapability: Bool { self != .backend }
    /// Holds servers.
    public var hasBackendCapability: Bool { self != .frontend }
}
