import UsherRouting

/// What a health check does once connected.
enum HealthCheckKind: Sendable {
    /// Success is the TCP connection itself (HAProxy's default, Layer 4).
    case tcpConnect
    /// `option ssl-hello-chk`: send an SSLv3 ClientHello, expect an SSL/TLS record back (Layer 6).
    case sslHello
    /// `option httpchk`: send an HTTP request, judge the status (and body) of the answer (Layer 7).
    case http(HTTPCheckProbe)
    /// `option tcp-check` with `tcp-check` rules, or a protocol check (`option redis-check`…): a
    /// sequence of connections, sends and expectations (Layer 4 to 7).
    case sequence(TCPCheckProgram)
}
