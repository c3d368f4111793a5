import UsherConfig

/// A `log-format` string compiled once: literal text, HAProxy's `%` variables (`%ci`, `%ST`,
/// `%{+Q}r`…) and `%[sample]` expressions, rendered per request from its `HTTPLogRecord` (or, in
/// mode tcp, per session from its `TCPLogRecord`).
///
/// Spaces between fields are separators, as in HAProxy: a run of them prints one space, and a
/// field that prints nothing (`%hr` without captures) takes no room, nor does its separator.
public struct LogFormatLine: Sendable {
    enum Piece: Sendable {
        case literal(String)
        /// A run of unescaped spaces.
        case separator
        /// A variable by its HAProxy name, and whether `+Q` (on it, or on `%o` before it) asks for
        /// double quotes around a text and `+X` for hexadecimal addresses, ports and numbers.
        case variable(String, quoted: Bool, hex: Bool)
        case sample(CompiledSample, quoted: Bool)
    }

    /// The variables usher fills in; any other is an error at compile time.
    static let known: Set<String> = [
        "ci", "cp", "fi", "fp", "bi", "bp", "si", "sp", "t", "tr", "ft", "f", "b", "s", "TR", "Tw", "Tc", "Tr", "Ta",
        "Tt", "Th", "Ti", "Tq", "ST", "B", "U", "CC", "CS", "tsc", "ts", "ac", "fc", "bc", "sc", "rc", "sq", "bq",
        "hr", "hs", "hrl", "hsl", "r", "HM", "HU", "HP", "HPO", "HQ", "HV", "ID", "H", "pid", "rt", "ms", "trg", "trl", "o",
        "T", "Tl", "Ts", "Td", "Tu", "sslc", "sslv",
    ]

    /// Variables HAProxy 2.6 documents that usher does not fill in yet: refused, never printed as text.
    static let notYetSupported: Set<String> = ["lc"]

    /// The variables HAProxy refuses in a mode tcp proxy's `log-format` (checked with HAProxy 2.6).
    static let httpOnly: Set<String> = [
        "tr", "trg", "trl", "TR", "Tr", "Ta", "Ti", "Tq", "CC", "CS", "r", "HM", "HU", "HP", "HPO", "HQ", "HV",
    ]

    /// The variables `+Q` quotes: texts. Numbers, dates and termination states never are (HAProxy
    /// 2.6 with `%{+Q}o`: `"127.0.0.1" 33364 "fe" … 200 120 ---- -- … 02/Dec/2026:03:15:06.627`).
    /// The figures that are only "so far" in a line logged early (`option logasap`), marked `+`.
    static let soFar: Set<String> = ["Ta", "Tt", "Tu", "B"]

    /// The variables `+X` prints in hexadecimal: addresses (`7F000001`), ports (`1F90`), and the
    /// accept time, stream number, pid and millisecond.
    static let hexable: Set<String> = ["ci", "cp", "fi", "fp", "bi", "bp", "si", "sp", "Ts", "rt", "pid", "ms"]

    static let quotable: Set<String> = [
        "ci", "fi", "bi", "si", "ft", "f", "b", "s", "H", "ID", "CC", "CS", "hr", "hs", "hrl", "hsl", "r", "HM", "HU", "HP", "HPO", "HQ", "HV", "sslc", "sslv",
    ]

    let pieces: [Piece]

    public init(_ format: String) throws(RoutingError) {
        var pieces: [Piece] = []
        var literal = ""
        var defaultQuote = false
        var defaultHex = false
        let characters = Array(format)
        var index = 0
        func flush() {
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = ""
        }
        while index < characters.count {
            let character = characters[index]
            if character == "\\", index + 1 < characters.count {
                literal.append(characters[index + 1])
                index += 2
                continue
            }
            if character == " " {
                flush()
                if case .separator? = pieces.last {} else { pieces.append(.separator) }
                index += 1
                continue
            }
            guard character == "%" else {
                literal.append(character)
                index += 1
                continue
            }
            index += 1
            guard index < characters.count else { throw RoutingError("'%' at the end of log-format '\(format)'") }
            if characters[index] == "%" {
                literal.append("%")
                index += 1
                continue
            }
            var explicitQuote: Bool? = nil
            var explicitHex: Bool? = nil
            if characters[index] == "{" {
                guard let close = characters[index...].firstIndex(of: "}") else { throw RoutingError("missing '}' in log-format '\(format)'") }
                let options = String(characters[(index + 1)..<close]).split(separator: ",")
                if options.contains("+Q") { explicitQuote = true }
                if options.contains("-Q") { explicitQuote = false }
                if options.contains("+X") { explicitHex = true }
                if options.contains("-X") { explicitHex = false }
                index = close + 1
                guard index < characters.count else { throw RoutingError("'%{…}' without a variable in log-format '\(format)'") }
            }
            flush()
            if characters[index] == "[" {
                guard let close = characters[index...].firstIndex(of: "]") else { throw RoutingError("missing ']' after '%[' in log-format '\(format)'") }
                let body = String(characters[(index + 1)..<close])
                switch SampleExpression.parse(body) {
                case .success(let expression): pieces.append(.sample(try CompiledSample(expression), quoted: explicitQuote ?? defaultQuote))
                case .failure(let error): throw RoutingError(error.message)
                }
                index = close + 1
                continue
            }
            // A name is every letter after the `%`, as HAProxy reads it: `%HPO` is one variable, and
            // `%Twx` an unknown one, never `%Tw` followed by the text `x`.
            var name = ""
            while index < characters.count, characters[index].isASCII, characters[index].isLetter {
                name.append(characters[index])
                index += 1
            }
            guard !name.isEmpty else {
                throw RoutingError("'%' must be followed by a variable name, '[' or '{' in log-format '\(format)' (write '%%' for a '%')")
            }
            guard Self.known.contains(name) else {
                if Self.notYetSupported.contains(name) {
                    throw RoutingError("log-format variable '%\(name)' is not supported by usher yet")
                }
                let hint = Self.known.filter { $0.lowercased() == name.lowercased() }.first.map { "; did you mean '%\($0)'?" } ?? ""
                throw RoutingError("no such log-format variable '%\(name)' in '\(format)' (write '%%' for a '%')\(hint)")
            }
            // `%{+Q}o` prints nothing: its options apply to every field after it.
            if name == "o" {
                defaultQuote = explicitQuote ?? defaultQuote
                defaultHex = explicitHex ?? defaultHex
                continue
            }
            pieces.append(.variable(
                name, quoted: (explicitQuote ?? defaultQuote) && Self.quotable.contains(name),
                hex: (explicitHex ?? defaultHex) && Self.hexable.contains(name)
            ))
        }
        flush()
        self.pieces = pieces
    }

    /// What a line needs besides the record: addresses, the request, a sample context for `%[…]`.
    public struct Facts: Sendable {
        public var frontendAddress: String
        public var frontendPort: Int
        public var serverAddress: String
        public var serverPort: Int
        public var bytesFromClient: Int
        public var acceptDate: LogTimestamp
        public var hostname: String
        public var pid: Int32
        /// The stream's number in the process (`%rt`).
        public var streamNumber = 0

        public init(
            frontendAddress: String, frontendPort: Int, serverAddress: String, serverPort: Int, bytesFromClient: Int,
            acceptDate: LogTimestamp, hostname: String, pid: Int32
        ) {
            self.frontendAddress = frontendAddress
            self.frontendPort = frontendPort
            self.serverAddress = serverAddress
            self.serverPort = serverPort
            self.bytesFromClient = bytesFromClient
            self.acceptDate = acceptDate
            self.hostname = hostname
            self.pid = pid
        }
    }

    /// The variables and fetches that read HTTP, in order: a mode tcp proxy cannot use them.
    public var httpOnlyNames: [String] {
        pieces.compactMap { piece in
            switch piece {
            case .variable(let name, _, _): return Self.httpOnly.contains(name) ? "%" + name : nil
            case .sample(let sample, _): return sample.readsHTTP ? sample.expression.fetch.name : nil
            default: return nil
            }
        }
    }

    /// The line for one request.
    public func render(_ record: HTTPLogRecord, _ facts: Facts, _ context: inout SampleContext) -> String {
        var line = ""
        // No separator at the start, nor two in a row, nor one after a field that printed nothing.
        var afterSeparator = true
        for piece in pieces {
            var text: String
            switch piece {
            case .separator:
                if !afterSeparator { line += " " }
                afterSeparator = true
                continue
            case .literal(let literal):
                text = literal
            case .variable(let name, let quoted, let hex):
                // A text that is missing prints "-", or "" when quoted (HAProxy 2.6: `%{+Q}CC` → `""`).
                if quoted && Self.isMissing(name, record) {
                    text = "\"\""
                } else if name == "hrl" || name == "hsl" {
                    // One field per captured header, each quoted on its own.
                    let values = (name == "hrl" ? record.capturedRequestHeaders : record.capturedResponseHeaders) ?? []
                    text = values.map { quoted ? "\"\(Self.captured($0))\"" : Self.captured($0) }.joined(separator: " ")
                } else if name == "sslc" || name == "sslv" {
                    // The client connection's TLS cipher and version; `-` on a clear-text one.
                    let tls = context.connection.tls
                    let value = (name == "sslc" ? tls?.cipher : tls?.version?.description) ?? "-"
                    text = quoted ? "\"\(value)\"" : value
                } else if hex {
                    text = Self.hexValue(name, record, facts)
                } else {
                    let value = Self.value(name, record, facts)
                    text = quoted ? "\"\(value)\"" : value
                }
                if record.isEarly && Self.soFar.contains(name) { text = "+" + text }
            case .sample(let sample, let quoted):
                if case .value(let result) = sample.evaluate(&context) {
                    text = quoted ? "\"\(result.text)\"" : result.text
                } else {
                    text = quoted ? "\"\"" : "-"
                }
            }
            guard !text.isEmpty else { continue }
            line += text
            afterSeparator = false
        }
        return line
    }

    /// The line for one mode tcp session. The HTTP-only variables are refused at configuration
    /// time; `%ST` prints 0 and `%tsc` four characters, as HAProxy 2.6 prints them for TCP.
    public func render(_ record: TCPLogRecord, _ facts: Facts, _ context: inout SampleContext) -> String {
        var http = HTTPLogRecord(
            clientAddress: record.clientAddress, clientPort: record.clientPort, requestDate: record.acceptDate,
            frontend: record.frontend, backend: record.backend, server: record.server, requestTime: -1,
            queueTime: record.queueTime, connectTime: record.connectTime, responseTime: -1, activeTime: record.totalTime,
            status: 0, bytesToClient: Int64(record.bytesToClient), termination: record.termination, counters: record.counters,
            requestLine: nil
        )
        http.uniqueID = record.uniqueID
        http.isEarly = record.isEarly
        return render(http, facts, &context)
    }

    /// A captured header value as the log shows it (`"` as `#22`, as in `option httplog`).
    static func captured(_ value: String) -> String {
        HTTPLogRecord.encode(value.utf8, HTTPLogRecord.headerEscapes)
    }

    /// Whether a text variable has nothing to print (a cookie that was not captured).
    static func isMissing(_ name: String, _ record: HTTPLogRecord) -> Bool {
        switch name {
        case "CC": return record.capturedRequestCookie == nil
        case "CS": return record.capturedResponseCookie == nil
        case "ID": return record.uniqueID == nil
        default: return false
        }
    }

    static func value(_ name: String, _ record: HTTPLogRecord, _ facts: Facts) -> String {
        let parts = (record.requestLine ?? "").split(separator: " ", maxSplits: 2).map(String.init)
        let uri = parts.count > 1 ? parts[1] : ""
        switch name {
        case "ci": return record.clientAddress
        case "cp": return String(record.clientPort)
        case "fi": return facts.frontendAddress
        case "fp": return String(facts.frontendPort)
        case "bi", "si": return facts.serverAddress
        case "bp", "sp": return String(facts.serverPort)
        case "t": return facts.acceptDate.acceptDateText
        case "tr": return record.requestDate.acceptDateText
        case "ft": return record.transportFrontend
        case "f": return record.frontend
        case "b": return record.backend
        case "s": return record.server
        case "TR", "Tq": return String(record.requestTime)
        case "Tw": return String(record.queueTime)
        case "Tc": return String(record.connectTime)
        case "Tr": return String(record.responseTime)
        case "Ta", "Tt": return String(record.activeTime)
        case "rt": return String(facts.streamNumber)
        case "ID": return record.uniqueID ?? "-"
        case "Th", "Ti": return "0"
        case "ST": return String(record.status)
        case "B": return String(record.bytesToClient)
        case "U": return String(facts.bytesFromClient)
        case "CC": return record.capturedRequestCookie ?? "-"
        case "CS": return record.capturedResponseCookie ?? "-"
        case "tsc": return record.termination.httpDescription
        case "ts": return String(record.termination.httpDescription.prefix(2))
        case "ac": return String(record.counters.activeConnections)
        case "fc": return String(record.counters.frontendConnections)
        case "bc": return String(record.counters.backendConnections)
        case "sc": return String(record.counters.serverConnections)
        case "rc": return record.counters.redispatched ? "+\(record.counters.retries)" : String(record.counters.retries)
        case "sq": return String(record.counters.serverQueue)
        case "bq": return String(record.counters.backendQueue)
        case "hr": return record.capturedRequestHeaders.map { "{" + $0.map(captured).joined(separator: "|") + "}" } ?? ""
        case "hs": return record.capturedResponseHeaders.map { "{" + $0.map(captured).joined(separator: "|") + "}" } ?? ""
        case "trg": return record.requestDate.utc.clfDateText
        case "trl": return record.requestDate.clfDateText
        case "r": return record.requestLine ?? "<BADREQ>"
        case "HM": return parts.first ?? ""
        case "HU": return uri
        case "HP": return String(uri.split(separator: "?", maxSplits: 1).first ?? "")
        case "HPO": return pathOnly(uri)
        case "T": return facts.acceptDate.utc.clfDateText
        case "Tl": return facts.acceptDate.clfDateText
        case "Ts": return String(facts.acceptDate.unixSeconds)
        case "Td":
            guard record.responseTime >= 0, record.connectTime >= 0, record.requestTime >= 0 else { return "-1" }
            return String(max(0, record.activeTime - record.requestTime - record.queueTime - record.connectTime - record.responseTime))
        case "Tu": return String(record.activeTime)
        case "HQ": return uri.firstIndex(of: "?").map { String(uri[$0...]) } ?? ""
        case "HV": return parts.count > 2 ? parts[2] : ""
        case "H": return facts.hostname
        case "pid": return String(facts.pid)
        case "ms": return facts.acceptDate.pad(facts.acceptDate.millisecond, 3)
        default: return "-"
        }
    }

    /// A variable of `hexable` in `+X` form, as HAProxy prints it.
    static func hexValue(_ name: String, _ record: HTTPLogRecord, _ facts: Facts) -> String {
        func hex(_ value: Int, _ width: Int) -> String {
            let digits = String(UInt64(truncatingIfNeeded: value), radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        switch name {
        case "ci", "fi", "bi", "si":
            let text = name == "ci" ? record.clientAddress : name == "fi" ? facts.frontendAddress : facts.serverAddress
            guard let address = IPAddress(text) else { return text }
            return address.bytes.map { hex(Int($0), 2) }.joined()
        case "cp": return hex(record.clientPort, 4)
        case "fp": return hex(facts.frontendPort, 4)
        case "bp", "sp": return hex(facts.serverPort, 4)
        case "Ts": return hex(facts.acceptDate.unixSeconds, 4)
        case "rt": return hex(facts.streamNumber, 4)
        case "pid": return hex(Int(facts.pid), 4)
        case "ms": return hex(facts.acceptDate.millisecond, 2)
        default: return value(name, record, facts)
        }
    }

    /// The path of a request target without scheme, authority or query (`%HPO`):
    /// `http://a.example/p?q` gives `/p`.
    static func pathOnly(_ target: String) -> String {
        var rest = Substring(target)
        if !rest.hasPrefix("/"), let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") {
            let authority = rest[rest.index(colon, offsetBy: 3)...]
            rest = authority.firstIndex(of: "/").map { authority[$0...] } ?? ""
        }
        return String(rest.prefix { $0 != "?" })
    }
}

extension LogTimestamp {
    /// Seconds since 1970-01-01T00:00:00Z (`%Ts`).
    var unixSeconds: Int {
        Self.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - utcOffset
    }
}
