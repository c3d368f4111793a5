import Foundation
import UsherDemo

/// The seed's configuration, verbatim but for the adjustments a test needs: listeners on 127.0.0.1
/// with free ports, servers on the test's peers, syslog to the test's UDP listener, no process
/// settings (chroot, user, group, daemon, pidfile), and optionally a shorter inspect delay.
enum SeedFixture {
    struct Peers {
        var webServer: Int
        var webServerTLS: Int
        var pumpIO: Int
        var syslog: Int?
        var inspectDelay: String = "5s"
    }

    static func configuration(_ peers: Peers) -> String {
        var ports = SeedConfiguration.Ports()
        ports.http = 0
        ports.https = 0
        ports.webServer = peers.webServer
        ports.webServerTLS = peers.webServerTLS
        ports.pumpIO = peers.pumpIO
        return SeedConfiguration.adapted(ports: ports, log: peers.syslog.map { "log 127.0.0.1:\($0) local2" })
            .replacingOccurrences(of: "tcp-request inspect-delay 5s", with: "tcp-request inspect-delay \(peers.inspectDelay)")
    }
}
