extension HTTPLogRecord {
    /// The `option httplog clf` line: the request in Common Log Format, then HAProxy's timers and
    /// counters, as HAProxy 2.6 prints it (its documented CLF log-format, checked against its output):
    ///
    ///     127.0.0.1 - - [02/Dec/2026:02:33:20 +0000] "GET / HTTP/1.1" 200 120 "" "" 53530 504 "fe" "be" "s1" 0 0 0 6 6 ---- 1 1 0 0 0 0 0 "" "" 
    ///
    /// Names, cookies and captured headers are quoted; captured headers follow one by one, and
    /// without captures the line ends with a space, as HAProxy's does.
    /// - Parameters:
    ///   - requestDateUTC: when the request began, in UTC (`%trg`).
    ///   - acceptMillisecond: the millisecond of the connection's accept date (`%ms`).
    public func commonLogFormatLine(requestDateUTC: LogTimestamp, acceptMillisecond: Int) -> String {
        let request = requestLine.map { Self.encode($0.utf8.prefix(Self.maximumRequestLineLength), Self.requestEscapes) } ?? "<BADREQ>"
        let date = requestDateUTC
        let trg = "\(date.pad(date.day))/\(date.monthName)/\(date.year):\(date.pad(date.hour)):\(date.pad(date.minute)):\(date.pad(date.second)) +0000"
        let retries = counters.redispatched ? "+\(counters.retries)" : "\(counters.retries)"
        let quote = { (text: String) in "\"\(text)\"" }
        var line = "\(clientAddress) - - [\(trg)] \(quote(request)) \(status) \(bytesToClient) \"\" \"\" \(clientPort) "
            + "\(date.pad(acceptMillisecond, 3)) \(quote(transportFrontend)) \(quote(backend)) \(quote(server)) "
            + "\(requestTime) \(queueTime) \(connectTime) \(responseTime) \(activeTime) \(termination.httpDescription) "
            + "\(counters.activeConnections) \(counters.frontendConnections) \(counters.backendConnections) "
            + "\(counters.serverConnections) \(retries) \(counters.serverQueue) \(counters.backendQueue) "
            + "\(quote(capturedRequestCookie ?? "")) \(quote(capturedResponseCookie ?? "")) "
        let captures = [capturedRequestHeaders, capturedResponseHeaders].compactMap { values -> String? in
            guard let values, !values.isEmpty else { return nil }
            return values.map { quote(Self.encode($0.utf8, Self.headerEscapes)) }.joined(separator: " ")
        }
        line += captures.joined(separator: " ")
        return line
    }
}
