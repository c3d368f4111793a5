import UsherConfig
import UsherRouting

extension HTTPSessionHandler {
    /// `http-request use-service`: the service answers in place of a server.
    func answer(with service: HTTPService, query: String?, framing: HTTPBodyFraming) {
        switch service {
        case .prometheusExporter:
            let exporter = PrometheusExporter(runtime: runtime)
            guard let bytes = exporter.response(query: query.map { Substring($0) }, method: exchange?.request.method ?? "GET") else {
                // An unknown `scope`: HAProxy's 400, and the connection closes.
                finishWithError(400, termination: TerminationState(.proxy, .request), reason: "unknown scope in the exporter's query")
                return
            }
            // A request body nobody will read cannot be skipped safely: the connection closes.
            replyLocally(status: 200, bytes: bytes, keepAlive: framing == .none && (exchange?.clientKeepAlive ?? false))
        }
    }
}
