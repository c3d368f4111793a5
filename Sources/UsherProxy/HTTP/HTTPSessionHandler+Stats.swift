import UsherRouting

extension HTTPSessionHandler {
    /// Adds a finished exchange to the frontend's, backend's and server's counters.
    func count(_ exchange: HTTPExchange) {
        let front = frontend.counters
        let status = exchange.status
        front.add(.bytesIn, exchange.bytesFromClient)
        front.add(.bytesOut, exchange.bytesToClient)
        if exchange.isParsed {
            front.add(.requests)
            front.tick(.requests)
            runtime.processCounters.add(.requests)
            runtime.processCounters.tick(.requests)
        } else if exchange.termination.cause != .none || status > 0 {
            // Nothing usable came: a bad request, a timeout or an abort before the head's end.
            front.add(.requestErrors)
        }
        if status > 0 { front.countResponse(status: status) }
        switch exchange.outcome {
        case .forwarded:
            if exchange.isParsed && status == 400 { front.add(.requestErrors) }
        case .denied:
            front.add(.deniedRequests)
            exchange.backend?.counters.add(.deniedRequests)
        case .intercepted:
            front.add(.intercepted)
        }
        guard let backend = exchange.backend else { return }
        let server = exchange.server
        for counters in [backend.counters, server?.counters].compactMap({ $0 }) {
            counters.add(.bytesIn, exchange.bytesFromClient)
            counters.add(.bytesOut, exchange.bytesToClient)
            if status > 0 { counters.countResponse(status: status) }
            counters.add(.requests)
            StatAccounting.countEnd(
                counters, termination: exchange.termination, connector: exchange.connector,
                responseMilliseconds: exchange.responseMilliseconds,
                totalMilliseconds: ServerConnector.milliseconds(since: exchange.started),
                badResponse: status == 502 && exchange.termination.phase == .headers
            )
        }
    }
}
