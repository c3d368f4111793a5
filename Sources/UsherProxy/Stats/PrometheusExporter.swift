#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import UsherRouting

// Why no swift-metrics / swift-prometheus here (issue 9 asks to use them where they fit the hot
// path's cost, or to say why not):
//
// - The numbers already exist. Every counter the exporter shows is a relaxed atomic that the data
//   path updates once per event (`StatCounters`), and the stats page, the CSV and `show stat` read
//   the same words. A metrics library would keep a second copy: one more atomic increment (and,
//   for swift-prometheus, a dictionary lookup by label set) per counter per request, for nothing a
//   scrape every 15 seconds cannot read from the first copy.
// - The output is not a library's: HAProxy 2.6's metric names, HELP texts, NaN for empty fields,
//   six-decimal seconds, metric-by-metric grouping, `scope`/`no-maint` filtering. A client
//   library's registry would have to be bent into that shape; a 200-line renderer is simpler.
// (Both packages are available to this project, swift-prometheus 2.4.1 and swift-metrics 2.13.0:
// the choice is the cost above, not availability.)
//
// So the exporter reads the counters at scrape time (`StatsCollector.rows()`, `ProxyRuntime`)
// and renders HAProxy's text itself (`PrometheusExposition`, pure, in UsherRouting). Should usher
// ever also feed swift-metrics (for a host application's own backend), the handles belong on the
// snapshot, created once per configuration, and fed from the same counters at read time.

/// `http-request use-service prometheus-exporter`: answers a scrape with every frontend's,
/// backend's and server's statistics and the process's, in HAProxy 2.6's metric names.
struct PrometheusExporter {
    let runtime: ProxyRuntime

    /// The response to a request for the exporter: 200 with the metrics (the head alone for
    /// `HEAD`), or nil where the query asks for a scope that does not exist (HAProxy answers 400).
    func response(query: Substring?, method: String) -> [UInt8]? {
        guard let request = PrometheusQuery(query: query) else { return nil }
        let body = text(request)
        var head = "HTTP/1.1 200 OK\r\n"
        head += "cache-control: no-cache\r\n"
        head += "content-type: \(PrometheusExposition.contentType)\r\n"
        head += "content-length: \(body.utf8.count)\r\n\r\n"
        return method == "HEAD" ? Array(head.utf8) : Array((head + body).utf8)
    }

    /// The exposition text for `query`.
    func text(_ query: PrometheusQuery) -> String {
        let rows = query.scopes.isDisjoint(with: [.frontend, .listener, .backend, .server]) ? [] : StatsCollector(runtime: runtime).rows()
        return PrometheusExposition.render(query, process: processValues(), rows: rows)
    }

    /// The `haproxy_process_*` values usher has. What HAProxy measures and usher does not (its
    /// task scheduler, memory pools, idle time, byte rate) is NaN, not a made-up 0; features usher
    /// does not have (TLS termination, compression, pipes, DNS, log forwarding) are 0 as
    /// in an HAProxy that does not use them.
    func processValues() -> PrometheusProcessValues {
        let global = runtime.table.configuration.global
        let counters = runtime.processCounters
        let now = StatCounters.wallSeconds()
        let fileLimit = Self.fileDescriptorLimit()
        let connections = runtime.activeConnections.load(ordering: .relaxed)
        let listeners = runtime.table.configuration.proxies.reduce(0) { $0 + $1.binds.count }
        var values = PrometheusProcessValues(version: ProductInfo.version)
        values["nbthread"] = .integer(global.nbthread ?? System.coreCount)
        values["nbproc"] = .integer(1)
        values["relative_process_id"] = .integer(1)
        values["uptime_seconds"] = .integer(max(0, now - runtime.startedWallSeconds))
        values["pool_failures_total"] = .integer(0)
        values["max_fds"] = .integer(fileLimit)
        values["max_sockets"] = .integer(fileLimit)
        // 0 where the configuration sets no `maxconn`: usher then has no process-wide limit.
        values["max_connections"] = .integer(runtime.maxConnections)
        values["hard_max_connections"] = .integer(runtime.maxConnections)
        values["current_connections"] = .integer(connections)
        values["connections_total"] = .integer(counters[.connections])
        values["requests_total"] = .integer(counters[.requests])
        let connectionRate = counters.rate(.connections)
        values["current_connection_rate"] = .integer(connectionRate)
        values["max_connection_rate"] = .integer(counters[peak: .connectionRate])
        // A session is an accepted connection that passed `tcp-request connection` rules; usher
        // counts the process's accepted connections only.
        values["current_session_rate"] = .integer(connectionRate)
        values["max_session_rate"] = .integer(counters[peak: .connectionRate])
        let tls = runtime.tlsCounters
        values["max_ssl_connections"] = .integer(tls.peakCurrent)
        values["current_ssl_connections"] = .integer(tls.current)
        values["ssl_connections_total"] = .integer(tls.total)
        values["current_ssl_rate"] = .integer(tls.rate)
        values["max_ssl_rate"] = .integer(tls.peakRate)
        values["current_frontend_ssl_key_rate"] = .integer(tls.keyRate)
        values["max_frontend_ssl_key_rate"] = .integer(tls.peakKeyRate)
        values["frontend_ssl_reuse"] = .integer(tls.reusePercent)
        values["current_backend_ssl_key_rate"] = .integer(tls.backendKeyRate)
        values["max_backend_ssl_key_rate"] = .integer(tls.peakBackendKeyRate)
        for unused in [
            "max_pipes", "pipes_used_total",
            "pipes_free_total", "limit_connection_rate", "limit_session_rate", "limit_ssl_rate", "ssl_cache_lookups_total", "ssl_cache_misses_total", "http_comp_bytes_in_total",
            "http_comp_bytes_out_total", "limit_http_comp", "unstoppable_jobs",
            "dropped_logs_total", "busy_polling_enabled", "failed_resolutions", "spliced_bytes_out_total", "recv_logs_total",
            "max_memory_bytes",
        ] {
            values[unused] = .integer(0)
        }
        // NaN as in an HAProxy built without zlib (Debian's uses libslz): usher compresses nothing.
        values["current_zlib_memory"] = .notANumber
        values["max_zlib_memory"] = .notANumber
        let peers = runtime.peerSessionCounts
        values["active_peers"] = .integer(peers.active)
        values["connected_peers"] = .integer(peers.connected)
        values["stopping"] = .integer(runtime.isStopping.load(ordering: .relaxed) ? 1 : 0)
        values["jobs"] = .integer(connections + listeners)
        values["listeners"] = .integer(listeners)
        values["bytes_out_total"] = .integer(
            runtime.frontends.reduce(0) { $0 + $1.counters[.bytesOut] } + runtime.backends.reduce(0) { $0 + $1.counters[.bytesIn] }
        )
        values["start_time_seconds"] = .integer(runtime.startedWallSeconds)
        return values
    }

    /// The soft limit on open files (`ulimit -n`), which is what HAProxy reports as its maximum.
    static func fileDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        return limit.rlim_cur > rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
    }
}
