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
        let facts = LogFormatLine.Facts(
            frontendAddress: connection.loggedDestination.address, frontendPort: connection.loggedDestination.port,
            serverAddress: server?.loggedAddress ?? "-", serverPort: server?.address.port ?? 0,
            bytesFromClient: bytesFromClient, acceptDate: record.acceptDate, hostname: LogClock.hostname(), pid: getpid()
        )
        var sample = SampleContext(connection: connection, payload: ByteBuffer(), isFinal: true, request: nil, variables: self)
        sample.stickCounters = stickCounters
        return format.render(record, facts, &sample)
    }

    /// The level of the session's line, or `nil` when `option dontlog-normal` leaves it out.
    var logLevel: SyslogLevel? {
        let isError = SessionLogPolicy.isError(
            termination: termination, retries: connector?.retries ?? 0, redispatched: connector?.redispatched ?? false
        )
        return frontend.logPolicy.level(isError: isError)
    }
}
