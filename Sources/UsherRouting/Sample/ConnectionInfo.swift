/// The addresses of a client connection, as seen by the frontend.
public struct ConnectionInfo: Sendable, Equatable {
    public var source: IPAddress?
    public var sourcePort: Int
    public var destination: IPAddress?
    public var destinationPort: Int
    /// Set when the client came in over a UNIX-domain socket (which has no IP addresses): the id of
    /// the listener it came in on, counted from 1 over the frontend's binds, which HAProxy logs in
    /// place of the client's port (`unix:1`).
    public var unixListenerID: Int?
    /// Set once a TLS handshake on the client's connection has completed (`bind … ssl`).
    public var tls: TLSConnectionInfo?
    /// The fields of the client's PROXY protocol version 2 header, if it sent any.
    public var proxyFields: [ProxyProtocolHeader.Field] = []

    public init(source: IPAddress?, sourcePort: Int, destination: IPAddress?, destinationPort: Int) {
        self.source = source
        self.sourcePort = sourcePort
        self.destination = destination
        self.destinationPort = destinationPort
        self.unixListenerID = nil
        self.tls = nil
    }

    /// The addresses a PROXY protocol header gives (`accept-proxy`).
    public init(_ header: ProxyProtocolHeader) {
        self.init(source: header.source, sourcePort: header.sourcePort, destination: header.destination, destinationPort: header.destinationPort)
        proxyFields = header.fields
    }

    /// A client of a UNIX-domain socket listener.
    public init(unixListenerID: Int) {
        self.init(source: nil, sourcePort: 0, destination: nil, destinationPort: 0)
        self.unixListenerID = unixListenerID
    }

    /// The client's address and port as HAProxy's logs show them: `unix` and the listener's id for a
    /// UNIX-socket client, `-` and 0 when unknown.
    public var loggedSource: (address: String, port: Int) {
        if let source { return (source.description, sourcePort) }
        if let unixListenerID { return ("unix", unixListenerID) }
        return ("-", sourcePort)
    }

    /// The frontend's address and port as logged (`%fi:%fp`): `unix` and the listener's id for a
    /// UNIX-socket listener, as HAProxy 2.6 logs them.
    public var loggedDestination: (address: String, port: Int) {
        if let destination { return (destination.description, destinationPort) }
        if let unixListenerID { return ("unix", unixListenerID) }
        return ("-", destinationPort)
    }
}
