#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import UsherRouting

/// `show info`: the process's fields, named, ordered and tagged as HAProxy 2.6 reports them, with
/// the values usher has (features it lacks, such as pipes, report 0; the TLS session cache's lookups and misses too: the library keeps them).
struct RuntimeAPIInfo {
    /// One field: its `show info typed` position and tags, its type and value.
    struct Field {
        var position: Int
        var name: String
        var tags: String
        var type: String
        var value: String
    }

    let fields: [Field]

    init(runtime: ProxyRuntime, product: String, version: String) {
        let counters = runtime.processCounters
        let tls = runtime.tlsCounters
        let uptime = max(0, StatCounters.wallSeconds() - runtime.startedWallSeconds)
        let limit = Self.fileDescriptorLimit
        let maxConnections = runtime.maxConnections > 0 ? runtime.maxConnections : RuntimeAPIExecutor.hardMaxConnections(configured: 0)
        let hardMax = RuntimeAPIExecutor.hardMaxConnections(configured: runtime.table.configuration.global.maxconn ?? 0)
        let bytesOut = runtime.frontends.reduce(0) { $0 + $1.counters[.bytesOut] }
        let global = runtime.table.configuration.global
        let listeners = runtime.frontends.reduce(0) { $0 + $1.routes.proxy.binds.reduce(0) { $0 + $1.addresses.count } }
        let current = runtime.activeConnections.load(ordering: .relaxed)
        var nodeBytes = [CChar](repeating: 0, count: 256)
        gethostname(&nodeBytes, nodeBytes.count - 1)
        let node = String(decoding: nodeBytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let values: [(String, String, String, String)] = [
            ("Name", "POS", "str", product),
            ("Version", "POS", "str", version),
            ("Release_date", "POS", "str", "2026/12/01"),
            ("Nbthread", "CGS", "u32", "\(global.nbthread ?? System.coreCount)"),
            ("Nbproc", "CGS", "u32", "1"),
            ("Process_num", "KGP", "u32", "1"),
            ("Pid", "SGP", "u32", "\(getpid())"),
            ("Uptime", "MDP", "str", Self.uptimeText(uptime)),
            ("Uptime_sec", "MDP", "u32", "\(uptime)"),
            ("Memmax_MB", "CLP", "u32", "0"),
            ("PoolAlloc_MB", "MGP", "u32", "0"),
            ("PoolUsed_MB", "MGP", "u32", "0"),
            ("PoolFailed", "MCP", "u32", "0"),
            ("Ulimit-n", "CLP", "u32", "\(limit)"),
            ("Maxsock", "CLP", "u32", "\(limit)"),
            ("Maxconn", "CLP", "u32", "\(maxConnections)"),
            ("Hard_maxconn", "CLP", "u32", "\(hardMax)"),
            ("CurrConns", "MGP", "u32", "\(current)"),
            ("CumConns", "MCP", "u32", "\(counters[.connections])"),
            ("CumReq", "MCP", "u32", "\(counters[.requests])"),
            ("MaxSslConns", "MMP", "u32", "\(tls.peakCurrent)"),
            ("CurrSslConns", "MGP", "u32", "\(tls.current)"),
            ("CumSslConns", "MCP", "u32", "\(tls.total)"),
            ("Maxpipes", "CLP", "u32", "0"),
            ("PipesUsed", "MGP", "u32", "0"),
            ("PipesFree", "MGP", "u32", "0"),
            ("ConnRate", "MRP", "u32", "\(counters.rate(.connections))"),
            ("ConnRateLimit", "CLP", "u32", "0"),
            ("MaxConnRate", "MMP", "u32", "\(counters[peak: .connectionRate])"),
            ("SessRate", "MRP", "u32", "\(counters.rate(.connections))"),
            ("SessRateLimit", "CLP", "u32", "0"),
            ("MaxSessRate", "MRP", "u32", "\(counters[peak: .connectionRate])"),
            ("SslRate", "MRP", "u32", "\(tls.rate)"),
            ("SslRateLimit", "CLP", "u32", "0"),
            ("MaxSslRate", "MMP", "u32", "\(tls.peakRate)"),
            ("SslFrontendKeyRate", "MGP", "u32", "\(tls.keyRate)"),
            ("SslFrontendMaxKeyRate", "MMP", "u32", "\(tls.peakKeyRate)"),
            ("SslFrontendSessionReuse_pct", "MGP", "u32", "\(tls.reusePercent)"),
            ("SslBackendKeyRate", "MRP", "u32", "\(tls.backendKeyRate)"),
            ("SslBackendMaxKeyRate", "MMP", "u32", "\(tls.peakBackendKeyRate)"),
            ("SslCacheLookups", "MCP", "u32", "0"),
            ("SslCacheMisses", "MCP", "u32", "0"),
            ("CompressBpsIn", "MRP", "u32", "0"),
            ("CompressBpsOut", "MRP", "u32", "0"),
            ("CompressBpsRateLim", "CLP", "u32", "0"),
            ("ZlibMemUsage", "MGP", "u32", ""),
            ("MaxZlibMemUsage", "CLP", "u32", ""),
            ("Tasks", "MGP", "u32", "\(runtime.sessions.count)"),
            ("Run_queue", "MGP", "u32", "0"),
            ("Idle_pct", "MaP", "u32", "100"),
            ("node", "COS", "str", node),
            ("description", "COS", "str", ""),
            ("Stopping", "MGP", "u32", runtime.isStopping.load(ordering: .relaxed) ? "1" : "0"),
            ("Jobs", "MGP", "u32", "\(current + listeners)"),
            ("Unstoppable Jobs", "MGP", "u32", "0"),
            ("Listeners", "MGP", "u32", "\(listeners)"),
            ("ActivePeers", "MGP", "u32", "\(runtime.peerSessionCounts.active)"),
            ("ConnectedPeers", "MGP", "u32", "\(runtime.peerSessionCounts.connected)"),
            ("DroppedLogs", "MGP", "u32", "\(runtime.log.droppedMessages)"),
            ("BusyPolling", "MGP", "u32", "0"),
            ("FailedResolutions", "MGP", "u32", "0"),
            ("TotalBytesOut", "MGP", "u64", "\(bytesOut)"),
            ("TotalSplicdedBytesOut", "MGP", "u64", "0"),
            ("BytesOutRate", "MRP", "u64", "0"),
            ("DebugCommandsIssued", "MGP", "u32", "0"),
            ("CumRecvLogs", "MCP", "u32", "0"),
            ("Build info", "POS", "str", version),
            ("Memmax_bytes", "CLP", "u32", "0"),
            ("PoolAlloc_bytes", "MGP", "u64", "0"),
            ("PoolUsed_bytes", "MGP", "u64", "0"),
            ("Start_time_sec", "MDP", "u32", "\(runtime.startedWallSeconds)"),
            ("Tainted", "SGP", "str", "0"),
        ]
        fields = values.enumerated().map { Field(position: $0, name: $1.0, tags: $1.1, type: $1.2, value: $1.3) }
    }

    /// `Name: value` lines; empty fields are left out, as HAProxy does.
    var text: String {
        fields.filter { !$0.value.isEmpty }.map { "\($0.name): \($0.value)\n" }.joined()
    }

    /// `0.Name.1:POS:str:usher` lines.
    var typed: String {
        fields.filter { !$0.value.isEmpty }.map { "\($0.position).\($0.name).1:\($0.tags):\($0.type):\($0.value)\n" }.joined()
    }

    /// One JSON array of field objects, on one line.
    var json: String {
        "[" + fields.filter { !$0.value.isEmpty }.map { field in
            let value = field.type == "str" ? StatsOutput.jsonString(field.value) : field.value
            return "{\"field\":{\"pos\":\(field.position),\"name\":\(StatsOutput.jsonString(field.name))},\"processNum\":1,"
                + "\"tags\":\(Self.tagsJSON(field.tags)),\"value\":{\"type\":\"\(field.type)\",\"value\":\(value)}}"
        }.joined(separator: ",") + "]\n"
    }

    static func tagsJSON(_ tags: String) -> String {
        let letters = Array(tags)
        let origins: [Character: String] = ["K": "Key", "C": "Config", "P": "Product", "S": "Status", "M": "Metric"]
        let natures: [Character: String] = [
            "N": "Name", "G": "Gauge", "L": "Limit", "M": "Max", "C": "Counter", "R": "Rate", "O": "Output",
            "D": "Duration", "A": "Age", "a": "Avg", "T": "Time",
        ]
        return "{\"origin\":\"\(origins[letters[0]] ?? "Metric")\",\"nature\":\"\(natures[letters[1]] ?? "Gauge")\","
            + "\"scope\":\"\(letters[2] == "S" ? "Service" : "Process")\"}"
    }

    /// `0d 0h00m15s`.
    static func uptimeText(_ seconds: Int) -> String {
        let days = seconds / 86400, hours = seconds / 3600 % 24, minutes = seconds / 60 % 60, rest = seconds % 60
        return "\(days)d \(hours)h\(minutes < 10 ? "0" : "")\(minutes)m\(rest < 10 ? "0" : "")\(rest)s"
    }

    /// The soft limit on open files (HAProxy's `Ulimit-n`).
    static var fileDescriptorLimit: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(min(limit.rlim_cur, rlim_t(Int32.max)))
    }
}
