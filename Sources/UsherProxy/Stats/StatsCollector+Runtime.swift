import NIOConcurrencyHelpers
import NIOCore
import UsherConfig
import UsherRouting

extension BalanceAlgorithm {
    /// The algorithm's name in the stats' `algo` column.
    public var statsName: String {
        if case .header = self { return "hdr" }
        return name
    }
}

extension FrontendRuntime {
    /// `slim`: the frontend's `maxconn`, else the process's.
    func effectiveMaxConnections(global: Int) -> Int {
        maxConnections > 0 ? maxConnections : global
    }

    /// `OPEN`, or `PAUSED` while an operator has disabled it.
    var statusText: String { isPaused.load(ordering: .relaxed) ? "PAUSED" : "OPEN" }
}

extension BackendRuntime {
    /// `slim` of a backend: HAProxy's `fullconn` default, a tenth of the connections the
    /// frontends may hold.
    func fullConnections(global: Int) -> Int {
        global / 10
    }
}

extension SocketAddress {
    /// `IP:port`, or the path of a UNIX socket, as the stats' `addr` column shows a listener.
    var statsText: String {
        switch self {
        case .v4(let v4): return "\(ipAddress ?? v4.host):\(port ?? 0)"
        case .v6(let v6): return "[\(ipAddress ?? v6.host)]:\(port ?? 0)"
        case .unixDomainSocket: return pathname ?? ""
        }
    }
}

extension ServerRuntime {
    /// `addr`: the address connections go to, as `IP:port`.
    var addressText: String { address.statsText }
}

/// A backend's up/down history for the stats (`lastchg`, `downtime`, `chkdown`): observed by
/// each reader and by each server state change, so a flap between two reads is still counted.
struct BackendStateReport: Sendable {
    /// nil until first observed: a backend that starts down has not gone down.
    var isUp: Bool?
    var lastChangeSecond = ServerCheckReport.nowSecond()
    var downTransitions = 0
    var accumulatedDowntime = 0
    var downSince: Int?

    mutating func observe(isUp now: Bool, now second: Int = ServerCheckReport.nowSecond()) {
        guard let before = isUp else {
            isUp = now
            if !now { downSince = lastChangeSecond }
            return
        }
        guard now != before else { return }
        isUp = now
        lastChangeSecond = second
        if now, let since = downSince {
            accumulatedDowntime += second - since
            downSince = nil
        } else if !now {
            downTransitions += 1
            downSince = second
        }
    }

    func downtime(now: Int) -> Int {
        accumulatedDowntime + (downSince.map { now - $0 } ?? 0)
    }
}
