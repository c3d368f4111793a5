/// An expectation about an observation, written in the scenario tables. The same checks hold for
/// HAProxy 2.6 (they record what it does) and for usher, unless a scenario gives usher its own.
/// Indexes (`client`, `request`, `response`, `origin`) count from 0.
enum ObservationCheck: Sendable, CustomStringConvertible {
    /// The final (non-1xx) statuses client `client` got, in order.
    case statuses([Int], client: Int = 0)
    /// The final statuses are one of these lists: where HAProxy 2.6's outcome depends on timing
    /// (each list is one outcome seen in repeated runs).
    case statusesAmong([[Int]], client: Int = 0)
    /// The interim (1xx) statuses client `client` got.
    case interim([Int], client: Int = 0)
    /// The request lines origin `origin` received, in order.
    case requestLines([String], origin: Int = 0)
    /// The values of field `name` in request `request` at origin `origin` (empty: absent).
    case originField(String, [String], request: Int = 0, origin: Int = 0)
    /// Like `originField`, with each run of spaces and tabs in the values taken as one space
    /// (for obs-fold, which a proxy may replace with one or more spaces).
    case originFieldWords(String, [String], request: Int = 0, origin: Int = 0)
    /// Some origin received a request with this start line.
    case someOriginReceived(String)
    /// The raw head of a request at an origin does not contain `bytes` (one character per byte).
    case originHeadLacks(String, request: Int = 0, origin: Int = 0)
    /// The (de-chunked) body of a request at an origin.
    case originBody(String, request: Int = 0, origin: Int = 0)
    /// How a request's body was framed at the origin.
    case originFraming(HTTPWire.Framing, request: Int = 0, origin: Int = 0)
    /// The values of field `name` in final response `response` of client `client` (empty: absent).
    case responseField(String, [String], response: Int = 0, client: Int = 0)
    /// The body of a final response.
    case responseBody(String, response: Int = 0, client: Int = 0)
    /// How the proxy framed a final response.
    case responseFraming(HTTPWire.Framing, response: Int = 0, client: Int = 0)
    /// How client `client`'s connection ended.
    case clientEnd(ClientEnd, client: Int = 0)
    /// Connections origin `origin` got that carried bytes.
    case originConnections(Int, origin: Int = 0)
    /// Nothing of what client `client` sent reached any origin.
    case nothingForwarded(fromClient: Int = 0)
    /// Client `client` got no unreadable bytes and no timeout.
    case noClientProblems(client: Int = 0)

    var description: String {
        switch self {
        case .statuses(let statuses, let client): "client \(client + 1) final statuses \(statuses)"
        case .statusesAmong(let outcomes, let client): "client \(client + 1) final statuses one of \(outcomes)"
        case .interim(let statuses, let client): "client \(client + 1) interim statuses \(statuses)"
        case .requestLines(let lines, let origin): "origin\(origin) request lines \(lines)"
        case .originField(let name, let values, let request, let origin): "origin\(origin) request \(request + 1) field \(name) = \(values)"
        case .originFieldWords(let name, let values, let request, let origin): "origin\(origin) request \(request + 1) field \(name) ≈ \(values)"
        case .someOriginReceived(let line): "some origin received \(line.debugDescription)"
        case .originHeadLacks(let bytes, let request, let origin): "origin\(origin) request \(request + 1) head without \"\(HTTPWire.printable(bytes))\""
        case .originBody(let body, let request, let origin): "origin\(origin) request \(request + 1) body \(body.debugDescription)"
        case .originFraming(let framing, let request, let origin): "origin\(origin) request \(request + 1) framing \(framing)"
        case .responseField(let name, let values, let response, let client): "client \(client + 1) response \(response + 1) field \(name) = \(values)"
        case .responseBody(let body, let response, let client): "client \(client + 1) response \(response + 1) body \(body.debugDescription)"
        case .responseFraming(let framing, let response, let client): "client \(client + 1) response \(response + 1) framing \(framing)"
        case .clientEnd(let end, let client): "client \(client + 1) connection \(end.rawValue)"
        case .originConnections(let count, let origin): "origin\(origin) connections with bytes \(count)"
        case .nothingForwarded(let client): "nothing from client \(client + 1) forwarded"
        case .noClientProblems(let client): "client \(client + 1) without problems"
        }
    }

    /// Nil if the observation satisfies the check, else what was seen instead.
    func failure(in observation: Observation) -> String? {
        func request(_ origin: Int, _ index: Int) -> HTTPWire.Message? {
            guard origin < observation.origins.count, index < observation.origins[origin].requests.count else { return nil }
            return observation.origins[origin].requests[index].message
        }
        func response(_ client: Int, _ index: Int) -> HTTPWire.Message? {
            let responses = observation.finalResponses(client: client)
            return index < responses.count ? responses[index] : nil
        }
        func mismatch<T: Equatable>(_ seen: T, _ wanted: T) -> String? {
            seen == wanted ? nil : "expected \(description), saw \(seen)"
        }
        switch self {
        case .statuses(let statuses, let client):
            return mismatch(observation.finalResponses(client: client).map(\.status), statuses)
        case .statusesAmong(let outcomes, let client):
            let seen = observation.finalResponses(client: client).map(\.status)
            return outcomes.contains(seen) ? nil : "expected \(description), saw \(seen)"
        case .interim(let statuses, let client):
            let seen = client < observation.clients.count ? observation.clients[client].responses.map(\.status).filter { (100..<200).contains($0) } : []
            return mismatch(seen, statuses)
        case .requestLines(let lines, let origin):
            let seen = origin < observation.origins.count ? observation.origins[origin].requests.map(\.message.startLine) : []
            return mismatch(seen, lines)
        case .originField(let name, let values, let index, let origin):
            guard let message = request(origin, index) else { return "expected \(description), but there is no such request" }
            return mismatch(message.values(name), values)
        case .originFieldWords(let name, let values, let index, let origin):
            guard let message = request(origin, index) else { return "expected \(description), but there is no such request" }
            let collapsed = message.values(name).map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
            return mismatch(collapsed, values)
        case .originHeadLacks(let text, let index, let origin):
            guard let message = request(origin, index) else { return "expected \(description), but there is no such request" }
            let raw = message.raw.prefix(HTTPWire.headEnd(message.raw[...]) ?? message.raw.count)
            let needle = HTTPWire.bytes(text)
            let found = raw.count >= needle.count && (0...(raw.count - needle.count)).contains { Array(raw.dropFirst($0).prefix(needle.count)) == needle }
            return found ? "expected \(description), saw \"\(HTTPWire.printable(raw))\"" : nil
        case .someOriginReceived(let line):
            let seen = observation.allOriginRequests.map(\.message.startLine)
            return seen.contains(line) ? nil : "expected \(description), saw \(seen)"
        case .originBody(let body, let index, let origin):
            guard let message = request(origin, index) else { return "expected \(description), but there is no such request" }
            return mismatch(HTTPWire.text(message.body), body)
        case .originFraming(let framing, let index, let origin):
            guard let message = request(origin, index) else { return "expected \(description), but there is no such request" }
            return mismatch(message.framing, framing)
        case .responseField(let name, let values, let index, let client):
            guard let message = response(client, index) else { return "expected \(description), but there is no such response" }
            return mismatch(message.values(name), values)
        case .responseBody(let body, let index, let client):
            guard let message = response(client, index) else { return "expected \(description), but there is no such response" }
            return mismatch(HTTPWire.text(message.body), body)
        case .responseFraming(let framing, let index, let client):
            guard let message = response(client, index) else { return "expected \(description), but there is no such response" }
            return mismatch(message.framing, framing)
        case .clientEnd(let end, let client):
            guard client < observation.clients.count else { return "expected \(description), but there is no such client" }
            return mismatch(observation.clients[client].end, end)
        case .originConnections(let count, let origin):
            return mismatch(origin < observation.origins.count ? observation.origins[origin].connections : 0, count)
        case .nothingForwarded(let client):
            guard client < observation.clients.count else { return "expected \(description), but there is no such client" }
            let bytes = observation.originBytes(fromClient: client)
            return bytes == 0 ? nil : "expected \(description), but the origins received \(bytes) bytes"
        case .noClientProblems(let client):
            guard client < observation.clients.count else { return "expected \(description), but there is no such client" }
            return mismatch(observation.clients[client].problems, [])
        }
    }
}
