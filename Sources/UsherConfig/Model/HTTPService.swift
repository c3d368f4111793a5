/// A service `http-request use-service NAME` hands a request to: it answers the request itself,
/// in place of a server. HAProxy's services are built in (`prometheus-exporter`) or Lua
/// (`lua.NAME`); usher has no Lua, so the built-in one is all there is.
public enum HTTPService: String, Sendable, Equatable, CaseIterable {
    /// HAProxy's Prometheus exporter: every frontend's, backend's and server's counters in
    /// Prometheus' text format.
    case prometheusExporter = "prometheus-exporter"
}
