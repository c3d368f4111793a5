/// The facts of one finished TCP session, formatted as HAProxy's `option tcplog` line:
///
///     %ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq
public struct TCPLogRecord: Sendable, Equatable {
    public var clientAddress: String
    public var clientPort: Int
    public var acceptDate: LogTimestamp
    public var frontend: String
    /// `<NOSRV>` style placeholders are the caller's: the backend name, or the frontend's when none.
    public var backend: String
    public var server: String
    /// Milliseconds waited in queues; -1 when the session never reached a queue.
    public var queueTime: Int
    /// Milliseconds to connect to the server; -1 when it never connected.
    public var connectTime: Int
    /// Milliseconds from accept to close.
    public var totalTime: Int
    /// Bytes sent to the client.
    public var bytesToClient: Int
    public var termination: TerminationState
    public var counters: SessionCounters
    /// The stream's unique ID (`unique-id-format`), `%ID`.
    public var uniqueID: String?
    /// Logged once connected (`option logasap`): the total time and byte count are marked `+`.
    public var isEarly = false

    public init(
        clientAddress: String, clientPort: Int, acceptDate: LogTimestamp, frontend: String, backend: String, server: String,
        queueTime: Int, connectTime: Int, totalTime: Int, bytesToClient: Int, termination: TerminationState,
        activeConnections: Int, frontendConnections: Int, backendConnections: Int, serverConnections: Int, retries: Int,
        redispatched: Bool, serverQueue: Int, backendQueue: Int
    ) {
        self.clientAddress = clientAddress
        self.clientPort = clientPort
        self.acceptDate = acceptDate
        self.frontend = frontend
        self.backend = backend
        self.server = server
        self.queueTime = queueTime
        self.connectTime = connectTime
        self.totalTime = totalTime
        self.bytesToClient = bytesToClient
        self.termination = termination
        self.counters = SessionCounters(
            activeConnections: activeConnections, frontendConnections: frontendConnections, backendConnections: backendConnections,
            serverConnections: serverConnections, retries: retries, redispatched: redispatched, serverQueue: serverQueue,
            backendQueue: backendQueue
        )
    }

    /// The line, without any syslog header.
    public var line: String {
        "\(clientAddress):\(clientPort) [\(acceptDate.acceptDateText)] \(frontend) \(backend)/\(server) "
            + "\(queueTime)/\(connectTime)/\(isEarly ? "+" : "")\(totalTime) \(isEarly ? "+" : "")\(bytesToClient) \(termination) \(counters.text)"
    }
}
