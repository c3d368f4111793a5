/// What a health check does once connected.
enum HealthCheckKind: Sendable {
    /// Success is the TCP connection itself (HAProxy's default, Layer 4).
    case tcpConnect
    /// `option ssl-hello-chk`: send an SSLv3 ClientHello, expect an SSL/TLS record back (Layer 6).
    case sslHello
    /// `option httpchk`: send an HTTP request, judge the status (and body) of the answer (Layer 7).
    case http(HTTPCheckProbe)
}
