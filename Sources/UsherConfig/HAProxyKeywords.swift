// Keyword names known to HAProxy 2.6 (Debian 2.6.12), used by usher to tell
// "HAProxy has this keyword but usher does not support it yet" apart from
// "unknown keyword" (typo). Names only. Sources: the keyword lists and the
// proxy keyword matrix of HAProxy 2.6's configuration manual, cross-checked
// against the running binary (`haproxy -dKcfg|-dKsmp|-dKacl`) and by feeding
// each candidate to `haproxy -c` (see docs/haproxy-reference-observations.md).
// Public because UsherRouting reads sampleFetches.
// Generated; do not hand-edit the lists without re-checking against 2.6.

public enum HAProxyKeywords {
    /// Where a proxy keyword takes effect, from the 2.6 keyword matrix
    /// (columns defaults / frontend / listen / backend; "X" = true, "-" = false).
    public struct Capability: Equatable, Sendable {
        public let defaults: Bool
        public let frontend: Bool
        public let listen: Bool
        public let backend: Bool
        /// Marked "(*)": may be inverted with the "no" prefix (and reset with "default").
        public let negatable: Bool
        /// Marked "(!)": in a defaults section only when the section is named.
        public let namedDefaultsOnly: Bool
        /// Marked "(deprecated)".
        public let deprecated: Bool

        public init(_ defaults: Bool, _ frontend: Bool, _ listen: Bool, _ backend: Bool,
             negatable: Bool = false, namedDefaultsOnly: Bool = false, deprecated: Bool = false) {
            self.defaults = defaults
            self.frontend = frontend
            self.listen = listen
            self.backend = backend
            self.negatable = negatable
            self.namedDefaultsOnly = namedDefaultsOnly
            self.deprecated = deprecated
        }
    }

    /// Section keywords accepted at the top level of a 2.6 configuration file.
    public static let sections: Set<String> = [
        "global", "defaults", "frontend", "backend", "listen", "resolvers", "peers", "userlist",
        "mailers", "cache", "program", "http-errors", "ring", "log-forward", "fcgi-app",
        "namespace_list"
    ]

    /// Every "global" section keyword of 2.6. Includes keywords only available in builds with
    /// optional features (51degrees-*, deviceatlas-*, wurfl-*, ssl-engine, tune.quic.*, tune.zlib.*,
    /// profiling.memory): Debian's 2.6.12 binary reports those as unknown.
    public static let global: Set<String> = [
        "51degrees-cache-size", "51degrees-data-file", "51degrees-property-name-list",
        "51degrees-property-separator", "busy-polling", "ca-base", "chroot", "close-spread-time",
        "cluster-secret", "cpu-map", "crt-base", "daemon", "default-path", "description",
        "deviceatlas-json-file", "deviceatlas-log-level", "deviceatlas-properties-cookie",
        "deviceatlas-property-separator", "deviceatlas-separator",
        "expose-experimental-directives", "external-check", "fd-hard-limit", "gid", "grace",
        "group", "h1-accept-payload-with-any-method", "h1-case-adjust", "h1-case-adjust-file",
        "h2-workaround-bogus-websocket-clients", "hard-stop-after", "httpclient.resolvers.id",
        "httpclient.resolvers.prefer", "httpclient.ssl.ca-file", "httpclient.ssl.verify",
        "insecure-fork-wanted", "insecure-setuid-wanted", "issuers-chain-path", "localpeer", "log",
        "log-send-hostname", "log-tag", "lua-load", "lua-load-per-thread", "lua-prepend-path",
        "master-worker", "max-spread-checks", "maxcompcpuusage", "maxcomprate", "maxconn",
        "maxconnrate", "maxpipes", "maxsessrate", "maxsslconn", "maxsslrate", "maxzlibmem",
        "mworker-max-reloads", "nbthread", "no-memory-trimming", "node", "noepoll", "noevports",
        "nogetaddrinfo", "nokqueue", "nopoll", "noreuseport", "nosplice", "numa-cpu-mapping",
        "pidfile", "pp2-never-send-local", "presetenv", "profiling.memory", "profiling.tasks",
        "quiet", "resetenv", "server-state-base", "server-state-file", "set-dumpable", "set-var",
        "set-var-fmt", "setenv", "spread-checks", "ssl-default-bind-ciphers",
        "ssl-default-bind-ciphersuites", "ssl-default-bind-curves", "ssl-default-bind-options",
        "ssl-default-server-ciphers", "ssl-default-server-ciphersuites",
        "ssl-default-server-options", "ssl-dh-param-file", "ssl-engine", "ssl-load-extra-del-ext",
        "ssl-load-extra-files", "ssl-mode-async", "ssl-propquery", "ssl-provider",
        "ssl-provider-path", "ssl-server-verify", "ssl-skip-self-issued-ca", "stats",
        "strict-limits", "thread-group", "thread-groups", "tune.buffers.limit",
        "tune.buffers.reserve", "tune.bufsize", "tune.comp.maxlevel", "tune.fail-alloc",
        "tune.fd.edge-triggered", "tune.h2.header-table-size", "tune.h2.initial-window-size",
        "tune.h2.max-concurrent-streams", "tune.h2.max-frame-size", "tune.http.cookielen",
        "tune.http.logurilen", "tune.http.maxhdr", "tune.idle-pool.shared", "tune.idletimer",
        "tune.listener.multi-queue", "tune.lua.forced-yield", "tune.lua.maxmem",
        "tune.lua.service-timeout", "tune.lua.session-timeout", "tune.lua.task-timeout",
        "tune.maxaccept", "tune.maxpollevents", "tune.maxrewrite", "tune.pattern.cache-size",
        "tune.peers.max-updates-at-once", "tune.pipesize", "tune.pool-high-fd-ratio",
        "tune.pool-low-fd-ratio", "tune.quic.frontend.conn-tx-buffers.limit",
        "tune.quic.frontend.max-idle-timeout", "tune.quic.frontend.max-streams-bidi",
        "tune.quic.retry-threshold", "tune.rcvbuf.client", "tune.rcvbuf.server",
        "tune.recv_enough", "tune.runqueue-depth", "tune.sched.low-latency", "tune.sndbuf.client",
        "tune.sndbuf.server", "tune.ssl.cachesize", "tune.ssl.capture-buffer-size",
        "tune.ssl.capture-cipherlist-size", "tune.ssl.default-dh-param",
        "tune.ssl.force-private-cache", "tune.ssl.hard-maxrecord", "tune.ssl.keylog",
        "tune.ssl.lifetime", "tune.ssl.maxrecord", "tune.ssl.ssl-ctx-cache-size",
        "tune.vars.check-max-size", "tune.vars.global-max-size", "tune.vars.proc-max-size",
        "tune.vars.reqres-max-size", "tune.vars.sess-max-size", "tune.vars.txn-max-size",
        "tune.zlib.memlevel", "tune.zlib.windowsize", "uid", "ulimit-n", "unix-bind", "unsetenv",
        "user", "wurfl-cache-size", "wurfl-data-file", "wurfl-engine-mode",
        "wurfl-information-list", "wurfl-information-list-separator", "wurfl-patch-file",
        "wurfl-useragent-priority", "zero-warning"
    ]

    /// Global keywords that accept the "no" prefix (per haproxy 2.6 error message).
    public static let globalNegatable: Set<String> = [
        "busy-polling", "insecure-fork-wanted", "numa-cpu-mapping", "set-dumpable",
        "strict-limits"
    ]

    /// Global keywords 2.6 recognises only to reject them as no longer supported (fatal).
    public static let removedGlobal: Set<String> = [
        "nbproc", "tune.chksize"
    ]

    /// First word of every keyword valid in defaults/frontend/listen/backend sections.
    /// "no" and "default" are prefixes (e.g. "no option httpclose"), not keywords on their own.
    public static let proxy: Set<String> = [
        "acl", "backlog", "balance", "bind", "bind-process", "capture", "clitcpka-cnt",
        "clitcpka-idle", "clitcpka-intvl", "compression", "cookie", "declare", "default",
        "default-server", "default_backend", "description", "disabled", "dispatch",
        "dynamic-cookie-key", "email-alert", "enabled", "error-log-format", "errorfile",
        "errorfiles", "errorloc", "errorloc302", "errorloc303", "external-check", "filter",
        "force-persist", "fullconn", "hash-balance-factor", "hash-type", "http-after-response",
        "http-check", "http-error", "http-request", "http-response", "http-reuse",
        "http-send-name-header", "id", "ignore-persist", "load-server-state-from-file", "log",
        "log-format", "log-format-sd", "log-tag", "max-keep-alive-queue", "max-session-srv-conns",
        "maxconn", "mode", "monitor", "monitor-uri", "no", "option", "persist", "rate-limit",
        "redirect", "retries", "retry-on", "server", "server-state-file-name", "server-template",
        "source", "srvtcpka-cnt", "srvtcpka-idle", "srvtcpka-intvl", "stats", "stick",
        "stick-table", "tcp-check", "tcp-request", "tcp-response", "timeout", "transparent",
        "unique-id-format", "unique-id-header", "use-fcgi-app", "use-server", "use_backend"
    ]

    /// Proxy keywords 2.6 recognises only to reject them with a "not supported anymore" alert (fatal).
    /// ("bind-process" is still accepted, with a deprecation warning.)
    public static let removedProxy: Set<String> = [
        "appsession", "block", "cliexp", "clitimeout", "contimeout", "grace", "monitor-net",
        "redisp", "redispatch", "reqadd", "reqallow", "reqdel", "reqdeny", "reqiallow", "reqidel",
        "reqideny", "reqipass", "reqirep", "reqitarpit", "reqpass", "reqrep", "reqtarpit",
        "rspadd", "rspdel", "rspdeny", "rspidel", "rspideny", "rspirep", "rsprep", "srvexp",
        "srvtimeout"
    ]

    /// Every `option X` name of 2.6.
    public static let option: Set<String> = [
        "abortonclose", "accept-invalid-http-request", "accept-invalid-http-response",
        "allbackups", "checkcache", "clitcpka", "contstats", "disable-h2-upgrade",
        "dontlog-normal", "dontlognull", "external-check", "forwardfor",
        "h1-case-adjust-bogus-client", "h1-case-adjust-bogus-server", "http-buffer-request",
        "http-ignore-probes", "http-keep-alive", "http-no-delay", "http-pretend-keepalive",
        "http-restrict-req-hdr-names", "http-server-close", "http-use-proxy-header", "httpchk",
        "httpclose", "httplog", "httpslog", "idle-close-on-response", "independent-streams",
        "ldap-check", "log-health-checks", "log-separate-errors", "logasap", "mysql-check",
        "nolinger", "originalto", "persist", "pgsql-check", "prefer-last-server", "redis-check",
        "redispatch", "smtpchk", "socket-stats", "splice-auto", "splice-request",
        "splice-response", "spop-check", "srvtcpka", "ssl-hello-chk", "tcp-check",
        "tcp-smart-accept", "tcp-smart-connect", "tcpka", "tcplog", "transparent"
    ]

    /// `option X` names 2.6 rejects as no longer supported (fatal).
    public static let removedOptions: Set<String> = [
        "forceclose", "http-tunnel", "http_proxy"
    ]

    /// Options that 2.6 ignores outside "mode http", observed warning:
    /// `'option X' ignored for <frontend|backend|proxy> 'NAME' as it requires HTTP mode.`
    /// (httplog/httpslog instead fall back to tcplog with their own warning.)
    public static let httpModeOnlyOptions: Set<String> = [
        "accept-invalid-http-request", "accept-invalid-http-response", "checkcache",
        "disable-h2-upgrade", "forwardfor", "http-buffer-request", "http-ignore-probes",
        "http-no-delay", "http-pretend-keepalive", "http-use-proxy-header",
        "idle-close-on-response", "originalto", "prefer-last-server"
    ]

    /// Options the matrix lists for backends but that 2.6 warns about in a backend:
    /// `backend 'NAME' : 'option X' directive is ignored in backends.`
    public static let optionsIgnoredInBackends: Set<String> = [
        "httplog", "httpslog", "tcplog"
    ]

    /// Every `timeout X` name of 2.6.
    public static let timeout: Set<String> = [
        "client", "server", "connect", "check", "queue", "http-keep-alive", "http-request",
        "tunnel", "tarpit", "client-fin", "server-fin"
    ]

    /// Legacy timeout keywords (alone or after `timeout`) that 2.6 rejects as no longer supported.
    public static let removedTimeouts: Set<String> = [
        "clitimeout", "contimeout", "srvtimeout"
    ]

    /// Every bind-line option name of 2.6 (includes quic-* which the Debian build lacks).
    public static let bindOptions: Set<String> = [
        "accept-netscaler-cip", "accept-proxy", "allow-0rtt", "alpn", "backlog", "ca-file",
        "ca-ignore-err", "ca-sign-file", "ca-sign-pass", "ca-verify-file", "ciphers",
        "ciphersuites", "crl-file", "crt", "crt-ignore-err", "crt-list", "curves", "defer-accept",
        "ecdhe", "expose-fd", "force-sslv3", "force-tlsv10", "force-tlsv11", "force-tlsv12",
        "force-tlsv13", "generate-certificates", "gid", "group", "id", "interface", "level",
        "maxconn", "mode", "mss", "name", "namespace", "nice", "no-ca-names", "no-sslv3",
        "no-tls-tickets", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13", "npn",
        "prefer-client-ciphers", "process", "proto", "quic-cc-algo", "quic-force-retry",
        "severity-output", "shards", "ssl", "ssl-max-ver", "ssl-min-ver", "strict-sni", "tcp-ut",
        "tfo", "thread", "tls-ticket-keys", "transparent", "uid", "user", "v4v6", "v6only",
        "verify"
    ]

    /// Every server / default-server option name of 2.6. "no-verifyhost" is documented for 2.6
    /// but rejected as unknown by the 2.6.12 binary.
    public static let serverOptions: Set<String> = [
        "addr", "agent-addr", "agent-check", "agent-inter", "agent-port", "agent-send",
        "allow-0rtt", "alpn", "backup", "ca-file", "check", "check-alpn", "check-proto",
        "check-send-proxy", "check-sni", "check-ssl", "check-via-socks4", "ciphers",
        "ciphersuites", "cookie", "crl-file", "crt", "disabled", "downinter", "enabled",
        "error-limit", "fall", "fastinter", "force-sslv3", "force-tlsv10", "force-tlsv11",
        "force-tlsv12", "force-tlsv13", "id", "init-addr", "inter", "log-proto", "max-reuse",
        "maxconn", "maxqueue", "minconn", "namespace", "no-agent-check", "no-backup", "no-check",
        "no-check-send-proxy", "no-check-ssl", "no-send-proxy", "no-send-proxy-v2",
        "no-send-proxy-v2-ssl", "no-send-proxy-v2-ssl-cn", "no-ssl", "no-ssl-reuse", "no-sslv3",
        "no-tfo", "no-tls-tickets", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13",
        "no-verifyhost", "non-stick", "npn", "observe", "on-error", "on-marked-down",
        "on-marked-up", "pool-low-conn", "pool-max-conn", "pool-purge-delay", "port", "proto",
        "proxy-v2-options", "redir", "resolve-net", "resolve-opts", "resolve-prefer", "resolvers",
        "rise", "send-proxy", "send-proxy-v2", "send-proxy-v2-ssl", "send-proxy-v2-ssl-cn",
        "slowstart", "sni", "socks4", "source", "ssl", "ssl-max-ver", "ssl-min-ver", "ssl-reuse",
        "stick", "tcp-ut", "tfo", "tls-tickets", "track", "usesrc", "verify", "verifyhost",
        "weight", "ws"
    ]

    /// Every sample fetch name of 2.6 plus ACL-only legacy aliases (hdr_beg, path_end, req_ssl_sni, ...).
    /// Includes fetches from optional modules (51d.all, da-csv-fetch, wurfl-get, wurfl-get-all).
    public static let sampleFetches: Set<String> = [
        "51d.all", "always_false", "always_true", "avg_queue", "base", "base32", "base32+src",
        "base_beg", "base_dir", "base_dom", "base_end", "base_len", "base_reg", "base_sub",
        "baseq", "bc_dst", "bc_dst_port", "bc_err", "bc_err_str", "bc_http_major", "bc_src",
        "bc_src_port", "be_conn", "be_conn_free", "be_id", "be_name", "be_server_timeout",
        "be_sess_rate", "be_tunnel_timeout", "bin", "bool", "capture.req.hdr",
        "capture.req.method", "capture.req.uri", "capture.req.ver", "capture.res.hdr",
        "capture.res.ver", "connslots", "cook", "cook_beg", "cook_cnt", "cook_dir", "cook_dom",
        "cook_end", "cook_len", "cook_reg", "cook_sub", "cook_val", "cookie", "cpu_calls",
        "cpu_ns_avg", "cpu_ns_tot", "cur_server_timeout", "cur_tunnel_timeout", "da-csv-fetch",
        "date", "date_us", "distcc_body", "distcc_param", "dst", "dst_conn", "dst_is_local",
        "dst_port", "env", "fc_dst", "fc_dst_is_local", "fc_dst_port", "fc_err", "fc_err_str",
        "fc_fackets", "fc_http_major", "fc_lost", "fc_pp_authority", "fc_pp_unique_id",
        "fc_rcvd_proxy", "fc_reordering", "fc_retrans", "fc_rtt", "fc_rttvar", "fc_sacked",
        "fc_src", "fc_src_is_local", "fc_src_port", "fc_unacked", "fcgi.docroot", "fcgi.index",
        "fe_client_timeout", "fe_conn", "fe_defbe", "fe_id", "fe_name", "fe_req_rate",
        "fe_sess_rate", "hdr", "hdr_beg", "hdr_cnt", "hdr_dir", "hdr_dom", "hdr_end", "hdr_ip",
        "hdr_len", "hdr_reg", "hdr_sub", "hdr_val", "hostname", "http_auth", "http_auth_bearer",
        "http_auth_group", "http_auth_pass", "http_auth_type", "http_auth_user", "http_first_req",
        "int", "internal.htx.data", "internal.htx.free", "internal.htx.free_data",
        "internal.htx.has_eom", "internal.htx.nbblks", "internal.htx.size", "internal.htx.used",
        "internal.htx_blk.data", "internal.htx_blk.hdrname", "internal.htx_blk.hdrval",
        "internal.htx_blk.size", "internal.htx_blk.start_line", "internal.htx_blk.type",
        "internal.strm.is_htx", "ipv4", "ipv6", "last_rule_file", "last_rule_line", "lat_ns_avg",
        "lat_ns_tot", "meth", "method", "nbproc", "nbsrv", "path", "path_beg", "path_dir",
        "path_dom", "path_end", "path_len", "path_reg", "path_sub", "pathq", "payload",
        "payload_lv", "prio_class", "prio_offset", "proc", "query", "queue", "rand", "rdp_cookie",
        "rdp_cookie_cnt", "rep_ssl_hello_type", "req.body", "req.body_len", "req.body_param",
        "req.body_size", "req.cook", "req.cook_cnt", "req.cook_val", "req.fhdr", "req.fhdr_cnt",
        "req.hdr", "req.hdr_cnt", "req.hdr_ip", "req.hdr_names", "req.hdr_val", "req.hdrs",
        "req.hdrs_bin", "req.len", "req.payload", "req.payload_lv", "req.proto_http",
        "req.rdp_cookie", "req.rdp_cookie_cnt", "req.ssl_alpn", "req.ssl_ec_ext",
        "req.ssl_hello_type", "req.ssl_sni", "req.ssl_st_ext", "req.ssl_ver", "req.ver", "req_len",
        "req_proto_http", "req_rdp_cookie", "req_rdp_cookie_cnt", "req_ssl_hello_type",
        "req_ssl_sni", "req_ssl_ver", "req_ver", "res.body", "res.body_len", "res.body_size",
        "res.cache_hit", "res.cache_name", "res.comp", "res.comp_algo", "res.cook", "res.cook_cnt",
        "res.cook_val", "res.fhdr", "res.fhdr_cnt", "res.hdr", "res.hdr_cnt", "res.hdr_ip",
        "res.hdr_names", "res.hdr_val", "res.hdrs", "res.hdrs_bin", "res.len", "res.payload",
        "res.payload_lv", "res.ssl_hello_type", "res.ver", "resp_ver", "sc0_bytes_in_rate",
        "sc0_bytes_out_rate", "sc0_clr_gpc0", "sc0_clr_gpc1", "sc0_conn_cnt", "sc0_conn_cur",
        "sc0_conn_rate", "sc0_get_gpc0", "sc0_get_gpc1", "sc0_get_gpt0", "sc0_gpc0_rate",
        "sc0_gpc1_rate", "sc0_http_err_cnt", "sc0_http_err_rate", "sc0_http_fail_cnt",
        "sc0_http_fail_rate", "sc0_http_req_cnt", "sc0_http_req_rate", "sc0_inc_gpc0",
        "sc0_inc_gpc1", "sc0_kbytes_in", "sc0_kbytes_out", "sc0_sess_cnt", "sc0_sess_rate",
        "sc0_tracked", "sc0_trackers", "sc1_bytes_in_rate", "sc1_bytes_out_rate", "sc1_clr_gpc",
        "sc1_clr_gpc0", "sc1_clr_gpc1", "sc1_conn_cnt", "sc1_conn_cur", "sc1_conn_rate",
        "sc1_get_gpc0", "sc1_get_gpc1", "sc1_get_gpt0", "sc1_gpc0_rate", "sc1_gpc1_rate",
        "sc1_http_err_cnt", "sc1_http_err_rate", "sc1_http_fail_cnt", "sc1_http_fail_rate",
        "sc1_http_req_cnt", "sc1_http_req_rate", "sc1_inc_gpc0", "sc1_inc_gpc1", "sc1_kbytes_in",
        "sc1_kbytes_out", "sc1_sess_cnt", "sc1_sess_rate", "sc1_tracked", "sc1_trackers",
        "sc2_bytes_in_rate", "sc2_bytes_out_rate", "sc2_clr_gpc0", "sc2_clr_gpc1", "sc2_conn_cnt",
        "sc2_conn_cur", "sc2_conn_rate", "sc2_get_gpc0", "sc2_get_gpc1", "sc2_get_gpt0",
        "sc2_gpc0_rate", "sc2_gpc1_rate", "sc2_http_err_cnt", "sc2_http_err_rate",
        "sc2_http_fail_cnt", "sc2_http_fail_rate", "sc2_http_req_cnt", "sc2_http_req_rate",
        "sc2_inc_gpc0", "sc2_inc_gpc1", "sc2_kbytes_in", "sc2_kbytes_out", "sc2_sess_cnt",
        "sc2_sess_rate", "sc2_tracked", "sc2_trackers", "sc_bytes_in_rate", "sc_bytes_out_rate",
        "sc_clr_gpc", "sc_clr_gpc0", "sc_clr_gpc1", "sc_conn_cnt", "sc_conn_cur", "sc_conn_rate",
        "sc_get_gpc", "sc_get_gpc0", "sc_get_gpc1", "sc_get_gpt", "sc_get_gpt0", "sc_gpc0_rate",
        "sc_gpc1_rate", "sc_gpc_rate", "sc_http_err_cnt", "sc_http_err_rate", "sc_http_fail_cnt",
        "sc_http_fail_rate", "sc_http_req_cnt", "sc_http_req_rate", "sc_inc_gpc", "sc_inc_gpc0",
        "sc_inc_gpc1", "sc_kbytes_in", "sc_kbytes_out", "sc_sess_cnt", "sc_sess_rate",
        "sc_tracked", "sc_trackers", "scook", "scook_beg", "scook_cnt", "scook_dir", "scook_dom",
        "scook_end", "scook_len", "scook_reg", "scook_sub", "scook_val", "shdr", "shdr_beg",
        "shdr_cnt", "shdr_dir", "shdr_dom", "shdr_end", "shdr_ip", "shdr_len", "shdr_reg",
        "shdr_sub", "shdr_val", "so_id", "so_name", "src", "src_bytes_in_rate",
        "src_bytes_out_rate", "src_clr_gpc", "src_clr_gpc0", "src_clr_gpc1", "src_conn_cnt",
        "src_conn_cur", "src_conn_rate", "src_get_gpc", "src_get_gpc0", "src_get_gpc1",
        "src_get_gpt", "src_get_gpt0", "src_gpc0_rate", "src_gpc1_rate", "src_gpc_rate",
        "src_http_err_cnt", "src_http_err_rate", "src_http_fail_cnt", "src_http_fail_rate",
        "src_http_req_cnt", "src_http_req_rate", "src_inc_gpc", "src_inc_gpc0", "src_inc_gpc1",
        "src_is_local", "src_kbytes_in", "src_kbytes_out", "src_port", "src_sess_cnt",
        "src_sess_rate", "src_updt_conn_cnt", "srv_conn", "srv_conn_free", "srv_id", "srv_is_up",
        "srv_iweight", "srv_name", "srv_queue", "srv_sess_rate", "srv_uweight", "srv_weight",
        "ssl_bc", "ssl_bc_alg_keysize", "ssl_bc_alpn", "ssl_bc_cipher", "ssl_bc_client_random",
        "ssl_bc_err", "ssl_bc_err_str", "ssl_bc_is_resumed", "ssl_bc_npn", "ssl_bc_protocol",
        "ssl_bc_server_random", "ssl_bc_session_id", "ssl_bc_session_key", "ssl_bc_unique_id",
        "ssl_bc_use_keysize", "ssl_c_ca_err", "ssl_c_ca_err_depth", "ssl_c_chain_der", "ssl_c_der",
        "ssl_c_err", "ssl_c_i_dn", "ssl_c_key_alg", "ssl_c_notafter", "ssl_c_notbefore",
        "ssl_c_s_dn", "ssl_c_serial", "ssl_c_sha1", "ssl_c_sig_alg", "ssl_c_used", "ssl_c_verify",
        "ssl_c_version", "ssl_f_der", "ssl_f_i_dn", "ssl_f_key_alg", "ssl_f_notafter",
        "ssl_f_notbefore", "ssl_f_s_dn", "ssl_f_serial", "ssl_f_sha1", "ssl_f_sig_alg",
        "ssl_f_version", "ssl_fc", "ssl_fc_alg_keysize", "ssl_fc_alpn", "ssl_fc_cipher",
        "ssl_fc_cipherlist_bin", "ssl_fc_cipherlist_hex", "ssl_fc_cipherlist_str",
        "ssl_fc_cipherlist_xxh", "ssl_fc_client_early_traffic_secret",
        "ssl_fc_client_handshake_traffic_secret", "ssl_fc_client_random",
        "ssl_fc_client_traffic_secret_0", "ssl_fc_early_exporter_secret", "ssl_fc_ecformats_bin",
        "ssl_fc_eclist_bin", "ssl_fc_err", "ssl_fc_err_str", "ssl_fc_exporter_secret",
        "ssl_fc_extlist_bin", "ssl_fc_has_crt", "ssl_fc_has_early", "ssl_fc_has_sni",
        "ssl_fc_is_resumed", "ssl_fc_npn", "ssl_fc_protocol", "ssl_fc_protocol_hello_id",
        "ssl_fc_server_handshake_traffic_secret", "ssl_fc_server_random",
        "ssl_fc_server_traffic_secret_0", "ssl_fc_session_id", "ssl_fc_session_key", "ssl_fc_sni",
        "ssl_fc_sni_end", "ssl_fc_sni_reg", "ssl_fc_unique_id", "ssl_fc_use_keysize",
        "ssl_s_chain_der", "ssl_s_der", "ssl_s_i_dn", "ssl_s_key_alg", "ssl_s_notafter",
        "ssl_s_notbefore", "ssl_s_s_dn", "ssl_s_serial", "ssl_s_sha1", "ssl_s_sig_alg",
        "ssl_s_version", "status", "stopping", "str", "table_avl", "table_cnt", "thread",
        "unique-id", "url", "url32", "url32+src", "url_beg", "url_dir", "url_dom", "url_end",
        "url_ip", "url_len", "url_param", "url_port", "url_reg", "url_sub", "urlp", "urlp_beg",
        "urlp_dir", "urlp_dom", "urlp_end", "urlp_len", "urlp_reg", "urlp_sub", "urlp_val", "uuid",
        "var", "wait_end", "wurfl-get", "wurfl-get-all"
    ]

    /// ACL names predefined by 2.6 (usable without an `acl` line).
    public static let predefinedACLs: Set<String> = [
        "FALSE", "HTTP", "HTTP_1.0", "HTTP_1.1", "HTTP_2.0", "HTTP_CONTENT", "HTTP_URL_ABS",
        "HTTP_URL_SLASH", "HTTP_URL_STAR", "LOCALHOST", "METH_CONNECT", "METH_DELETE", "METH_GET",
        "METH_HEAD", "METH_OPTIONS", "METH_POST", "METH_PUT", "METH_TRACE", "RDP_COOKIE",
        "REQ_CONTENT", "TRUE", "WAIT_END"
    ]

    /// Keyword matrix: key is the keyword as the matrix writes it ("acl", "option ssl-hello-chk",
    /// "timeout client", "stats uri", ...). First words that appear only in multi-word rows
    /// ("option", "timeout", "stats", "tcp-request", ...) also get an entry: the union of their rows.
    /// A few keywords missing from the matrix were added from observed 2.6 behaviour:
    /// dynamic-cookie-key, hash-balance-factor, max-session-srv-conns, stats show-modules,
    /// http-check set-var-fmt, tcp-check set-var-fmt.
    /// Observed deviations (see docs): "option tcplog/httplog/httpslog" warn in backends;
    /// "hash-balance-factor" in a frontend is accepted without warning.
    public static let proxyKeywordCapabilities: [String: Capability] = [
        //                                         defaults frontend listen backend
        "acl":                                     Capability(true, true, true, true, namedDefaultsOnly: true),
        "backlog":                                 Capability(true, true, true, false),
        "balance":                                 Capability(true, false, true, true),
        "bind":                                    Capability(false, true, true, false),
        "bind-process":                            Capability(true, true, true, true),
        "capture":                                 Capability(false, true, true, false),
        "capture cookie":                          Capability(false, true, true, false),
        "capture request header":                  Capability(false, true, true, false),
        "capture response header":                 Capability(false, true, true, false),
        "clitcpka-cnt":                            Capability(true, true, true, false),
        "clitcpka-idle":                           Capability(true, true, true, false),
        "clitcpka-intvl":                          Capability(true, true, true, false),
        "compression":                             Capability(true, true, true, true),
        "cookie":                                  Capability(true, false, true, true),
        "declare":                                 Capability(false, true, true, false),
        "declare capture":                         Capability(false, true, true, false),
        "default-server":                          Capability(true, false, true, true),
        "default_backend":                         Capability(true, true, true, false),
        "description":                             Capability(false, true, true, true),
        "disabled":                                Capability(true, true, true, true),
        "dispatch":                                Capability(false, false, true, true),
        "dynamic-cookie-key":                      Capability(true, false, true, true),
        "email-alert":                             Capability(true, true, true, true),
        "email-alert from":                        Capability(true, true, true, true),
        "email-alert level":                       Capability(true, true, true, true),
        "email-alert mailers":                     Capability(true, true, true, true),
        "email-alert myhostname":                  Capability(true, true, true, true),
        "email-alert to":                          Capability(true, true, true, true),
        "enabled":                                 Capability(true, true, true, true),
        "error-log-format":                        Capability(true, true, true, false),
        "errorfile":                               Capability(true, true, true, true),
        "errorfiles":                              Capability(true, true, true, true),
        "errorloc":                                Capability(true, true, true, true),
        "errorloc302":                             Capability(true, true, true, true),
        "errorloc303":                             Capability(true, true, true, true),
        "external-check":                          Capability(true, false, true, true),
        "external-check command":                  Capability(true, false, true, true),
        "external-check path":                     Capability(true, false, true, true),
        "filter":                                  Capability(false, true, true, true),
        "force-persist":                           Capability(false, false, true, true),
        "fullconn":                                Capability(true, false, true, true),
        "hash-balance-factor":                     Capability(true, false, true, true),
        "hash-type":                               Capability(true, false, true, true),
        "http-after-response":                     Capability(true, true, true, true, namedDefaultsOnly: true),
        "http-check":                              Capability(true, false, true, true),
        "http-check comment":                      Capability(true, false, true, true),
        "http-check connect":                      Capability(true, false, true, true),
        "http-check disable-on-404":               Capability(true, false, true, true),
        "http-check expect":                       Capability(true, false, true, true),
        "http-check send":                         Capability(true, false, true, true),
        "http-check send-state":                   Capability(true, false, true, true),
        "http-check set-var":                      Capability(true, false, true, true),
        "http-check set-var-fmt":                  Capability(true, false, true, true),
        "http-check unset-var":                    Capability(true, false, true, true),
        "http-error":                              Capability(true, true, true, true),
        "http-request":                            Capability(true, true, true, true, namedDefaultsOnly: true),
        "http-response":                           Capability(true, true, true, true, namedDefaultsOnly: true),
        "http-reuse":                              Capability(true, false, true, true),
        "http-send-name-header":                   Capability(true, false, true, true),
        "id":                                      Capability(false, true, true, true),
        "ignore-persist":                          Capability(false, false, true, true),
        "load-server-state-from-file":             Capability(true, false, true, true),
        "log":                                     Capability(true, true, true, true, negatable: true),
        "log-format":                              Capability(true, true, true, false),
        "log-format-sd":                           Capability(true, true, true, false),
        "log-tag":                                 Capability(true, true, true, true),
        "max-keep-alive-queue":                    Capability(true, false, true, true),
        "max-session-srv-conns":                   Capability(true, true, true, false),
        "maxconn":                                 Capability(true, true, true, false),
        "mode":                                    Capability(true, true, true, true),
        "monitor":                                 Capability(false, true, true, false),
        "monitor fail":                            Capability(false, true, true, false),
        "monitor-uri":                             Capability(true, true, true, false),
        "option":                                  Capability(true, true, true, true),
        "option abortonclose":                     Capability(true, false, true, true, negatable: true),
        "option accept-invalid-http-request":      Capability(true, true, true, false, negatable: true),
        "option accept-invalid-http-response":     Capability(true, false, true, true, negatable: true),
        "option allbackups":                       Capability(true, false, true, true, negatable: true),
        "option checkcache":                       Capability(true, false, true, true, negatable: true),
        "option clitcpka":                         Capability(true, true, true, false, negatable: true),
        "option contstats":                        Capability(true, true, true, false, negatable: true),
        "option disable-h2-upgrade":               Capability(true, true, true, false, negatable: true),
        "option dontlog-normal":                   Capability(true, true, true, false, negatable: true),
        "option dontlognull":                      Capability(true, true, true, false, negatable: true),
        "option external-check":                   Capability(true, false, true, true),
        "option forwardfor":                       Capability(true, true, true, true),
        "option h1-case-adjust-bogus-client":      Capability(true, true, true, false, negatable: true),
        "option h1-case-adjust-bogus-server":      Capability(true, false, true, true, negatable: true),
        "option http-buffer-request":              Capability(true, true, true, true, negatable: true),
        "option http-ignore-probes":               Capability(true, true, true, false, negatable: true),
        "option http-keep-alive":                  Capability(true, true, true, true, negatable: true),
        "option http-no-delay":                    Capability(true, true, true, true, negatable: true),
        "option http-pretend-keepalive":           Capability(true, false, true, true, negatable: true),
        "option http-restrict-req-hdr-names":      Capability(true, true, true, true),
        "option http-server-close":                Capability(true, true, true, true, negatable: true),
        "option http-use-proxy-header":            Capability(true, true, true, false, negatable: true),
        "option httpchk":                          Capability(true, false, true, true),
        "option httpclose":                        Capability(true, true, true, true, negatable: true),
        "option httplog":                          Capability(true, true, true, false),
        "option httpslog":                         Capability(true, true, true, false),
        "option idle-close-on-response":           Capability(true, true, true, false, negatable: true),
        "option independent-streams":              Capability(true, true, true, true, negatable: true),
        "option ldap-check":                       Capability(true, false, true, true),
        "option log-health-checks":                Capability(true, false, true, true, negatable: true),
        "option log-separate-errors":              Capability(true, true, true, false, negatable: true),
        "option logasap":                          Capability(true, true, true, false, negatable: true),
        "option mysql-check":                      Capability(true, false, true, true),
        "option nolinger":                         Capability(true, true, true, true, negatable: true),
        "option originalto":                       Capability(true, true, true, true),
        "option persist":                          Capability(true, false, true, true, negatable: true),
        "option pgsql-check":                      Capability(true, false, true, true),
        "option prefer-last-server":               Capability(true, false, true, true, negatable: true),
        "option redis-check":                      Capability(true, false, true, true),
        "option redispatch":                       Capability(true, false, true, true, negatable: true),
        "option smtpchk":                          Capability(true, false, true, true),
        "option socket-stats":                     Capability(true, true, true, false, negatable: true),
        "option splice-auto":                      Capability(true, true, true, true, negatable: true),
        "option splice-request":                   Capability(true, true, true, true, negatable: true),
        "option splice-response":                  Capability(true, true, true, true, negatable: true),
        "option spop-check":                       Capability(true, false, true, true),
        "option srvtcpka":                         Capability(true, false, true, true, negatable: true),
        "option ssl-hello-chk":                    Capability(true, false, true, true),
        "option tcp-check":                        Capability(true, false, true, true),
        "option tcp-smart-accept":                 Capability(true, true, true, false, negatable: true),
        "option tcp-smart-connect":                Capability(true, false, true, true, negatable: true),
        "option tcpka":                            Capability(true, true, true, true),
        "option tcplog":                           Capability(true, true, true, true),
        "option transparent":                      Capability(true, false, true, true, negatable: true),
        "persist":                                 Capability(true, false, true, true),
        "persist rdp-cookie":                      Capability(true, false, true, true),
        "rate-limit":                              Capability(true, true, true, false),
        "rate-limit sessions":                     Capability(true, true, true, false),
        "redirect":                                Capability(false, true, true, true),
        "retries":                                 Capability(true, false, true, true),
        "retry-on":                                Capability(true, false, true, true),
        "server":                                  Capability(false, false, true, true),
        "server-state-file-name":                  Capability(true, false, true, true),
        "server-template":                         Capability(false, false, true, true),
        "source":                                  Capability(true, false, true, true),
        "srvtcpka-cnt":                            Capability(true, false, true, true),
        "srvtcpka-idle":                           Capability(true, false, true, true),
        "srvtcpka-intvl":                          Capability(true, false, true, true),
        "stats":                                   Capability(true, true, true, true),
        "stats admin":                             Capability(false, true, true, true),
        "stats auth":                              Capability(true, true, true, true),
        "stats enable":                            Capability(true, true, true, true),
        "stats hide-version":                      Capability(true, true, true, true),
        "stats http-request":                      Capability(false, true, true, true),
        "stats realm":                             Capability(true, true, true, true),
        "stats refresh":                           Capability(true, true, true, true),
        "stats scope":                             Capability(true, true, true, true),
        "stats show-desc":                         Capability(true, true, true, true),
        "stats show-legends":                      Capability(true, true, true, true),
        "stats show-modules":                      Capability(true, true, true, true),
        "stats show-node":                         Capability(true, true, true, true),
        "stats uri":                               Capability(true, true, true, true),
        "stick":                                   Capability(false, false, true, true),
        "stick match":                             Capability(false, false, true, true),
        "stick on":                                Capability(false, false, true, true),
        "stick store-request":                     Capability(false, false, true, true),
        "stick store-response":                    Capability(false, false, true, true),
        "stick-table":                             Capability(false, true, true, true),
        "tcp-check":                               Capability(true, false, true, true),
        "tcp-check comment":                       Capability(true, false, true, true),
        "tcp-check connect":                       Capability(true, false, true, true),
        "tcp-check expect":                        Capability(true, false, true, true),
        "tcp-check send":                          Capability(true, false, true, true),
        "tcp-check send-binary":                   Capability(true, false, true, true),
        "tcp-check send-binary-lf":                Capability(true, false, true, true),
        "tcp-check send-lf":                       Capability(true, false, true, true),
        "tcp-check set-var":                       Capability(true, false, true, true),
        "tcp-check set-var-fmt":                   Capability(true, false, true, true),
        "tcp-check unset-var":                     Capability(true, false, true, true),
        "tcp-request":                             Capability(true, true, true, true, namedDefaultsOnly: true),
        "tcp-request connection":                  Capability(true, true, true, false, namedDefaultsOnly: true),
        "tcp-request content":                     Capability(true, true, true, true, namedDefaultsOnly: true),
        "tcp-request inspect-delay":               Capability(true, true, true, true, namedDefaultsOnly: true),
        "tcp-request session":                     Capability(true, true, true, false, namedDefaultsOnly: true),
        "tcp-response":                            Capability(true, false, true, true, namedDefaultsOnly: true),
        "tcp-response content":                    Capability(true, false, true, true, namedDefaultsOnly: true),
        "tcp-response inspect-delay":              Capability(true, false, true, true, namedDefaultsOnly: true),
        "timeout":                                 Capability(true, true, true, true),
        "timeout check":                           Capability(true, false, true, true),
        "timeout client":                          Capability(true, true, true, false),
        "timeout client-fin":                      Capability(true, true, true, false),
        "timeout connect":                         Capability(true, false, true, true),
        "timeout http-keep-alive":                 Capability(true, true, true, true),
        "timeout http-request":                    Capability(true, true, true, true),
        "timeout queue":                           Capability(true, false, true, true),
        "timeout server":                          Capability(true, false, true, true),
        "timeout server-fin":                      Capability(true, false, true, true),
        "timeout tarpit":                          Capability(true, true, true, true),
        "timeout tunnel":                          Capability(true, false, true, true),
        "transparent":                             Capability(true, false, true, true, deprecated: true),
        "unique-id-format":                        Capability(true, true, true, false),
        "unique-id-header":                        Capability(true, true, true, false),
        "use-fcgi-app":                            Capability(false, false, true, true),
        "use-server":                              Capability(false, false, true, true),
        "use_backend":                             Capability(false, true, true, false)
    ]

    /// Capability of `keyword` (first word), refined by `argument` (second word) when the
    /// matrix has a row for the pair (e.g. "option" + "ssl-hello-chk", "timeout" + "client").
    public static func capability(of keyword: String, argument: String? = nil) -> Capability? {
        if let argument, let c = proxyKeywordCapabilities[keyword + " " + argument] {
            return c
        }
        return proxyKeywordCapabilities[keyword]
    }

    /// Capability of `option NAME`.
    public static func optionCapability(_ name: String) -> Capability? {
        proxyKeywordCapabilities["option " + name]
    }
}
