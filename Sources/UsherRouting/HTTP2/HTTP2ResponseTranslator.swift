import NIOCore

/// Turns the HTTP/1.1 response usher's HTTP session writes for one HTTP/2 stream back into what
/// HEADERS and DATA frames carry: the status and the fields (names in lower case, as HTTP/2 wants
/// them), the body's content without its HTTP/1.1 framing (chunk sizes, CRLFs), and where the
/// stream ends.
///
/// HTTP/1-only fields never reach an HTTP/2 client (RFC 9113 §8.2.2): `connection`, `keep-alive`,
/// `proxy-connection`, `transfer-encoding`, `upgrade`, and whatever `connection` lists.
/// Interim responses (1xx) go out as header blocks of their own. A body that ends at close ends
/// the stream when the session closes it (`finish()`).
public struct HTTP2ResponseTranslator: Sendable {
    /// What to send on the stream.
    public enum Output: Sendable {
        case head(status: Int, fields: [(name: String, value: String)], endStream: Bool)
        /// A part of the body (empty only when it carries the end of the stream).
        case data(ByteBuffer, endStream: Bool)
    }

    enum State: Sendable {
        case head(scanner: HTTPHeadScanner)
        case body(HTTPBodyReader)
        case complete
    }

    private var state = State.head(scanner: HTTPHeadScanner())
    /// Head bytes received so far.
    private var pending = ByteBuffer()
    private let requestMethod: String
    private let limits: HTTPLimits

    public init(requestMethod: String, limits: HTTPLimits = HTTPLimits()) {
        self.requestMethod = requestMethod
        self.limits = limits
    }

    /// The response went out whole: the stream is ended on usher's side.
    public var isComplete: Bool {
        if case .complete = state { return true }
        return false
    }

    /// The final head went out and its body is under way.
    public var isInBody: Bool {
        if case .body = state { return true }
        return false
    }

    /// Reads what the session wrote; returns what to send, in order.
    public mutating func consume(_ bytes: ByteBuffer) throws(HTTP2TranslationError) -> [Output] {
        var input = bytes
        var outputs: [Output] = []
        while input.readableBytes > 0 {
            switch state {
            case .complete:
                // Bytes after the end of the message have no stream to go to.
                return outputs
            case .head(var scanner):
                let already = pending.readableBytes
                pending.writeImmutableBuffer(input)
                input.moveReaderIndex(to: input.writerIndex)
                guard let length = pending.withUnsafeReadableBytes({ scanner.headLength(in: $0) }) else {
                    state = .head(scanner: scanner)
                    guard pending.readableBytes <= limits.maxHeadBytes * 4 else { throw HTTP2TranslationError("response head too large") }
                    return outputs
                }
                // What followed the head goes through the loop again as body bytes.
                let rest = pending.getSlice(at: pending.readerIndex + length, length: pending.readableBytes - length)!
                _ = already
                let parsed = pending.withUnsafeReadableBytes { bytes in
                    Result { () throws(HTTPParseError) in
                        try HTTPHeadParser.parseResponse(UnsafeRawBufferPointer(rebasing: bytes[..<length]), limits: HTTPLimits(maxHeadBytes: Int.max, maxHeaderCount: Int.max))
                    }
                }
                pending = ByteBuffer()
                var head: HTTPResponseHead
                switch parsed {
                case .success(let value): head = value
                case .failure(let error): throw HTTP2TranslationError("response head: \(error.reason)")
                }
                if head.isInformational {
                    guard head.status != 101 else { throw HTTP2TranslationError("101 Switching Protocols has no meaning in HTTP/2") }
                    outputs.append(.head(status: head.status, fields: Self.fields(of: head.headers), endStream: false))
                    state = .head(scanner: HTTPHeadScanner())
                    input = rest
                    continue
                }
                let framing: HTTPBodyFraming
                do {
                    framing = try HTTPFramingRules.prepareResponse(&head, requestMethod: requestMethod)
                } catch {
                    throw HTTP2TranslationError("response framing: \(error.reason)")
                }
                let reader = HTTPBodyReader(framing: framing, limits: limits)
                outputs.append(.head(status: head.status, fields: Self.fields(of: head.headers), endStream: reader.isComplete))
                state = reader.isComplete ? .complete : .body(reader)
                input = rest
            case .body(var reader):
                var ranges: [Range<Int>] = []
                let consumed: Int
                do {
                    consumed = try input.withUnsafeReadableBytes { bytes throws(HTTPParseError) in try reader.consume(bytes) { ranges.append($0) } }
                } catch {
                    throw HTTP2TranslationError("response body framing: \(error.reason)")
                }
                let base = input.readerIndex
                for range in ranges where !range.isEmpty {
                    outputs.append(.data(input.getSlice(at: base + range.lowerBound, length: range.count)!, endStream: false))
                }
                input.moveReaderIndex(forwardBy: consumed)
                if reader.isComplete {
                    state = .complete
                    if case .data(let last, _)? = outputs.last, !ranges.isEmpty {
                        outputs[outputs.count - 1] = .data(last, endStream: true)
                    } else {
                        outputs.append(.data(ByteBuffer(), endStream: true))
                    }
                } else {
                    state = .body(reader)
                }
                if consumed == 0 { return outputs }
            }
        }
        return outputs
    }

    /// The session closed the stream: a body that ends at close ends here. Returns nil when the
    /// response was not complete (the stream is then reset instead).
    public mutating func finish() -> Output? {
        guard case .body(let reader) = state, reader.endsAtClose else { return nil }
        state = .complete
        return .data(ByteBuffer(), endStream: true)
    }

    /// The fields an HTTP/2 response carries: lower-case names, no hop-by-hop fields.
    static func fields(of headers: HTTPHeaders) -> [(name: String, value: String)] {
        var listed: [String] = []
        for field in headers.fields where field.hasName("connection") {
            listed += HTTPHeaders.splitList(field.value).map { $0.lowercased() }
        }
        var result: [(name: String, value: String)] = []
        result.reserveCapacity(headers.count)
        for field in headers.fields {
            let name = field.name.lowercased()
            switch name {
            case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade": continue
            default:
                if !listed.isEmpty, listed.contains(name) { continue }
                result.append((name, field.value))
            }
        }
        return result
    }

    /// RFC 9110 §5.6.2 tchar.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"),
            UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"),
            UInt8(ascii: "~"):
            return true
        default: return false
        }
    }
}
