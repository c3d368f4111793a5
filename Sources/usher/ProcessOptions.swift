import UsherConfig

/// Process settings from the `global` section, overridden by command-line flags.
struct ProcessOptions {
    var daemon: Bool
    var pidfile: String?
    var user: String?
    var group: String?
    var uid: Int?
    var gid: Int?
    var chroot: String?
    /// `-x SOCKET`: the running process's runtime API, to take its listening sockets over.
    var takeOverSocket: String?
    /// A master's worker: its own hand-over socket, for the next worker's `-x`.
    var handOverSocket: String?
    /// `-sf PID…`: processes told to finish (SIGUSR1) once this one listens; `-st PID…`: stopped (SIGTERM).
    var softStopPIDs: [Int32] = []
    var hardStopPIDs: [Int32] = []
    /// `-d`: usher's debug messages are printed too.
    var debugOutput = false
    /// `-f`, and `-L`: what a reload in place (SIGUSR2, SIGHUP) reads again.
    var configurationFiles: [String] = []
    var localPeerName: String?
    /// `-q`: warnings of a reloaded file are not printed.
    var quiet = false

    init(configuration: Configuration) {
        let global = configuration.global
        daemon = global.daemon
        pidfile = global.pidfile
        user = global.user
        group = global.group
        uid = global.uid
        gid = global.gid
        chroot = global.chroot
    }
}
