#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import UsherConfig
import UsherRouting

extension TCPSession {
    /// The session's line: the frontend's `log-format` when it has one, else `option tcplog`'s.
    func logLine(_ record: TCPLogRecord) -> String {
        guard let format = frontend.routes.logFormat else { return record.line }
        var record = record
        record.uniqueID = uniqueID
        var sample = SampleContext(connection: connection, payload: ByteBuffer(), isFinal: true, request: nil, variables: self)
        sample.stickCounters = stickCounters
        sample.stream = streamFacts()
        return format.render(record, logFacts(acceptDate: record.acceptDate), &sample)
    }

    /// What a `log-format` line needs besides the record.
    func logFacts(acceptDate: LogTimestamp) -> LogFormatLine.Facts {
        var facts = LogFormatLine.Facts(
            frontendAddress: connection.loggedDestination.address, frontendPort: connection.loggedDestination.port,
            serverAddress: server?.loggedAddress ?? "-", serverPort: server?.address.port ?? 0,
            bytesFromClient: bytesFromClient, acceptDate: acceptDate, hostname: LogClock.hostname(), pid: getpid()
        )
        facts.streamNumber = streamNumber
        return facts
    }

    /// Gives the stream its unique ID (`unique-id-format`) if the frontend has a format.
    func assignUniqueID() {
        guard uniqueID == nil, let format = frontend.routes.uniqueIDFormat else { return }
        let acceptDate = LogClock.timestamp(wallMicroseconds: acceptWallMicroseconds)
        let record = TCPLogRecord(
            clientAddress: connection.source?.unmapped.description ?? connection.loggedSource.address, clientPort: connection.loggedSource.port,
            acceptDate: acceptDate, frontend: frontend.name, backend: frontend.name, server: "<NOSRV>",
            queueTime: -1, connectTime: -1, totalTime: elapsedMilliseconds, bytesToClient: 0, termination: termination,
            activeConnections: runtime.activeConnections.load(ordering: .relaxed),
            frontendConnections: frontend.activeConnections.load(ordering: .relaxed),
            backendConnections: 0, serverConnections: 0, retries: 0, redispatched: false, serverQueue: 0, backendQueue: 0
        )
        var sample = SampleContext(connection: connection, payload: ByteBuffer(), isFinal: true, request: nil, variables: self)
        sample.stickCounters = stickCounters
        sample.stream = streamFacts()
        uniqueID = format.render(record, logFacts(acceptDate: acceptDate), &sample)
    }

    /// The level of the session's line, or `nil` when `option dontlog-normal` leaves it out.
    var logLevel: SyslogLevel? {
        let isError = SessionLogPolicy.isError(
            termination: termination, retries: connector?.retries ?? 0, redispatched: connector?.redispatched ?? false
        )
        return frontend.logPolicy.level(isError: isError)
    }
}
