/// One sample's value as the exporter prints it.
public enum PrometheusValue: Sendable, Equatable {
    /// A count or a level, printed as an integer.
    case integer(Int)
    /// A duration measured in milliseconds, printed in seconds with six decimals (`0.001000`), as
    /// HAProxy prints its times.
    case milliseconds(Int)
    /// No value: HAProxy prints `NaN` where its statistics field is empty (a server without
    /// `maxconn`, the check counters of an unchecked server…).
    case notANumber

    public var text: String {
        switch self {
        case .integer(let value):
            return String(value)
        case .milliseconds(let value):
            let sign = value < 0 ? "-" : ""
            let magnitude = value.magnitude
            let fraction = String(magnitude % 1000)
            return sign + String(magnitude / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + "000"
        case .notANumber:
            return "NaN"
        }
    }
}

/// The process-wide values of the `global` scope (`haproxy_process_*`), by metric name without
/// its prefix (`uptime_seconds`). A name without a value prints `NaN`.
public struct PrometheusProcessValues: Sendable {
    public var values: [String: PrometheusValue]
    /// The `version` label of `haproxy_process_build_info`.
    public var version: String

    public init(values: [String: PrometheusValue] = [:], version: String) {
        self.values = values
        self.version = version
    }

    public subscript(_ name: String) -> PrometheusValue {
        get { values[name] ?? .notANumber }
        set { values[name] = newValue }
    }
}
