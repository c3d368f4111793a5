import UsherConfig
import UsherRouting

/// `option httpchk` and `http-check send|expect`: the request a check sends, and how the answer is
/// judged, as HAProxy does (a 2xx or 3xx passes unless `http-check expect` says otherwise).
struct HTTPCheckProbe: Sendable {
    /// The request, ready to send.
    let request: [UInt8]
    let expectations: [HTTPCheckRule.Expect]
    /// Whether any expectation reads the body (then the whole answer is awaited).
    let readsBody: Bool

    init(_ check: HTTPCheck) {
        var sends: [HTTPCheckRule.Send] = []
        var expectations: [HTTPCheckRule.Expect] = []
        for rule in check.rules {
            switch rule {
            case .send(let send): sends.append(send)
            case .expect(let expect): expectations.append(expect)
            }
        }
        // `http-check send` replaces the headers and body hidden in `option httpchk`'s version.
        let headers = sends.isEmpty ? check.legacyHeaders : sends.flatMap(\.headers)
        let body = sends.compactMap(\.body).last ?? (sends.isEmpty ? check.legacyBody : nil)
        let version = check.effectiveVersion
        var text = "\(check.effectiveMethod) \(check.effectiveURI) \(version)\r\n"
        for header in headers { text += "\(header.name.lowercased()): \(header.value)\r\n" }
        if let body { text += "content-length: \(body.utf8.count)\r\n" }
        if version != "HTTP/1.0" { text += "connection: close\r\n" }
        text += "\r\n" + (body ?? "")
        request = Array(text.utf8)
        self.expectations = expectations
        readsBody = expectations.contains {
            switch $0.match {
            case .string, .bodyRegex: return true
            case .status, .statusRegex: return false
            }
        }
    }

    /// Judges the answer received so far; nil while its head is incomplete.
    func judge(_ bytes: [UInt8]) -> CheckOutcome? {
        var scanner = HTTPHeadScanner()
        guard let headLength = bytes.withUnsafeBytes({ scanner.headLength(in: $0) }) else { return nil }
        let parsed = bytes.withUnsafeBytes { raw in
            Result { () throws(HTTPParseError) in try HTTPHeadParser.parseResponse(UnsafeRawBufferPointer(rebasing: raw[..<headLength])) }
        }
        guard case .success(let head) = parsed else { return .layer7(passed: false, reason: "Layer7 invalid response", code: nil, info: nil) }
        let body = String(decoding: bytes[headLength...], as: UTF8.self)
        let info = head.reason.isEmpty ? nil : head.reason
        guard !expectations.isEmpty else {
            let passed = (200..<400).contains(head.status)
            return .layer7(passed: passed, reason: passed ? "Layer7 check passed" : "Layer7 wrong status", code: head.status, info: info)
        }
        for expectation in expectations {
            let matched: Bool
            switch expectation.match {
            case .status(let ranges): matched = ranges.contains { $0.contains(head.status) }
            case .statusRegex(let pattern): matched = Self.matches(pattern, String(head.status))
            case .string(let text): matched = body.contains(text)
            case .bodyRegex(let pattern): matched = Self.matches(pattern, body)
            }
            if matched == expectation.negated {
                let readsStatus: Bool
                switch expectation.match {
                case .status, .statusRegex: readsStatus = true
                case .string, .bodyRegex: readsStatus = false
                }
                return .layer7(passed: false, reason: readsStatus ? "Layer7 wrong status" : "Layer7 response error", code: head.status, info: info)
            }
        }
        return .layer7(passed: true, reason: "Layer7 check passed", code: head.status, info: info)
    }

    /// Whether `bytes` hold the whole answer: its head, and its body as its framing delimits it
    /// (a body that ends at close is whole only then).
    static func isComplete(_ bytes: [UInt8]) -> Bool {
        var scanner = HTTPHeadScanner()
        guard let headLength = bytes.withUnsafeBytes({ scanner.headLength(in: $0) }) else { return false }
        let parsed = bytes.withUnsafeBytes { raw in
            Result { () throws(HTTPParseError) in try HTTPHeadParser.parseResponse(UnsafeRawBufferPointer(rebasing: raw[..<headLength])) }
        }
        // A broken head is judged at once.
        guard case .success(var head) = parsed else { return true }
        guard let framing = try? HTTPFramingRules.prepareResponse(&head, requestMethod: "GET") else { return true }
        var reader = HTTPBodyReader(framing: framing)
        let body = bytes[headLength...]
        guard (try? body.withUnsafeBytes({ try reader.consume($0) })) != nil else { return true }
        return reader.isComplete
    }

    static func matches(_ pattern: String, _ text: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return (try? regex.firstMatch(in: text)) != nil
    }
}
