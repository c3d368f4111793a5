/// The addresses of a client connection, as seen by the frontend.
public struct ConnectionInfo: Sendable, Equatable {
    public var source: IPAddress?
    public var sourcePort: Int
    public var destination: IPAddress?
    public var destinationPort: Int

    public init(source: IPAddress?, sourcePort: Int, destination: IPAddress?, destinationPort: Int) {
        self.source = source
        self.sourcePort = sourcePort
        self.destination = destination
        self.destinationPort = destinationPort
    }
}
