/// What one proxy did with one scenario: what each origin received and what each client got back,
/// normalized so that two runs (HAProxy's, usher's) compare line by line.
struct Observation: Sendable {
    struct Origin: Sendable {
        var name: String
        var requests: [RecordingOrigin.Request]
        /// Connections that brought bytes (probes and TCP health checks send none).
        var connections: Int
        var bytes: Int
        var unparsable: [String]
    }

    struct Client: Sendable {
        var responses: [HTTPWire.Message]
        var end: ClientEnd
        var problems: [String]
        /// Bytes each origin had received when this client was done.
        var originBytesAfter: [Int]
    }

    var proxy: ProxyKind
    var origins: [Origin]
    var clients: [Client]
    /// Turns the run's ports back into placeholders.
    var normalize: @Sendable (String) -> String

    /// Final responses of client `index`.
    func finalResponses(client index: Int = 0) -> [HTTPWire.Message] {
        index < clients.count ? clients[index].responses.filter { !(100..<200).contains($0.status) } : []
    }

    /// All requests every origin received, origin by origin.
    var allOriginRequests: [RecordingOrigin.Request] { origins.flatMap(\.requests) }

    /// Bytes all origins received from client `index` (between its start and its end).
    func originBytes(fromClient index: Int) -> Int {
        let after = clients[index].originBytesAfter.reduce(0, +)
        let before = index == 0 ? 0 : clients[index - 1].originBytesAfter.reduce(0, +)
        return after - before
    }

    /// The comparable lines. Field names are lowercased and fields stably sorted by name (HTTP
    /// names are case-insensitive and HAProxy lowercases them; order across names carries no
    /// meaning, order within a name does); `date` fields are left out.
    var lines: [String] {
        var lines: [String] = []
        for origin in origins {
            lines.append("\(origin.name): \(origin.connections) connection(s) with bytes")
            for (number, request) in origin.requests.enumerated() {
                let prefix = "\(origin.name) request \(number + 1)"
                lines.append("\(prefix) on connection \(request.connection + 1): \(HTTPWire.printable(request.message.startLine))")
                lines += Self.fieldLines(request.message.fields, prefix: "\(prefix) field")
                lines += Self.fieldLines(request.message.trailers, prefix: "\(prefix) trailer")
                lines.append("\(prefix) body (\(request.message.framing)): \(Self.bodyText(request.message.body))")
            }
            for problem in origin.unparsable { lines.append("\(origin.name) could not read: \(problem)") }
        }
        for (number, client) in clients.enumerated() {
            let clientPrefix = clients.count == 1 ? "client" : "client \(number + 1)"
            for (index, response) in client.responses.enumerated() {
                let prefix = "\(clientPrefix) response \(index + 1)"
                lines.append("\(prefix): \(HTTPWire.printable(response.startLine))")
                lines += Self.fieldLines(response.fields, prefix: "\(prefix) field")
                lines += Self.fieldLines(response.trailers, prefix: "\(prefix) trailer")
                if response.framing != .none || !response.body.isEmpty {
                    lines.append("\(prefix) body (\(response.framing)): \(Self.bodyText(response.body))")
                }
            }
            for problem in client.problems { lines.append("\(clientPrefix) problem: \(problem)") }
            lines.append("\(clientPrefix) connection: \(client.end.rawValue)")
        }
        return lines.map(normalize)
    }

    static func fieldLines(_ fields: [HTTPWire.Field], prefix: String) -> [String] {
        let lowered = fields.map { HTTPWire.Field($0.name.lowercased(), $0.value) }.filter { $0.name != "date" }
        let sorted = lowered.enumerated().sorted { ($0.element.name, $0.offset) < ($1.element.name, $1.offset) }.map(\.element)
        return sorted.map { "\(prefix): \(HTTPWire.printable($0.name)): \(HTTPWire.printable($0.value))" }
    }

    /// A body as quoted text, or for a long one its length, a checksum and its start.
    static func bodyText(_ body: [UInt8]) -> String {
        guard body.count > 256 else { return "\"" + HTTPWire.printable(body) + "\"" }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "\(body.count) bytes, FNV-1a \(String(hash, radix: 16)), starting \"\(HTTPWire.printable(body.prefix(32)))\""
    }

    var report: String {
        lines.map { "    " + $0 }.joined(separator: "\n")
    }
}

/// A deliberate difference between usher and HAProxy 2.6: observation lines starting with
/// `linePrefix` are left out of the comparison, for `reason` (to be listed in
/// docs/differences-from-haproxy.md).
struct Deviation: Sendable {
    var linePrefix: String
    var reason: String
}

/// A line diff of two observations, for a readable failure message.
enum ObservationDiff {
    /// Lines only in `left` marked `-`, only in `right` marked `+`, common ones left out; empty when equal.
    static func diff(_ left: [String], _ right: [String], leftName: String, rightName: String) -> String? {
        guard left != right else { return nil }
        // Longest common subsequence on lines; observations are short.
        let n = left.count, m = right.count
        var table = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i][j] = left[i] == right[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var output = ["--- \(leftName)", "+++ \(rightName)"]
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, left[i] == right[j] {
                i += 1
                j += 1
            } else if j < m, i == n || table[i][j + 1] >= table[i + 1][j] {
                output.append("+ " + right[j])
                j += 1
            } else {
                output.append("- " + left[i])
                i += 1
            }
        }
        return output.joined(separator: "\n")
    }

    static func comparable(_ lines: [String], _ deviations: [Deviation]) -> [String] {
        lines.filter { line in !deviations.contains { line.hasPrefix($0.linePrefix) } }
    }
}
