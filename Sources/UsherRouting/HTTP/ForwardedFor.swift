import UsherConfig

/// `option forwardfor` as an exchange applies it, from the frontend's and the backend's settings:
/// the header is added when either asks for it, unless the client is in the `except` network of
/// either; the backend's header name and `if-none` win.
public struct ForwardedFor: Sendable {
    let header: String
    let ifNone: Bool
    let exceptions: [IPNetwork]

    /// Nil when neither side asks for the header.
    public init?(frontend: ForwardFor?, backend: ForwardFor?) {
        guard let chosen = backend ?? frontend else { return nil }
        header = chosen.header
        ifNone = chosen.ifNone
        exceptions = [frontend?.except, backend?.except].compactMap { $0.flatMap(IPNetwork.init) }
    }

    /// Adds the client's address to `headers` unless a rule says not to.
    public func apply(to headers: inout HTTPHeaders, client: IPAddress?) {
        guard let client else { return }
        let address = client.unmapped
        if exceptions.contains(where: { $0.contains(address) }) { return }
        if ifNone && headers.contains(header) { return }
        headers.add(header, address.description)
    }
}
