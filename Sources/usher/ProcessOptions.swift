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
