#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import UsherConfig
import UsherRouting

/// The `show` commands.
extension RuntimeAPIExecutor {
    /// `show info [typed|json]`.
    func showInfo(_ options: [String]) -> RuntimeAPIReply {
        let info = RuntimeAPIInfo(runtime: runtime, product: ProductInfo.name, version: ProductInfo.version)
        if options.contains("json") { return .output(info.json) }
        if options.contains("typed") { return .output(info.typed) }
        return .output(info.text)
    }

    /// `show stat [{proxy|iid} type sid] [up|no-maint|typed|json]…`: the three filter words come
    /// first or not at all.
    func showStat(_ words: [String]) -> RuntimeAPIReply {
        var filter = StatsCollector.Filter()
        var options = words[...]
        if words.count >= 3 {
            let proxy = words[0]
            if proxy != "-1" {
                let ids = StatsCollector(runtime: runtime).proxyIDs
                guard ids[proxy] != nil || (Int(proxy).map { id in ids.values.contains(id) } ?? false) else {
                    return .output("No such proxy.\n")
                }
                filter.proxy = proxy
            }
            filter.typeMask = Int(words[1]) ?? -1
            filter.serverID = Int(words[2]) ?? -1
            options = words.dropFirst(3)
        }
        filter.onlyUp = options.contains("up")
        filter.noMaintenance = options.contains("no-maint")
        let rows = StatsCollector(runtime: runtime).rows(filter)
        if options.contains("json") { return .output(StatsOutput.json(rows)) }
        if options.contains("typed") {
            return .output(StatsOutput.typed(rows))
        }
        return .output(StatsOutput.csv(rows))
    }

    /// `show servers state [BACKEND]`: format version 1, as HAProxy writes it for
    /// `server-state-file` and reads it back.
    func showServersState(backend name: String) -> RuntimeAPIReply {
        let backends: [BackendRuntime]
        if name.isEmpty {
            backends = runtime.backends
        } else {
            guard let backend = backend(named: name) else { return .output("Can't find backend.\n") }
            backends = [backend]
        }
        let ids = StatsCollector(runtime: runtime).proxyIDs
        let now = ServerCheckReport.nowSecond()
        var text = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight "
            + "srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state "
            + "bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr "
            + "srv_agent_addr srv_agent_port\n"
        for backend in backends {
            for server in backend.servers {
                let report = server.checkReport.withLockedValue { $0 }
                let config = server.server
                let address = server.address
                let admin = server.admin
                let resolving = server.inResolutionMaintenance
                let running = server.up.load(ordering: .relaxed) && admin != .maintenance && !resolving
                let checked = config.isChecked
                // HAProxy's admin flags: 0x01 forced maintenance, 0x08 drain, 0x20 no address from DNS.
                let adminFlags = (admin == .maintenance ? 1 : admin == .drain ? 8 : 0) | (resolving ? 0x20 : 0)
                let fqdn = config.isSRV ? (server.serviceTarget.withLockedValue { $0 } ?? "-") : (config.resolvedName ?? "-")
                let columns: [String] = [
                    "\(ids[backend.name] ?? 0)", backend.name, "\(server.identifier)", server.name,
                    resolving ? "-" : address.ipAddress ?? address.pathname ?? "-",
                    running ? "2" : "0",
                    "\(adminFlags)",
                    "\(server.weight)", "\(config.weight)",
                    "\(max(0, now - report.lastChangeSecond))",
                    checked ? "\(Self.checkStatusNumber(report.status))" : "1",
                    checked ? (report.status == "INI" ? "0" : report.status.hasSuffix("OK") ? "3" : "2") : "0",
                    // In maintenance HAProxy's health counter reads 0.
                    "\(checked ? (admin == .maintenance ? 0 : report.health) : report.rise)",
                    checked ? (admin == .maintenance ? "14" : "6") : "0",
                    "0", "0", "0", fqdn,
                    "\(address.port ?? 0)", config.isSRV ? config.resolvedName ?? "-" : "-", "0",
                    "\(config.options.checkPort ?? 0)",
                    config.options.checkAddress ?? "-",
                    "-", "0",
                ]
                text += columns.joined(separator: " ") + "\n"
            }
        }
        return .output(text)
    }

    /// HAProxy's check status numbers (`enum healthcheck_status`).
    static func checkStatusNumber(_ status: String) -> Int {
        let numbers: [String: Int] = [
            "UNK": 0, "INI": 1, "HANA": 4, "SOCKERR": 5, "L4OK": 6, "L4TOUT": 7, "L4CON": 8, "L6OK": 9, "L6TOUT": 10,
            "L6RSP": 11, "L7TOUT": 12, "L7RSP": 13, "L7OK": 14, "L7OKC": 15, "L7STS": 16, "PROCERR": 17, "PROCTOUT": 18, "PROCOK": 19,
        ]
        return numbers[status] ?? 0
    }

    func showBackends() -> RuntimeAPIReply {
        .output("# name\n" + runtime.backends.map { "\($0.name)\n" }.joined())
    }

    func showSockets() -> RuntimeAPIReply {
        .output("# socket lvl processes\n" + sockets.map { "\($0.endpoint) \($0.level) all\n" }.joined())
    }

    /// `show env [NAME]`: the process's environment, in its order.
    func showEnvironment(_ name: String) -> RuntimeAPIReply {
        var lines: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            lines.append(String(cString: entry))
            pointer += 1
        }
        guard !name.isEmpty else { return .output(lines.map { $0 + "\n" }.joined()) }
        guard let line = lines.first(where: { $0.hasPrefix(name + "=") }) else { return .output("Variable not found\n") }
        return .output(line + "\n")
    }

    /// `show sess [ID]`: one line per session, in HAProxy's layout with the fields usher knows.
    func showSessions(_ argument: String) -> RuntimeAPIReply {
        var sessions = runtime.sessions.all
        if argument.hasPrefix("0x"), let id = UInt(argument.dropFirst(2), radix: 16) {
            sessions = sessions.filter { $0.id == id }
            if sessions.isEmpty { return .output("Session not found.\n") }
        }
        let now = FrequencyCounter.nowMilliseconds()
        return .output(sessions.map { line(for: $0, now: now) + "\n" }.joined())
    }

    func line(for session: LiveSession, now: UInt64) -> String {
        let remote = session.channel.remoteAddress
        let proto: String
        let source: String
        switch remote {
        case .v4(let v4)?: (proto, source) = ("tcpv4", "\(v4.host):\(remote?.port ?? 0)")
        case .v6(let v6)?: (proto, source) = ("tcpv6", "\(v6.host):\(remote?.port ?? 0)")
        case .unixDomainSocket?, nil: (proto, source) = ("unix_stream", "unix:1")
        }
        let server = session.server(in: runtime)
        let backend = server?.backendName ?? "<NONE>"
        let age = Self.humanTime(Int((now &- session.openedMilliseconds) / 1000))
        return "\(session.idText): proto=\(proto) src=\(source) fe=\(session.frontendName ?? "GLOBAL") be=\(backend) srv=\(server?.name ?? "<none>") "
            + "ts=00 epoch=0 age=\(age) calls=0 rate=0 cpu=0 lat=0 rq[f=0h,i=0,an=00h,rx=,wx=,ax=] rp[f=0h,i=0,an=00h,rx=,wx=,ax=] "
            + "scf=[8,0h,fd=-1] scb=[8,\(server == nil ? "1h" : "0h"),fd=-1] exp= rc=0 c_exp="
    }

    /// HAProxy's short durations: `15s`, `2m3s`, `1h4m`, `2d3h`.
    static func humanTime(_ seconds: Int) -> String {
        switch seconds {
        case ..<60: return "\(max(0, seconds))s"
        case ..<3600: return "\(seconds / 60)m\(seconds % 60)s"
        case ..<86400: return "\(seconds / 3600)h\(seconds / 60 % 60)m"
        default: return "\(seconds / 86400)d\(seconds / 3600 % 24)h"
        }
    }
}
