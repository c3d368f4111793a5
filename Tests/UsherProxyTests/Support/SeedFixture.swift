import Foundation
import UsherDemo

/// The seed's configuration, verbatim but for the adjustments a test needs: listeners on 127.0.0.1
/// with free ports, servers on the test's peers, syslog to the test's UDP listener, no process
/// settings (chroot, user, group, daemon, pidfile).
enum SeedFixture {
    struct Peers {
        var webServer: Int
        var webServerTLS: Int
        var pumpIO: Int
        var syslog: Int?
        var inspectDelay: String = "5s"
        /// Extra lines appended to the `frontend https-in` section.
        var httpsFrontendExtras: [String] = []
    }

    static func configuration(_ peers: Peers) -> String {
        var lines: [String] = []
        for line in SeedConfiguration.original.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if ["chroot /usr/share/haproxy", "user haproxy", "group haproxy", "daemon", "pidfile /run/haproxy.pid"].contains(trimmed) {
                continue
            }
            var text = String(line)
            if trimmed == "log 127.0.0.1 local2" {
                text = peers.syslog.map { "    log 127.0.0.1:\($0) local2" } ?? "    # no syslog"
            }
            text = text.replacingOccurrences(of: "frontend http-in *:80", with: "frontend http-in 127.0.0.1:0")
            text = text.replacingOccurrences(of: "frontend https-in *:443", with: "frontend https-in 127.0.0.1:0")
            text = text.replacingOccurrences(of: "127.0.0.1:8000", with: "127.0.0.1:\(peers.webServer)")
            text = text.replacingOccurrences(of: "127.0.0.1:8001", with: "127.0.0.1:\(peers.webServerTLS)")
            text = text.replacingOccurrences(of: "127.0.0.1:31337", with: "127.0.0.1:\(peers.pumpIO)")
            text = text.replacingOccurrences(of: "tcp-request inspect-delay 5s", with: "tcp-request inspect-delay \(peers.inspectDelay)")
            lines.append(text)
            if trimmed == "default_backend servers-ssl" {
                lines += peers.httpsFrontendExtras.map { "    " + $0 }
            }
        }
        return lines.joined(separator: "\n")
    }
}
