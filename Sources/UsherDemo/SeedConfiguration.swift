/// The HAProxy configuration from the seed blog post (../shared/seeds/seed-haproxy.cfg), verbatim,
/// and the demo's copy of it with unprivileged ports.
public enum SeedConfiguration {
    /// The seed's configuration as published.
    public static let original = """
        global
            log 127.0.0.1 local2
            chroot /usr/share/haproxy
            pidfile /run/haproxy.pid
            maxconn 4000
            user haproxy
            group haproxy
            daemon
        defaults
            log global
            option httplog
            option dontlognull
            option http-server-close
            option forwardfor except 127.0.0.0/8
            option redispatch
            retries 3
            timeout http-request 10s
            timeout queue 1m
            timeout connect 10s
            timeout client 1m
            timeout server 1m
            timeout http-keep-alive 10s
            timeout check 10s
            maxconn 3000
        frontend http-in *:80
            mode http
            default_backend servers
        frontend https-in *:443
            mode tcp
            option tcplog
            option socket-stats
            option ssl-hello-chk
            tcp-request inspect-delay 5s
            tcp-request content accept if { req_ssl_hello_type 1 }
            use_backend pumpio-ssl if { req_ssl_sni -i pump2.thisshitistemp.com }
            default_backend servers-ssl
        backend servers
            mode http
            option httpclose
            option forwardfor
            cookie JSESSIONID prefix
            server server1 127.0.0.1:8000 cookie A check
        backend servers-ssl
            server server-ssl1 127.0.0.1:8001 check
        backend pumpio-ssl
            use-server pump if { req_ssl_sni -i pump2.thisshitistemp.com }
            server pump 127.0.0.1:31337 weight 0

        """

    /// The ports the demo uses in place of the seed's.
    public struct Ports: Sendable {
        public var http = 8080
        public var https = 8443
        public var webServer = 8000
        public var webServerTLS = 8001
        public var pumpIO = 31337

        public init() {}
    }

    /// The seed's configuration for the demo: its frontends on 127.0.0.1 and unprivileged ports, its
    /// servers on `ports`, logging to stdout, and without the process settings (chroot, user, group,
    /// daemon, pidfile) that need root or would detach the demo.
    public static func demo(ports: Ports) -> String {
        adapted(ports: ports, log: "log stdout format raw local2   # the seed sends to syslog at 127.0.0.1")
    }

    /// The seed's lines, changed only where running it here requires: frontends on 127.0.0.1 with
    /// `ports` (0 for any free port), servers on `ports`, the global `log` line replaced by `log`
    /// (or left out when nil), and the process settings commented out.
    public static func adapted(ports: Ports, log: String?) -> String {
        var lines: [String] = []
        for line in original.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: " ")
            switch trimmed {
            case "chroot /usr/share/haproxy", "user haproxy", "group haproxy", "daemon", "pidfile /run/haproxy.pid":
                lines.append("    # \(trimmed)   (left out: this runs unprivileged, in the foreground)")
                continue
            case "log 127.0.0.1 local2":
                lines.append("    " + (log ?? "# log 127.0.0.1 local2   (left out)"))
                continue
            default:
                break
            }
            var text = String(line)
            text = text.replacingOccurrences(of: "frontend http-in *:80", with: "frontend http-in 127.0.0.1:\(ports.http)")
            text = text.replacingOccurrences(of: "frontend https-in *:443", with: "frontend https-in 127.0.0.1:\(ports.https)")
            text = text.replacingOccurrences(of: "127.0.0.1:8000", with: "127.0.0.1:\(ports.webServer)")
            text = text.replacingOccurrences(of: "127.0.0.1:8001", with: "127.0.0.1:\(ports.webServerTLS)")
            text = text.replacingOccurrences(of: "127.0.0.1:31337", with: "127.0.0.1:\(ports.pumpIO)")
            lines.append(text)
        }
        return lines.joined(separator: "\n")
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var slice = self
        while slice.first == set { slice.removeFirst() }
        while slice.last == set { slice.removeLast() }
        return String(slice)
    }
}
