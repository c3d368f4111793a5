import UsherRouting

extension HTTPSessionHandler {
    /// usher answers the request itself (the stats page, a redirect, a `return`): counted at once,
    /// as HAProxy does, so the stats page counts itself.
    func countIntercepted() {
        exchange?.outcome = .intercepted
        frontend.counters.add(.intercepted)
    }

    /// A request head arrived: counted at once, as HAProxy does, so a stats page lists itself.
    func countRequestStart() {
        let second = FrequencyCounter.currentSecond()
        frontend.counters.add(.requests)
        frontend.counters.tick(.requests, now: second)
        runtime.processCounters.add(.requests)
        runtime.processCounters.tick(.requests, now: second)
    }

    /// Adds a finished exchange to the frontend's, backend's and server's counters.
    func count(_ exchange: HTTPExchange) {
        let status = exchange.status
        // Nothing usable came (a bad request, a timeout or an abort before the head's end: HAProxy
        // counts it as a request too, `<BADREQ>`), or a whole request was refused as malformed.
        // (A request a `tcp-request content` rule refused is no request error: a denied one.)
        let unparsed = !exchange.isParsed && exchange.outcome != .denied && (exchange.termination.cause != .none || status > 0)
        let requestError = unparsed || (exchange.isParsed && exchange.outcome == .forwarded && status == 400)
        // What the frontend and, with `option socket-stats`, its listening socket count alike
        // (a local function, not an array of the two: no allocation per exchange).
        func countAccepted(_ counters: StatCounters) {
            counters.add(.bytesIn, exchange.bytesFromClient)
            counters.add(.bytesOut, exchange.bytesToClient)
            if requestError { counters.add(.requestErrors) }
            if exchange.outcome == .denied { counters.add(.deniedRequests) }
            if exchange.outcome == .responseDenied { counters.add(.deniedResponses) }
        }
        countAccepted(frontend.counters)
        if let listener { countAccepted(listener.counters) }
        let front = frontend.counters
        // A parsed request was counted when its head arrived (`countRequestStart`).
        if unparsed && status > 0 { front.add(.requests) }
        // A request dropped silently has no status: HAProxy counts it among the "other" ones.
        if status > 0 || (exchange.isParsed && exchange.outcome == .denied) { front.countResponse(status: status) }
        // Intercepted requests were counted when usher took them (`countIntercepted`).
        if exchange.outcome == .denied { exchange.backend?.counters.add(.deniedRequests) }
        if exchange.outcome == .responseDenied {
            exchange.backend?.counters.add(.deniedResponses)
            exchange.server?.counters.add(.deniedResponses)
        }
        guard let backend = exchange.backend else { return }
        let server = exchange.server
        // As HAProxy: a backend counts the status the client got (a 502 that replaced a refused
        // response, usher's own 503 or 504); a server, the status it answered with itself.
        if status > 0 { backend.counters.countResponse(status: status) }
        if exchange.serverStatus > 0 { server?.counters.countResponse(status: exchange.serverStatus) }
        let total = ServerConnector.milliseconds(since: exchange.started)
        let badResponse = status == 502 && exchange.serverStatus < 0 && exchange.termination.phase == .headers
        countForwarded(exchange, backend.counters, totalMilliseconds: total, badResponse: badResponse)
        if let server { countForwarded(exchange, server.counters, totalMilliseconds: total, badResponse: badResponse) }
    }

    /// What a backend and its server count alike of an exchange sent their way.
    @inline(__always)
    private func countForwarded(_ exchange: HTTPExchange, _ counters: StatCounters, totalMilliseconds: Int, badResponse: Bool) {
        counters.add(.requests)
        StatAccounting.countEnd(
            counters, bytesIn: exchange.bytesFromClient, bytesOut: exchange.bytesToClient, termination: exchange.termination, connector: exchange.connector,
            responseMilliseconds: exchange.responseMilliseconds, totalMilliseconds: totalMilliseconds, badResponse: badResponse
        )
    }
}
