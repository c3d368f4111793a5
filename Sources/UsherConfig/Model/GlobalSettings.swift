/// The `global` section.
public struct GlobalSettings: Sendable, Equatable {
    public var logTargets: [LogTarget] = []
    public var logTag: String?
    /// `localpeer NAME`: this instance's name in `peers` sections (`-L` wins over it; the host name is the default).
    public var localPeer: String?
    /// `log-send-hostname`: fills the syslog header's hostname field (and makes it `rfc3164` for
    /// targets without a `format`).
    public var logSendHostname: LogSendHostname?
    public var maxconn: Int?
    public var user: String?
    public var group: String?
    public var uid: Int?
    public var gid: Int?
    public var daemon = false
    public var chroot: String?
    public var pidfile: String?
    public var nbthread: Int?
    /// `cpu-map`: the CPUs each thread (numbered from 1) may run on, for the threads it names.
    public var cpuMap: [Int: Set<Int>] = [:]
    /// `master-worker`: run as a master and a worker (as `-W`).
    public var masterWorker = false
    /// `ulimit-n`: the limit on open files to set at start.
    public var fileDescriptorLimit: Int?
    public var quiet = false
    public var hardStopAfter: Duration?
    /// `grace`: after SIGUSR1, how long the listeners keep accepting before the soft stop.
    public var grace: Duration?
    /// `mworker-max-reloads`: in master-worker mode, how many reloads an old worker that is still
    /// finishing its connections may outlive before the master stops it (SIGTERM).
    public var masterWorkerMaxReloads: Int?
    /// `tune.bufsize`: the largest request or response head, and the inspect buffer.
    public var bufferSize: Int?
    /// `tune.maxrewrite`: room kept free in the buffer for header rewrites; a request head may
    /// use `bufsize - maxrewrite` bytes.
    public var maxRewrite: Int?
    /// `tune.http.maxhdr`: the most header fields in a message.
    public var maxHeaders: Int?
    /// `tune.h2.*`: the SETTINGS usher announces to HTTP/2 clients.
    public var http2 = HTTP2Tuning()
    /// `stats socket`, `stats timeout`, `stats maxconn`: the runtime API.
    public var runtimeAPI = RuntimeAPISettings()
    /// `crt-base`, `ca-base`, `ssl-default-*`, `ssl-server-verify`, `tune.ssl.*`.
    public var tls = GlobalTLSSettings()
    /// `set-var` and `set-var-fmt`: `proc` variables set at start-up, in order.
    public var processVariables: [ProcessVariableSetting] = []
    /// `tune.vars.*-max-size`.
    public var variableLimits = VariableLimits()

    public init() {}
}
