import UsherConfig
import UsherRouting

/// Reads the live counters and states of a running configuration into statistics rows, in
/// HAProxy's order: for each proxy as declared, its frontend row, its servers, its backend row.
public struct StatsCollector: Sendable {
    let runtime: ProxyRuntime

    public init(runtime: ProxyRuntime) {
        self.runtime = runtime
    }

    /// Which rows to read: HAProxy's `show stat [proxy|iid] [type mask] [sid]` filters.
    public struct Filter: Sendable {
        /// A proxy name or id; nil for all.
        public var proxy: String?
        /// 1 frontends, 2 backends, 4 servers, 8 listeners (`option socket-stats`); -1 for all.
        public var typeMask: Int
        /// A server id; -1 for all.
        public var serverID: Int
        /// `;up`: servers that are not up are left out.
        public var onlyUp: Bool
        /// `no-maint`: servers in maintenance are left out.
        public var noMaintenance = false
        /// Server addresses, cookies and balance algorithms: on the runtime API always, on the stats
        /// page only with `stats show-legends` (HAProxy keeps them from anonymous readers).
        public var showDetails: Bool

        public init(proxy: String? = nil, typeMask: Int = -1, serverID: Int = -1, onlyUp: Bool = false, showDetails: Bool = true) {
            self.proxy = proxy
            self.typeMask = typeMask
            self.serverID = serverID
            self.onlyUp = onlyUp
            self.showDetails = showDetails
        }
    }

    /// The proxies' numbers (`iid`), by name.
    public var proxyIDs: [String: Int] { runtime.proxyIDs }

    public func rows(_ filter: Filter = Filter()) -> [StatRow] {
        let ids = proxyIDs
        let now = ServerCheckReport.nowSecond()
        let nowMilliseconds = FrequencyCounter.nowMilliseconds()
        let wallNow = StatCounters.wallSeconds()
        var rows: [StatRow] = []
        var seen: Set<String> = []
        for proxy in runtime.table.configuration.proxies where !seen.contains(proxy.name) {
            seen.insert(proxy.name)
            let id = ids[proxy.name] ?? 0
            if let wanted = filter.proxy, wanted != proxy.name, Int(wanted) != id { continue }
            if filter.typeMask & 1 != 0, let frontend = runtime.frontends.first(where: { $0.name == proxy.name }) {
                rows.append(frontendRow(frontend, id: id, nowMilliseconds: nowMilliseconds))
            }
            if filter.typeMask & 8 != 0, let frontend = runtime.frontends.first(where: { $0.name == proxy.name }) {
                for listener in frontend.listeners where filter.serverID < 0 || filter.serverID == listener.id {
                    rows.append(listenerRow(listener, frontend: frontend, id: id, details: filter.showDetails))
                }
            }
            guard let backend = runtime.backends.first(where: { $0.name == proxy.name }) else { continue }
            if filter.typeMask & 4 != 0 {
                for server in backend.servers where filter.serverID < 0 || filter.serverID == server.identifier {
                    let row = serverRow(server, backend: backend, id: id, now: now, wallNow: wallNow, nowMilliseconds: nowMilliseconds, details: filter.showDetails)
                    if filter.onlyUp, !(row.status.hasPrefix("UP") || row.status == "no check") { continue }
                    if filter.noMaintenance, row.status.hasPrefix("MAINT") { continue }
                    rows.append(row)
                }
            }
            if filter.typeMask & 2 != 0 {
                var row = backendRow(backend, id: id, now: now, wallNow: wallNow, nowMilliseconds: nowMilliseconds, details: filter.showDetails)
                if filter.onlyUp || filter.noMaintenance {
                    // HAProxy then adds the usable and total server counts to a backend's status.
                    row[.status] = .string("\(row.status) (\(backend.servers.filter(\.isUp).count)/\(backend.servers.count))")
                }
                rows.append(row)
            }
        }
        return rows
    }

    func frontendRow(_ frontend: FrontendRuntime, id: Int, nowMilliseconds: UInt64) -> StatRow {
        let isHTTP = frontend.isHTTP
        var row = StatRow(kind: .frontend, proxyName: frontend.name, serviceName: "FRONTEND", proxyID: id, objectID: 0, isHTTP: isHTTP)
        let counters = frontend.counters
        fillAccepted(&row, counters, current: frontend.activeConnections.load(ordering: .relaxed),
                     limit: frontend.effectiveMaxConnections(global: runtime.maxConnections), frontend: frontend)
        row[int: .rate] = counters.rate(.sessions, nowMilliseconds: nowMilliseconds)
        row[int: .rateLim] = 0
        row[int: .rateMax] = counters[peak: .sessionRate]
        fillResponses(&row, counters)
        row[int: .reqRate] = isHTTP ? counters.rate(.requests, nowMilliseconds: nowMilliseconds) : 0
        row[int: .reqRateMax] = isHTTP ? counters[peak: .requestRate] : 0
        row[int: .reqTot] = isHTTP ? counters[.requests] : 0
        fillUnusedFeatures(&row)
        row[int: .connRate] = counters.rate(.connections, nowMilliseconds: nowMilliseconds)
        row[int: .connRateMax] = counters[peak: .connectionRate]
        row[int: .connTot] = counters[.connections]
        row[int: .intercepted] = counters[.intercepted]
        fillProtocolModules(&row, counters, isHTTP: isHTTP, current: frontend.activeConnections.load(ordering: .relaxed))
        return row
    }

    /// A listening socket's row (`option socket-stats`).
    func listenerRow(_ listener: ListenerStats, frontend: FrontendRuntime, id: Int, details: Bool) -> StatRow {
        var row = StatRow(kind: .listener, proxyName: frontend.name, serviceName: listener.name, proxyID: id, objectID: listener.id, isHTTP: frontend.isHTTP)
        let counters = listener.counters
        fillAccepted(&row, counters, current: listener.activeSessions.load(ordering: .relaxed), limit: frontend.maxConnections, frontend: frontend)
        if details { row[.addr] = .string(listener.address.withLockedValue { $0 }) }
        for field in [StatField.sslSess, .sslReusedSess, .sslFailedHandshake] { row[int: field] = 0 }
        return row
    }

    func serverRow(_ server: ServerRuntime, backend: BackendRuntime, id: Int, now: Int, wallNow: Int, nowMilliseconds: UInt64, details: Bool) -> StatRow {
        let isHTTP = backend.routes.proxy.mode == .http
        var row = StatRow(kind: .server, proxyName: backend.name, serviceName: server.name, proxyID: id, objectID: server.identifier, isHTTP: isHTTP)
        let counters = server.counters
        let config = server.server
        let report = server.checkReport.withLockedValue { $0 }
        row[int: .qcur] = 0
        row[int: .qmax] = 0
        fillSessions(&row, counters, current: server.currentConnections)
        if server.configuredMaxConnections > 0 { row[int: .slim] = server.configuredMaxConnections }
        row[.status] = .string(serverStatus(server, report: report))
        row[int: .weight] = server.weight
        row[int: .uweight] = server.userWeight
        // `slowstart` under way: the share of its weight in force.
        if let share = server.slowStartShare() { row[int: .throttle] = share }
        row[int: .act] = config.isBackup ? 0 : 1
        row[int: .bck] = config.isBackup ? 1 : 0
        if config.isChecked {
            row[int: .chkfail] = report.failedChecks
            row[int: .chkdown] = report.downTransitions
            row[int: .downtime] = report.downtime(now: now)
            row[.checkStatus] = .string(report.status)
            if let code = report.code { row[int: .checkCode] = code }
            if report.durationMilliseconds >= 0 { row[int: .checkDuration] = report.durationMilliseconds }
            row[.checkDesc] = .string(report.description)
            if let output = report.output { row[.lastChk] = .string(output) }
            row[int: .checkRise] = report.rise
            row[int: .checkFall] = report.fall
            row[int: .checkHealth] = report.health
        }
        row[int: .lastchg] = now - report.lastChangeSecond
        fillTraffic(&row, counters, isHTTP: isHTTP, wallNow: wallNow, nowMilliseconds: nowMilliseconds)
        if details {
            row[.addr] = .string(server.inResolutionMaintenance ? "" : server.addressText)
            if let cookie = config.options.cookie { row[.cookie] = .string(cookie) }
        }
        row[.mode] = .string(backend.routes.proxy.mode.rawValue)
        row[int: .srvIcur] = 0
        row[int: .idleConnCur] = 0
        row[int: .safeConnCur] = 0
        row[int: .usedConnCur] = server.currentConnections
        row[int: .needConnEst] = counters[peak: .sessions]
        fillProtocolModules(&row, counters, isHTTP: isHTTP, current: server.currentConnections)
        return row
    }

    func backendRow(_ backend: BackendRuntime, id: Int, now: Int, wallNow: Int, nowMilliseconds: UInt64, details: Bool) -> StatRow {
        let isHTTP = backend.routes.proxy.mode == .http
        var row = StatRow(kind: .backend, proxyName: backend.name, serviceName: "BACKEND", proxyID: id, objectID: 0, isHTTP: isHTTP)
        let counters = backend.counters
        row[int: .qcur] = backend.queueLength
        row[int: .qmax] = counters[peak: .queue]
        fillSessions(&row, counters, current: backend.activeConnections.load(ordering: .relaxed))
        row[int: .slim] = backend.fullConnections(global: runtime.maxConnections)
        row[int: .dreq] = counters[.deniedRequests]
        let up = backend.servers.filter(\.isUp)
        // A backend without servers (a `listen` serving the stats page) is not down: nothing failed.
        let isUp = !up.isEmpty || backend.servers.isEmpty
        let activeUp = up.filter { !$0.server.isBackup }
        let backupUp = up.filter { $0.server.isBackup }
        let state = backend.stateReport.withLockedValue { report in
            report.observe(isUp: isUp, now: now)
            return report
        }
        row[.status] = .string(isUp ? "UP" : "DOWN")
        // The weight of the servers that would take traffic now: the active ones, else the backups.
        let serving = activeUp.isEmpty ? (backend.routes.proxy.settings.isEnabled("allbackups") ? backupUp : Array(backupUp.prefix(1))) : activeUp
        row[int: .weight] = serving.reduce(0) { $0 + $1.weight }
        row[int: .uweight] = serving.reduce(0) { $0 + $1.weight }
        row[int: .act] = activeUp.count
        row[int: .bck] = backupUp.count
        row[int: .chkdown] = state.downTransitions
        row[int: .lastchg] = now - state.lastChangeSecond
        row[int: .downtime] = state.downtime(now: now)
        fillTraffic(&row, counters, isHTTP: isHTTP, wallNow: wallNow, nowMilliseconds: nowMilliseconds)
        fillUnusedFeatures(&row)
        row[.mode] = .string(backend.routes.proxy.mode.rawValue)
        if details { row[.algo] = .string(backend.routes.proxy.balance.statsName) }
        row[int: .aggServerStatus] = 0
        row[int: .aggServerCheckStatus] = 0
        row[int: .aggCheckStatus] = 0
        fillProtocolModules(&row, counters, isHTTP: isHTTP, current: backend.servers.reduce(0) { $0 + $1.currentConnections })
        return row
    }

    /// Frontend and listener columns: what was accepted, carried and refused.
    private func fillAccepted(_ row: inout StatRow, _ counters: StatCounters, current: Int, limit: Int, frontend: FrontendRuntime) {
        row[int: .scur] = current
        row[int: .smax] = counters[peak: .sessions]
        row[int: .slim] = limit
        row[int: .stot] = counters[.sessions]
        row[int: .bin] = counters[.bytesIn]
        row[int: .bout] = counters[.bytesOut]
        row[int: .dreq] = counters[.deniedRequests]
        row[int: .dresp] = counters[.deniedResponses]
        row[int: .ereq] = counters[.requestErrors]
        row[.status] = .string(frontend.statusText)
        row[.mode] = .string(frontend.routes.proxy.mode.rawValue)
        row[int: .dcon] = counters[.deniedConnections]
        row[int: .dses] = counters[.deniedSessions]
        row[int: .wrew] = counters[.failedRewrites]
        row[int: .eint] = counters[.internalErrors]
    }

    private func fillSessions(_ row: inout StatRow, _ counters: StatCounters, current: Int) {
        row[int: .scur] = current
        row[int: .smax] = counters[peak: .sessions]
        row[int: .stot] = counters[.sessions]
        row[int: .bin] = counters[.bytesIn]
        row[int: .bout] = counters[.bytesOut]
        row[int: .dresp] = counters[.deniedResponses]
    }

    private func fillResponses(_ row: inout StatRow, _ counters: StatCounters) {
        row[int: .hrsp1xx] = counters[.responses1xx]
        row[int: .hrsp2xx] = counters[.responses2xx]
        row[int: .hrsp3xx] = counters[.responses3xx]
        row[int: .hrsp4xx] = counters[.responses4xx]
        row[int: .hrsp5xx] = counters[.responses5xx]
        row[int: .hrspOther] = counters[.responsesOther]
    }

    /// Backend and server columns: balancing, rates, responses, how sessions ended and how long
    /// they took.
    private func fillTraffic(_ row: inout StatRow, _ counters: StatCounters, isHTTP: Bool, wallNow: Int, nowMilliseconds: UInt64) {
        row[int: .lbtot] = counters[.balancedTotal]
        row[int: .rate] = counters.rate(.sessions, nowMilliseconds: nowMilliseconds)
        row[int: .rateMax] = counters[peak: .sessionRate]
        if isHTTP {
            fillResponses(&row, counters)
            row[int: .reqTot] = counters[.requests]
        }
        fillOutcomes(&row, counters, wallNow: wallNow)
    }

    /// Backend and server columns that say how sessions ended and how long they took.
    private func fillOutcomes(_ row: inout StatRow, _ counters: StatCounters, wallNow: Int) {
        row[int: .econ] = counters[.connectionErrors]
        row[int: .eresp] = counters[.responseErrors]
        row[int: .wretr] = counters[.retries]
        row[int: .wredis] = counters[.redispatches]
        row[int: .cliAbrt] = counters[.clientAborts]
        row[int: .srvAbrt] = counters[.serverAborts]
        let last = counters.lastSessionSecond
        row[int: .lastsess] = last == 0 ? -1 : max(0, wallNow - last)
        row[int: .qtime] = counters.average(.queueTime)
        row[int: .ctime] = counters.average(.connectTime)
        row[int: .rtime] = counters.average(.responseTime)
        row[int: .ttime] = counters.average(.totalTime)
        row[int: .qtimeMax] = counters[peak: .queueTime]
        row[int: .ctimeMax] = counters[peak: .connectTime]
        row[int: .rtimeMax] = counters[peak: .responseTime]
        row[int: .ttimeMax] = counters[peak: .totalTime]
        row[int: .wrew] = counters[.failedRewrites]
        row[int: .connect] = counters[.newConnections]
        row[int: .reuse] = counters[.reusedConnections]
        row[int: .eint] = counters[.internalErrors]
    }

    /// Compression and cache: usher has neither, so their counters stay at zero, as HAProxy's do
    /// for a proxy that does not use them.
    private func fillUnusedFeatures(_ row: inout StatRow) {
        for field in [StatField.compIn, .compOut, .compByp, .compRsp, .cacheLookups, .cacheHits] { row[int: field] = 0 }
    }

    /// The per-protocol columns after `-`: TLS and HTTP/2 at zero (usher terminates neither yet),
    /// HTTP/1 from the proxy's own counters (`current`: its HTTP/1 connections open now).
    private func fillProtocolModules(_ row: inout StatRow, _ counters: StatCounters, isHTTP: Bool, current: Int) {
        for field in StatField.allCases where field.rawValue > StatField.moduleSeparator.rawValue { row[int: field] = 0 }
        if isHTTP {
            row[int: .h1OpenConnections] = current
            row[int: .h1OpenStreams] = current
            row[int: .h1TotalConnections] = counters[.sessions]
            row[int: .h1TotalStreams] = counters[.requests]
            row[int: .h1BytesIn] = counters[.bytesIn]
            row[int: .h1BytesOut] = counters[.bytesOut]
        }
    }

    /// HAProxy's status words: `UP`, `DOWN`, `UP 1/3` (failing, not down yet), `DOWN 1/2` (passing,
    /// not up yet), `no check`, `MAINT`, `DRAIN`.
    func serverStatus(_ server: ServerRuntime, report: ServerCheckReport) -> String {
        if server.inResolutionMaintenance, server.admin != .maintenance { return "MAINT (resolution)" }
        switch server.admin {
        case .maintenance: return "MAINT"
        case .drain where server.up.load(ordering: .relaxed): return "DRAIN"
        default: break
        }
        guard server.server.isChecked else { return server.admin == .drain ? "DRAIN" : "no check" }
        let full = report.rise + report.fall - 1
        if report.health >= report.rise {
            return report.health == full ? "UP" : "UP \(report.health - report.rise + 1)/\(report.fall)"
        }
        return report.health == 0 ? "DOWN" : "DOWN \(report.health)/\(report.rise)"
    }
}
