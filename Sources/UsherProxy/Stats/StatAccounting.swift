import UsherRouting

/// What the end of a session (TCP) or an exchange (HTTP) adds to a backend's or a server's
/// counters, read from how it ended: shared by both modes so they count alike.
enum StatAccounting {
    static func countEnd(
        _ counters: StatCounters, bytesIn: Int, bytesOut: Int, termination: TerminationState, connector: ServerConnector?,
        responseMilliseconds: Int, totalMilliseconds: Int, badResponse: Bool
    ) {
        counters.add(.bytesIn, bytesIn)
        counters.add(.bytesOut, bytesOut)
        let serverSide = termination.cause == .serverAbort || termination.cause == .serverTimeout
        let clientSide = termination.cause == .clientAbort || termination.cause == .clientTimeout
        switch termination.phase {
        case .connect where serverSide, .queue where serverSide:
            counters.add(.connectionErrors)
        case .headers where serverSide:
            counters.add(.responseErrors)
        case .data where serverSide:
            counters.add(.serverAborts)
            counters.add(.responseErrors)
        case .data where clientSide, .headers where clientSide:
            counters.add(.clientAborts)
        default:
            break
        }
        if badResponse && !serverSide { counters.add(.responseErrors) }
        if let connector {
            if connector.retries > 0 { counters.add(.retries, connector.retries) }
            if connector.redispatched { counters.add(.redispatches) }
            counters.sample(.queueTime, milliseconds: connector.queueMilliseconds)
            counters.sample(.connectTime, milliseconds: connector.connectMilliseconds)
        }
        counters.sample(.responseTime, milliseconds: responseMilliseconds)
        counters.sample(.totalTime, milliseconds: totalMilliseconds)
    }
}
