// Keyword names known to HAProxy 2.6 (Debian 2.6.12), used by usher to tell
// "HAProxy has this keyword but usher does not support it yet" apart from
// "unknown keyword" (typo). Names only. Sources: the keyword lists and the
// proxy keyword matrix of HAProxy 2.6's configuration manual, cross-checked
// against the running binary (`haproxy -dKcfg|-dKsmp|-dKacl`) and by feeding
// each candidate to `haproxy -c` (see docs/haproxy-reference-observations.md).
// Public because UsherRouting reads sampleFetches.
// Generated; do not hand-edit the lists without re-checking against 2.6.

public enum HAProxyKeywords {

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

    /// Every `http-request` action of 2.6, as listed by the 2.6.12 binary for an unknown action.
    /// Actions written with parentheses (`set-var(txn.x)`) or a number (`track-sc0`) are in
    /// `httpActionPrefixes`; Lua actions start with `lua.`.
    public static let httpRequestActions: Set<String> = [
        "add-header", "allow", "auth", "cache-use", "capture", "del-header", "deny", "disable-l7-retry",
        "early-hint", "normalize-uri", "ot-group", "redirect", "reject", "replace-header", "replace-path",
        "replace-pathq", "replace-uri", "replace-value", "return", "send-spoe-group", "set-dst",
        "set-dst-port", "set-header", "set-log-level", "set-mark", "set-method", "set-nice", "set-path",
        "set-pathq", "set-priority-class", "set-priority-offset", "set-query", "set-src", "set-src-port",
        "set-timeout", "set-tos", "set-uri", "silent-drop", "strict-mode", "tarpit", "use-service",
        "wait-for-body", "wait-for-handshake"
    ]

    /// Every `http-response` action of 2.6 (same source and conventions as `httpRequestActions`).
    public static let httpResponseActions: Set<String> = [
        "add-header", "allow", "cache-store", "capture", "del-header", "deny", "ot-group", "redirect",
        "replace-header", "replace-value", "return", "send-spoe-group", "set-header", "set-log-level",
        "set-mark", "set-nice", "set-status", "set-tos", "silent-drop", "strict-mode", "wait-for-body"
    ]

    /// Beginnings of 2.6 `http-request`/`http-response` actions that carry arguments in their name:
    /// `set-var(txn.x)`, `sc-inc-gpc0(0)`, `track-sc1`, `lua.my_action`.
    public static let httpActionPrefixes: [String] = [
        "add-acl(", "del-acl(", "del-map(", "set-map(", "set-var(", "set-var-fmt(", "unset-var(",
        "sc-inc-gpc(", "sc-inc-gpc0(", "sc-inc-gpc1(", "sc-set-gpt(", "sc-set-gpt0(", "do-resolve(",
        "track-sc", "lua."
    ]

    /// Every `http-check` keyword of 2.6 (`set-var(…)`, `set-var-fmt(…)`, `unset-var(…)` with arguments).
    public static let httpCheck: Set<String> = [
        "comment", "connect", "disable-on-404", "expect", "send", "send-state", "set-var", "set-var-fmt", "unset-var"
    ]

    /// `option X` names 2.6 rejects as no longer supported (fatal).
    public static let removedOptions: Set<String> = [
        "forceclose", "http-tunnel", "http_proxy"
    ]

    /// Every `timeout X` name of 2.6.
    public static let timeout: Set<String> = [
        "client", "server", "connect", "check", "queue", "http-keep-alive", "http-request",
        "tunnel", "tarpit", "client-fin", "server-fin"
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
}
