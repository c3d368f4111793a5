/// The text HAProxy 2.6's Prometheus exporter answers with (format 0.0.4), from the statistics
/// rows of the frontends, backends and servers and the process-wide values.
///
/// The layout is HAProxy's, which dashboards do not see but diffs do: scopes in the order
/// process, frontend, listener, backend, server; within a scope, metric by metric (every object's
/// sample of one metric before the next metric); `# HELP` and `# TYPE` only for a metric that has
/// at least one sample; for `http_responses_total` the `code` label varies slowest, for status
/// gauges the `state` label varies fastest.
public enum PrometheusExposition {
    /// The response's `Content-Type`.
    public static let contentType = "text/plain; version=0.0.4"

    /// The exposition for `query`. `rows` are the statistics rows in HAProxy's order (as
    /// `StatsCollector` reads them); the backends' aggregates count every server row of their
    /// proxy, `no-maint` or not.
    public static func render(_ query: PrometheusQuery, process: PrometheusProcessValues, rows: [StatRow]) -> String {
        var output = ""
        output.reserveCapacity(query.scopes.contains(.server) ? 512 + rows.count * 6_000 : 8_192)
        if query.scopes.contains(.global) {
            render(PrometheusMetric.process, scope: "process", objects: [], process: process, into: &output)
        }
        if query.scopes.contains(.frontend) {
            render(PrometheusMetric.frontend, scope: "frontend", objects: rows.filter { $0.kind == .frontend }, into: &output)
        }
        if query.scopes.contains(.listener) {
            render(PrometheusMetric.listener, scope: "listener", objects: rows.filter { $0.kind == .listener }, into: &output)
        }
        if query.scopes.contains(.backend) {
            let servers = rows.filter { $0.kind == .server }
            let serversByProxy = Dictionary(grouping: servers, by: \.proxyName)
            render(PrometheusMetric.backend, scope: "backend", objects: rows.filter { $0.kind == .backend }, serversByProxy: serversByProxy, into: &output)
        }
        if query.scopes.contains(.server) {
            let servers = rows.filter { $0.kind == .server && !(query.excludesMaintenance && serverState($0) == "MAINT") }
            render(PrometheusMetric.server, scope: "server", objects: servers, into: &output)
        }
        return output
    }

    private static func render(
        _ metrics: [PrometheusMetric], scope: String, objects: [StatRow], process: PrometheusProcessValues? = nil,
        serversByProxy: [String: [StatRow]] = [:], into output: inout String
    ) {
        for metric in metrics {
            let name = "haproxy_" + scope + "_" + metric.name
            var samples = ""
            if case .process = metric.source, let process {
                let labels = metric.name == "build_info" ? "{version=\"" + escaped(process.version) + "\"}" : ""
                let value: PrometheusValue = metric.name == "build_info" ? .integer(1) : process[metric.name]
                samples += name + labels + " " + value.text + "\n"
            } else if case .responses = metric.source {
                for (code, field) in PrometheusMetric.responseCodes {
                    for row in objects where !metric.httpOnly || row.isHTTP {
                        samples += name + labels(row, extra: ("code", code)) + " " + value(row[field]).text + "\n"
                    }
                }
            } else {
                for row in objects where !metric.httpOnly || row.isHTTP {
                    for (extra, value) in values(of: metric, for: row, servers: serversByProxy[row.proxyName] ?? []) {
                        samples += name + labels(row, extra: extra) + " " + value.text + "\n"
                    }
                }
            }
            guard !samples.isEmpty else { continue }
            output += "# HELP " + name + " " + metric.help + "\n# TYPE " + name + " " + metric.kind.rawValue + "\n" + samples
        }
    }

    /// The samples one object has for `metric`: none where HAProxy prints none, several for a
    /// metric with a `state` label.
    private static func values(of metric: PrometheusMetric, for row: StatRow, servers: [StatRow]) -> [((String, String)?, PrometheusValue)] {
        switch metric.source {
        case .process, .responses:
            return []
        case .field(let field):
            return [(nil, value(row[field]))]
        case .seconds(let field):
            return [(nil, row[int: field].map(PrometheusValue.milliseconds) ?? .notANumber)]
        case .status:
            let current: String
            let states: [String]
            switch row.kind {
            case .frontend, .backend:
                states = PrometheusMetric.proxyStates
                current = row.kind == .frontend ? (row.status == "STOP" ? "DOWN" : "UP") : (row.status.hasPrefix("UP") ? "UP" : "DOWN")
            case .listener:
                states = PrometheusMetric.listenerStates
                current = ["OPEN", "FULL"].contains(row.status) ? row.status : "WAITING"
            case .server:
                states = PrometheusMetric.serverStates
                current = serverState(row)
            }
            return states.map { (("state", $0), .integer($0 == current ? 1 : 0)) }
        case .checkStatus:
            guard let status = row[.checkStatus]?.text, serverState(row) != "MAINT" else { return [] }
            return PrometheusMetric.checkStates.map { (("state", $0), .integer($0 == status ? 1 : 0)) }
        case .checkCode:
            guard row[.checkStatus] != nil, serverState(row) != "MAINT" else { return [] }
            return [(nil, .integer(row[int: .checkCode] ?? 0))]
        case .checkDuration:
            guard let duration = row[int: .checkDuration] else { return [] }
            return [(nil, .milliseconds(duration))]
        case .aggregatedServerStatus:
            guard !servers.isEmpty else { return [] }
            let states = servers.map(serverState)
            return PrometheusMetric.serverStates.map { state in (("state", state), .integer(states.count { $0 == state })) }
        case .aggregatedCheckStatus:
            guard !servers.isEmpty else { return [] }
            let statuses = servers.compactMap { $0[.checkStatus]?.text }
            return PrometheusMetric.checkStates.map { state in (("state", state), .integer(statuses.count { $0 == state })) }
        }
    }

    private static func value(_ cell: StatValue?) -> PrometheusValue {
        if case .int(let number)? = cell { return .integer(number) }
        return .notANumber
    }

    /// A server's state for the exporter, from its statistics status: `UP 1/3` is still up,
    /// `DOWN 1/2` still down, `no check` up.
    static func serverState(_ row: StatRow) -> String {
        let status = row.status
        for state in ["MAINT", "DRAIN", "NOLB", "DOWN"] where status.hasPrefix(state) { return state }
        return "UP"
    }

    private static func labels(_ row: StatRow, extra: (String, String)?) -> String {
        var text = "{proxy=\"" + escaped(row.proxyName) + "\""
        switch row.kind {
        case .server: text += ",server=\"" + escaped(row.serviceName) + "\""
        case .listener: text += ",listener=\"" + escaped(row.serviceName) + "\""
        case .frontend, .backend: break
        }
        if let (name, value) = extra { text += "," + name + "=\"" + escaped(value) + "\"" }
        return text + "}"
    }

    /// A label value as the text format wants it: backslash, double quote and line feed escaped.
    static func escaped(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var text = ""
        for character in value {
            switch character {
            case "\\": text += "\\\\"
            case "\"": text += "\\\""
            case "\n": text += "\\n"
            default: text.append(character)
            }
        }
        return text
    }
}
