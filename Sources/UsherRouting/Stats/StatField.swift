/// One column of HAProxy 2.6's statistics (the CSV of `show stat` and `;csv`, `show stat typed`,
/// `show stat json`), in HAProxy's order: scripts read the CSV by position, so the order is the
/// interface. The columns after `-` are HAProxy's per-module counters (TLS, HTTP/2, HTTP/1).
public enum StatField: Int, CaseIterable, Sendable {
    case pxname, svname, qcur, qmax, scur, smax, slim, stot, bin, bout, dreq, dresp, ereq, econ, eresp, wretr, wredis, status, weight, act, bck, chkfail, chkdown, lastchg, downtime, qlimit, pid, iid, sid, throttle, lbtot, tracked, type, rate, rateLim, rateMax, checkStatus, checkCode, checkDuration, hrsp1xx, hrsp2xx, hrsp3xx, hrsp4xx, hrsp5xx, hrspOther, hanafail, reqRate, reqRateMax, reqTot, cliAbrt, srvAbrt, compIn, compOut, compByp, compRsp, lastsess, lastChk, lastAgt, qtime, ctime, rtime, ttime, agentStatus, agentCode, agentDuration, checkDesc, agentDesc, checkRise, checkFall, checkHealth, agentRise, agentFall, agentHealth, addr, cookie, mode, algo, connRate, connRateMax, connTot, intercepted, dcon, dses, wrew, connect, reuse, cacheLookups, cacheHits, srvIcur, srcIlim, qtimeMax, ctimeMax, rtimeMax, ttimeMax, eint, idleConnCur, safeConnCur, usedConnCur, needConnEst, uweight, aggServerStatus, aggServerCheckStatus, aggCheckStatus, moduleSeparator, sslSess, sslReusedSess, sslFailedHandshake, h2HeadersRcvd, h2DataRcvd, h2SettingsRcvd, h2RstStreamRcvd, h2GoawayRcvd, h2DetectedConnProtocolErrors, h2DetectedStrmProtocolErrors, h2RstStreamResp, h2GoawayResp, h2OpenConnections, h2BackendOpenStreams, h2TotalConnections, h2BackendTotalStreams, h1OpenConnections, h1OpenStreams, h1TotalConnections, h1TotalStreams, h1BytesIn, h1BytesOut, h1SplicedBytesIn, h1SplicedBytesOut

    /// The column's name in the CSV header.
    public var name: String { Self.descriptors[rawValue].name }

    /// `show stat typed`'s three letters: origin (Key, Config, Metric, Status), nature (Name, Gauge,
    /// Max, Limit, Counter, Rate, Age, avg, Duration, Output), scope (Process, Service).
    public var tags: String { Self.descriptors[rawValue].tags }

    /// `str`, `u32`, `u64` or `s32`.
    public var valueType: String { Self.descriptors[rawValue].type }

    /// The field's position in `show stat typed` and `json`: the `-` separator has none there.
    public var typedPosition: Int { rawValue > StatField.moduleSeparator.rawValue ? rawValue - 1 : rawValue }

    /// Whether a row of `kind` in a proxy of `isHTTP` mode may carry this column (else it stays
    /// empty). Columns that depend on the configuration (a server's `maxconn`, its checks, its
    /// cookie) are allowed where they can appear; the collector fills them only when they apply.
    public func applies(to kind: StatRow.Kind, isHTTP: Bool) -> Bool {
        let code: Character
        switch kind {
        case .frontend: code = isHTTP ? "f" : "h"
        case .backend: code = isHTTP ? "b" : "H"
        case .server: code = isHTTP ? "s" : "S"
        case .listener: code = "L"
        }
        return Self.descriptors[rawValue].rows.contains(code)
    }

    /// Name, typed tags, type, and the rows that carry the column, as HAProxy 2.6 fills them:
    /// f/b/s a frontend/backend/server row of an HTTP proxy, h/H/S of a TCP one, L a listener.
    private static let descriptors: [(name: String, tags: String, type: String, rows: String)] = [
        ("pxname", "KNS", "str", "fbshHSL"),
        ("svname", "KNS", "str", "fbshHSL"),
        ("qcur", "MGP", "u32", "bsHS"),
        ("qmax", "MMP", "u32", "bsHS"),
        ("scur", "MGP", "u32", "fbshHSL"),
        ("smax", "MMP", "u32", "fbshHSL"),
        ("slim", "CLP", "u32", "fbhHLsS"),
        ("stot", "MCP", "u64", "fbshHSL"),
        ("bin", "MCP", "u64", "fbshHSL"),
        ("bout", "MCP", "u64", "fbshHSL"),
        ("dreq", "MCP", "u64", "fbhHL"),
        ("dresp", "MCP", "u64", "fbshHSL"),
        ("ereq", "MCP", "u64", "fhL"),
        ("econ", "MCP", "u64", "bsHS"),
        ("eresp", "MCP", "u64", "bsHS"),
        ("wretr", "MCP", "u64", "bsHS"),
        ("wredis", "MCP", "u64", "bsHS"),
        ("status", "SGP", "str", "fbshHSL"),
        ("weight", "MaP", "u32", "bsHS"),
        ("act", "MGP", "u32", "bsHS"),
        ("bck", "MGP", "u32", "bsHS"),
        ("chkfail", "MCP", "u64", "sS"),
        ("chkdown", "MCP", "u64", "bsHS"),
        ("lastchg", "MAP", "u32", "bsHS"),
        ("downtime", "MCP", "u32", "bsHS"),
        ("qlimit", "CLP", "u32", "bsHS"),
        ("pid", "KGP", "u32", "fbshHSL"),
        ("iid", "KGS", "u32", "fbshHSL"),
        ("sid", "KGS", "u32", "fbshHSL"),
        ("throttle", "MaP", "u32", "sS"),
        ("lbtot", "MCP", "u64", "bsHS"),
        ("tracked", "CGS", "str", "sS"),
        ("type", "CGS", "u32", "fbshHSL"),
        ("rate", "MGP", "u32", "fbshHS"),
        ("rate_lim", "CLP", "u32", "fh"),
        ("rate_max", "MGP", "u32", "fbshHS"),
        ("check_status", "MOP", "str", "sS"),
        ("check_code", "MOP", "u32", "sS"),
        ("check_duration", "MDP", "u64", "sS"),
        ("hrsp_1xx", "MCP", "u64", "fbs"),
        ("hrsp_2xx", "MCP", "u64", "fbs"),
        ("hrsp_3xx", "MCP", "u64", "fbs"),
        ("hrsp_4xx", "MCP", "u64", "fbs"),
        ("hrsp_5xx", "MCP", "u64", "fbs"),
        ("hrsp_other", "MCP", "u64", "fbs"),
        ("hanafail", "MCP", "u64", ""),
        ("req_rate", "MRP", "u32", "fh"),
        ("req_rate_max", "MMP", "u32", "fh"),
        ("req_tot", "MCP", "u64", "fbsh"),
        ("cli_abrt", "MCP", "u64", "bsHS"),
        ("srv_abrt", "MCP", "u64", "bsHS"),
        ("comp_in", "MCP", "u64", "fbhH"),
        ("comp_out", "MCP", "u64", "fbhH"),
        ("comp_byp", "MCP", "u64", "fbhH"),
        ("comp_rsp", "MCP", "u64", "fbhH"),
        ("lastsess", "MAP", "s32", "bsHS"),
        ("last_chk", "MOP", "str", "sS"),
        ("last_agt", "MOP", "str", ""),
        ("qtime", "MaP", "u32", "bsHS"),
        ("ctime", "MaP", "u32", "bsHS"),
        ("rtime", "MaP", "u32", "bsHS"),
        ("ttime", "MaP", "u32", "bsHS"),
        ("agent_status", "MOP", "str", ""),
        ("agent_code", "MOP", "u32", ""),
        ("agent_duration", "MDP", "u64", ""),
        ("check_desc", "MOP", "str", "sS"),
        ("agent_desc", "MOP", "str", ""),
        ("check_rise", "CGS", "u32", "sS"),
        ("check_fall", "CGS", "u32", "sS"),
        ("check_health", "CGS", "u32", "sS"),
        ("agent_rise", "CGS", "u32", ""),
        ("agent_fall", "CGS", "u32", ""),
        ("agent_health", "CGS", "u32", ""),
        ("addr", "CGS", "str", "sSL"),
        ("cookie", "CGS", "str", "sS"),
        ("mode", "CGS", "str", "fbshHSL"),
        ("algo", "CGS", "str", "bH"),
        ("conn_rate", "MRP", "u32", "fh"),
        ("conn_rate_max", "MMP", "u32", "fh"),
        ("conn_tot", "MCP", "u64", "fh"),
        ("intercepted", "MCP", "u64", "f"),
        ("dcon", "MCP", "u64", "fhL"),
        ("dses", "MCP", "u64", "fhL"),
        ("wrew", "MCP", "u64", "fbshHSL"),
        ("connect", "MCP", "u64", "bsHS"),
        ("reuse", "MCP", "u64", "bsHS"),
        ("cache_lookups", "MCP", "u64", "fb"),
        ("cache_hits", "MCP", "u64", "fb"),
        ("srv_icur", "MGP", "u32", "sS"),
        ("src_ilim", "CLP", "u32", ""),
        ("qtime_max", "MMP", "u32", "bsHS"),
        ("ctime_max", "MMP", "u32", "bsHS"),
        ("rtime_max", "MMP", "u32", "bsHS"),
        ("ttime_max", "MMP", "u32", "bsHS"),
        ("eint", "MCP", "u64", "fbshHSL"),
        ("idle_conn_cur", "MGP", "u32", "sS"),
        ("safe_conn_cur", "MGP", "u32", "sS"),
        ("used_conn_cur", "MGP", "u32", "sS"),
        ("need_conn_est", "MGP", "u32", "sS"),
        ("uweight", "MaP", "u32", "bsHS"),
        ("agg_server_status", "MGP", "u32", "bH"),
        ("agg_server_check_status", "MGP", "u32", "bH"),
        ("agg_check_status", "MGP", "u32", "bH"),
        ("-", "KNS", "str", "fbshHSL"),
        ("ssl_sess", "MCP", "u64", "fbshHSL"),
        ("ssl_reused_sess", "MCP", "u64", "fbshHSL"),
        ("ssl_failed_handshake", "MCP", "u64", "fbshHSL"),
        ("h2_headers_rcvd", "MCP", "u64", "fbhH"),
        ("h2_data_rcvd", "MCP", "u64", "fbhH"),
        ("h2_settings_rcvd", "MCP", "u64", "fbhH"),
        ("h2_rst_stream_rcvd", "MCP", "u64", "fbhH"),
        ("h2_goaway_rcvd", "MCP", "u64", "fbhH"),
        ("h2_detected_conn_protocol_errors", "MCP", "u64", "fbhH"),
        ("h2_detected_strm_protocol_errors", "MCP", "u64", "fbhH"),
        ("h2_rst_stream_resp", "MCP", "u64", "fbhH"),
        ("h2_goaway_resp", "MCP", "u64", "fbhH"),
        ("h2_open_connections", "MGP", "u64", "fbhH"),
        ("h2_backend_open_streams", "MGP", "u64", "fbhH"),
        ("h2_total_connections", "MCP", "u64", "fbhH"),
        ("h2_backend_total_streams", "MCP", "u64", "fbhH"),
        ("h1_open_connections", "MGP", "u64", "fbhH"),
        ("h1_open_streams", "MGP", "u64", "fbhH"),
        ("h1_total_connections", "MCP", "u64", "fbhH"),
        ("h1_total_streams", "MCP", "u64", "fbhH"),
        ("h1_bytes_in", "MCP", "u64", "fbhH"),
        ("h1_bytes_out", "MCP", "u64", "fbhH"),
        ("h1_spliced_bytes_in", "MCP", "u64", "fbhH"),
        ("h1_spliced_bytes_out", "MCP", "u64", "fbhH"),
    ]

    private static let byName: [String: StatField] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })

    public init?(name: String) {
        guard let field = Self.byName[name] else { return nil }
        self = field
    }
}
