#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import UsherRouting

extension HTTPSessionHandler {
    /// The exchange's `option httplog` line, when the frontend logs. `early`: now, as the server's
    /// response head goes to the client (`option logasap`), rather than once the exchange is over.
    func log(_ exchange: HTTPExchange, early: Bool = false) {
        guard frontend.logsSessions, !exchange.isLoggedEarly else { return }
        exchange.isLoggedEarly = early
        // `dontlognull`: a connection that sent nothing at all is not logged.
        if frontend.dontLogNull && !exchange.isParsed && !receivedAnyByte { return }
        var record = logRecord(exchange)
        record.isEarly = early
        let isError = SessionLogPolicy.isError(
            termination: exchange.termination, retries: record.counters.retries, redispatched: record.counters.redispatched, status: exchange.status
        )
        // `option dontlog-normal` leaves the line out, `log-separate-errors` raises it to err.
        guard let level = frontend.logPolicy.level(isError: isError) else { return }
        guard let format = frontend.routes.logFormat else {
            if frontend.routes.proxy.mode == .tcp {
                // A connection upgraded from a mode tcp frontend: each request gets that
                // frontend's `option tcplog` line, as in HAProxy.
                runtime.log.log(tcpLogRecord(record).line, level: level, to: frontend.logTargets, scope: frontend.name)
                return
            }
            let line = frontend.logPolicy.commonLogFormat
                ? record.commonLogFormatLine(
                    requestDateUTC: LogClock.utcTimestamp(wallMicroseconds: exchange.wallMicroseconds),
                    acceptMillisecond: Int(acceptWallMicroseconds % 1_000_000 / 1000))
                : record.line
            runtime.log.log(line, level: level, to: frontend.logTargets, scope: frontend.name)
            return
        }
        var sample = SampleContext(
            connection: connection, payload: ByteBuffer(), isFinal: true, request: exchange.isParsed ? exchange.request : nil, variables: self
        )
        sample.stickCounters = stickCounters
        sample.stream = streamFacts(exchange)
        sample.captures = captureSlots(exchange)
        runtime.log.log(format.render(record, logFacts(exchange), &sample), level: level, to: frontend.logTargets, scope: frontend.name)
    }

    /// What the exchange's log line says, as it stands.
    func logRecord(_ exchange: HTTPExchange) -> HTTPLogRecord {
        let backend = exchange.backend
        let server = exchange.connector?.server
        var termination = exchange.termination
        if let persistence = backend?.persistence, persistence.logsCookieStatus {
            termination.clientCookie = exchange.cookieRequest?.status ?? .notApplicable
            termination.serverCookie = exchange.serverCookie
        }
        let requestLine: String?
        if !exchange.isParsed {
            requestLine = nil
        } else if let http2Request {
            requestLine = http2RequestLine(exchange, http2Request)
        } else {
            requestLine = "\(exchange.request.method) \(exchange.request.target) \(exchange.request.version)"
        }
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
            // A slot nothing filled logs as empty.
            capturedRequestHeaders: exchange.capturedRequestHeaders?.map { $0 ?? "" },
            capturedResponseHeaders: exchange.capturedResponseHeaders?.map { $0 ?? "" },
            requestLine: requestLine
        )
        record.uniqueID = exchange.uniqueID
        // A connection upgraded from a mode tcp frontend keeps the TLS its bind terminated.
        record.overTLS = terminatesTLS || connection.tls != nil
        return record
    }

    /// The exchange's figures in `option tcplog`'s shape.
    func tcpLogRecord(_ record: HTTPLogRecord) -> TCPLogRecord {
        let counters = record.counters
        var tcp = TCPLogRecord(
            clientAddress: record.clientAddress, clientPort: record.clientPort, acceptDate: record.requestDate, frontend: record.frontend,
            backend: record.backend, server: record.server, queueTime: record.queueTime, connectTime: record.connectTime,
            totalTime: record.activeTime, bytesToClient: Int(record.bytesToClient), termination: record.termination,
            activeConnections: counters.activeConnections, frontendConnections: counters.frontendConnections,
            backendConnections: counters.backendConnections, serverConnections: counters.serverConnections, retries: counters.retries,
            redispatched: counters.redispatched, serverQueue: counters.serverQueue, backendQueue: counters.backendQueue
        )
        tcp.uniqueID = record.uniqueID
        tcp.isEarly = record.isEarly
        return tcp
    }

    /// What a `log-format` line needs besides the record.
    func logFacts(_ exchange: HTTPExchange) -> LogFormatLine.Facts {
        let server = exchange.connector?.server
        var facts = LogFormatLine.Facts(
            frontendAddress: connection.loggedDestination.address, frontendPort: connection.loggedDestination.port,
            serverAddress: server?.loggedAddress ?? "-", serverPort: server?.address.port ?? 0,
            bytesFromClient: exchange.bytesFromClient, acceptDate: LogClock.timestamp(wallMicroseconds: acceptWallMicroseconds),
            hostname: LogClock.hostname(), pid: getpid()
        )
        facts.streamNumber = exchange.streamNumber
        return facts
    }

    /// The stream as fetches see it: the frontend, and the backend and server once chosen.
    func streamFacts(_ exchange: HTTPExchange) -> StreamFacts {
        var facts = StreamFacts(frontendName: frontend.name, frontendID: frontend.id, streamNumber: exchange.streamNumber)
        facts.frontendIsTLS = connection.tls != nil
        facts.isFirstRequest = requestCount <= 1
        facts.uniqueID = exchange.uniqueID
        facts.uniqueIDIsSet = exchange.uniqueIDIsSet
        if let backend = exchange.backend {
            facts.backendName = backend.name
            facts.backendID = backend.id
        }
        if let server = exchange.connector?.server {
            facts.serverName = server.name
            facts.serverID = server.identifier
        }
        return facts
    }

    /// Gives the exchange its unique ID (`unique-id-format`, rendered as the request arrives,
    /// before any rule), if the frontend has a format.
    func assignUniqueID(_ exchange: HTTPExchange) {
        guard let format = frontend.routes.uniqueIDFormat else { return }
        var sample = SampleContext(connection: connection, payload: ByteBuffer(), isFinal: true, request: exchange.request, variables: self)
        sample.stickCounters = stickCounters
        sample.stream = streamFacts(exchange)
        exchange.uniqueID = format.render(logRecord(exchange), logFacts(exchange), &sample)
    }

    /// The frontend's capture slots for a message: each header slot's value from `headers` (nil
    /// when the header is absent), the slots rules fill nil until they do.
    func captures(_ list: [(name: String?, length: Int)], in headers: HTTPHeaders) -> [String?]? {
        guard !list.isEmpty else { return nil }
        return list.map { slot in
            guard let name = slot.name, headers.fields.contains(where: { $0.hasName(name) }) else { return nil }
            return HTTPLogRecord.capture(name, length: slot.length, in: headers)
        }
    }

    /// The capture slots as a message's rules see and fill them.
    func captureSlots(_ exchange: HTTPExchange) -> CaptureSlots {
        var slots = CaptureSlots()
        slots.request = exchange.capturedRequestHeaders ?? []
        slots.requestLengths = frontend.requestCaptures.map(\.length)
        slots.response = exchange.capturedResponseHeaders ?? []
        slots.responseLengths = frontend.responseCaptures.map(\.length)
        return slots
    }
}
