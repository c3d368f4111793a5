#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import UsherRouting

extension HTTPSessionHandler {
    /// The exchange's `option httplog` line, when the frontend logs.
    func log(_ exchange: HTTPExchange) {
        guard frontend.logsSessions else { return }
        // `dontlognull`: a connection that sent nothing at all is not logged.
        if frontend.dontLogNull && !exchange.isParsed && !receivedAnyByte { return }
        let backend = exchange.backend
        let server = exchange.connector?.server
        var termination = exchange.termination
        if let persistence = backend?.persistence, persistence.logsCookieStatus {
            termination.clientCookie = exchange.cookieRequest?.status ?? .notApplicable
            termination.serverCookie = exchange.serverCookie
        }
        let requestLine = exchange.isParsed
            ? "\(exchange.request.method) \(exchange.request.target) \(exchange.request.version)" : nil
        var record = HTTPLogRecord(
            clientAddress: connection.source?.unmapped.description ?? connection.loggedSource.address, clientPort: connection.loggedSource.port,
            requestDate: LogClock.timestamp(wallMicroseconds: exchange.wallMicroseconds), frontend: frontend.name,
            backend: backend?.name ?? frontend.name, server: server?.name ?? "<NOSRV>",
            requestTime: exchange.headMilliseconds, queueTime: exchange.tarpitMilliseconds ?? exchange.connector?.queueMilliseconds ?? -1,
            connectTime: exchange.connector?.connectMilliseconds ?? -1, responseTime: exchange.responseMilliseconds,
            activeTime: ServerConnector.milliseconds(since: exchange.started), status: exchange.status,
            bytesToClient: Int64(exchange.bytesToClient), termination: termination,
            counters: SessionCounters(
                activeConnections: runtime.activeConnections.load(ordering: .relaxed),
                frontendConnections: frontend.activeConnections.load(ordering: .relaxed),
                backendConnections: backend?.activeConnections.load(ordering: .relaxed) ?? 0,
                serverConnections: server?.currentConnections ?? 0,
                retries: exchange.connector?.retries ?? 0, redispatched: exchange.connector?.redispatched ?? false,
                serverQueue: 0, backendQueue: backend?.queueLength ?? 0
            ),
            capturedRequestHeaders: exchange.capturedRequestHeaders, capturedResponseHeaders: exchange.capturedResponseHeaders,
            requestLine: requestLine
        )
        record.overTLS = terminatesTLS
        let isError = SessionLogPolicy.isError(
            termination: exchange.termination, retries: record.counters.retries, redispatched: record.counters.redispatched, status: exchange.status
        )
        // `option dontlog-normal` leaves the line out, `log-separate-errors` raises it to err.
        guard let level = frontend.logPolicy.level(isError: isError) else { return }
        guard let format = frontend.routes.logFormat else {
            let line = frontend.logPolicy.commonLogFormat
                ? record.commonLogFormatLine(
                    requestDateUTC: LogClock.utcTimestamp(wallMicroseconds: exchange.wallMicroseconds),
                    acceptMillisecond: Int(acceptWallMicroseconds % 1_000_000 / 1000))
                : record.line
            runtime.log.log(line, level: level, to: frontend.logTargets, scope: frontend.name)
            return
        }
        let facts = LogFormatLine.Facts(
            frontendAddress: connection.loggedDestination.address, frontendPort: connection.loggedDestination.port,
            serverAddress: server?.loggedAddress ?? "-", serverPort: server?.address.port ?? 0,
            bytesFromClient: exchange.bytesFromClient, acceptDate: LogClock.timestamp(wallMicroseconds: acceptWallMicroseconds),
            hostname: LogClock.hostname(), pid: getpid()
        )
        var sample = SampleContext(
            connection: connection, payload: ByteBuffer(), isFinal: true, request: exchange.isParsed ? exchange.request : nil, variables: self
        )
        sample.stickCounters = stickCounters
        runtime.log.log(format.render(record, facts, &sample), level: level, to: frontend.logTargets, scope: frontend.name)
    }

    /// `capture request header` values of the frontend, from `headers`.
    func captures(_ list: [(name: String, length: Int)], in headers: HTTPHeaders) -> [String]? {
        guard !list.isEmpty else { return nil }
        return list.map { HTTPLogRecord.capture($0.name, length: $0.length, in: headers) }
    }
}
