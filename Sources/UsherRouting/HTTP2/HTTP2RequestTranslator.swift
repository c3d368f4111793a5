import NIOCore

/// Turns the frames of one HTTP/2 request stream into the HTTP/1.1 message usher's HTTP session
/// reads, so that every rule, fetch, balancing decision and log field works on an HTTP/2 request
/// exactly as on an HTTP/1.1 one (issue 10: "every rule … means the same for h2 and h1").
///
/// What HAProxy 2.6 does on the same path, and so what this does: the head is written in origin
/// form with `:authority` as the first field, `host` (an `:authority` wins over a `host` field);
/// the `cookie` fields a client split (RFC 9113 §8.2.3) are joined with "; " and put last; a body
/// without `content-length` is sent chunked, each DATA frame one chunk; trailers end the chunked
/// body. Anything that could change the meaning of the HTTP/1.1 text (a CR, LF or NUL in a value,
/// a space in the path, a name that is not a token) is refused: an HTTP/2 peer must never be able
/// to write HTTP/1.1 framing into the server connection.
public struct HTTP2RequestTranslator: Sendable {
    /// What the request's pseudo-header fields said, for the log line (`%r` is written as HAProxy
    /// writes it for HTTP/2: `GET https://host/path HTTP/2.0`).
    public struct RequestFacts: Sendable, Equatable {
        public var method: String
        public var scheme: String?
        public var authority: String?
        public var path: String

        public init(method: String, scheme: String?, authority: String?, path: String) {
            self.method = method
            self.scheme = scheme
            self.authority = authority
            self.path = path
        }
    }

    enum State: Sendable, Equatable {
        case awaitingHead
        case body(chunked: Bool)
        case done
    }

    private var state = State.awaitingHead

    public init() {}

    /// The request has been handed over whole (END_STREAM seen).
    public var isComplete: Bool { state == .done }

    /// The request's HEADERS: writes its HTTP/1.1 head to `output`.
    public mutating func head(_ fields: [(name: String, value: String)], endStream: Bool, into output: inout ByteBuffer) throws(HTTP2TranslationError) -> RequestFacts {
        guard state == .awaitingHead else { throw HTTP2TranslationError("a second header block before the request's body") }
        var method: String?, scheme: String?, authority: String?, path: String?
        var regular: [(name: String, value: String)] = []
        var cookies: [String] = []
        var hasContentLength = false
        for field in fields {
            try Self.check(field.value)
            if field.name.utf8.first == UInt8(ascii: ":") {
                guard regular.isEmpty else { throw HTTP2TranslationError("pseudo-header field '\(field.name)' after a regular field") }
                switch field.name {
                case ":method": method = try Self.unique(method, field.value, field.name)
                case ":scheme": scheme = try Self.unique(scheme, field.value, field.name)
                case ":authority": authority = try Self.unique(authority, field.value, field.name)
                case ":path": path = try Self.unique(path, field.value, field.name)
                default: throw HTTP2TranslationError("unknown pseudo-header field '\(field.name)'")
                }
                continue
            }
            guard Self.isLowercaseToken(field.name) else { throw HTTP2TranslationError("invalid field name '\(field.name)'") }
            switch field.name {
            case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade":
                throw HTTP2TranslationError("connection-specific field '\(field.name)' in an HTTP/2 request")
            case "te" where field.value.lowercased() != "trailers":
                throw HTTP2TranslationError("'te' other than 'trailers' in an HTTP/2 request")
            case "cookie":
                cookies.append(field.value)
                continue
            case "host" where authority != nil:
                continue
            case "content-length":
                hasContentLength = true
            default:
                break
            }
            regular.append(field)
        }
        guard let method, !method.isEmpty, Self.isToken(method) else { throw HTTP2TranslationError("missing or invalid ':method'") }
        let target: String
        if method == "CONNECT" {
            guard let authority, !authority.isEmpty, path == nil, scheme == nil else { throw HTTP2TranslationError("CONNECT needs ':authority' alone") }
            target = authority
        } else {
            guard let path, !path.isEmpty, scheme != nil else { throw HTTP2TranslationError("missing ':path' or ':scheme'") }
            guard path.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { throw HTTP2TranslationError("invalid ':path'") }
            target = path
        }
        if let authority { guard authority.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { throw HTTP2TranslationError("invalid ':authority'") } }
        output.writeString(method)
        output.writeInteger(UInt8(ascii: " "))
        output.writeString(target)
        output.writeStaticString(" HTTP/1.1\r\n")
        if let authority {
            output.writeStaticString("host: ")
            output.writeString(authority)
            output.writeStaticString("\r\n")
        }
        for field in regular {
            output.writeString(field.name)
            output.writeStaticString(": ")
            output.writeString(field.value)
            output.writeStaticString("\r\n")
        }
        if !cookies.isEmpty {
            output.writeStaticString("cookie: ")
            output.writeString(cookies.joined(separator: "; "))
            output.writeStaticString("\r\n")
        }
        let chunked = !endStream && !hasContentLength
        if chunked { output.writeStaticString("transfer-encoding: chunked\r\n") }
        output.writeStaticString("\r\n")
        state = endStream ? .done : .body(chunked: chunked)
        return RequestFacts(method: method, scheme: scheme, authority: authority, path: target)
    }

    /// A DATA frame of the request's body.
    public mutating func data(_ data: ByteBuffer, endStream: Bool, into output: inout ByteBuffer) throws(HTTP2TranslationError) {
        guard case .body(let chunked) = state else { throw HTTP2TranslationError("DATA outside a request body") }
        if chunked {
            if data.readableBytes > 0 {
                output.writeString(String(data.readableBytes, radix: 16))
                output.writeStaticString("\r\n")
                output.writeImmutableBuffer(data)
                output.writeStaticString("\r\n")
            }
            if endStream { output.writeStaticString("0\r\n\r\n") }
        } else {
            output.writeImmutableBuffer(data)
        }
        if endStream { state = .done }
    }

    /// Trailers (a HEADERS frame ending the stream after the body).
    public mutating func trailers(_ fields: [(name: String, value: String)], into output: inout ByteBuffer) throws(HTTP2TranslationError) {
        guard case .body(let chunked) = state else { throw HTTP2TranslationError("trailers outside a request body") }
        state = .done
        // With a Content-Length body, HTTP/1.1 has no place for trailers: they are dropped, as
        // HAProxy drops them.
        guard chunked else { return }
        output.writeStaticString("0\r\n")
        for field in fields {
            guard field.name.utf8.first != UInt8(ascii: ":"), Self.isLowercaseToken(field.name) else { throw HTTP2TranslationError("invalid trailer field '\(field.name)'") }
            try Self.check(field.value)
            output.writeString(field.name)
            output.writeStaticString(": ")
            output.writeString(field.value)
            output.writeStaticString("\r\n")
        }
        output.writeStaticString("\r\n")
    }

    private static func unique(_ existing: String?, _ value: String, _ name: String) throws(HTTP2TranslationError) -> String {
        guard existing == nil else { throw HTTP2TranslationError("'\(name)' given twice") }
        return value
    }

    /// RFC 9113 §8.2.1: no NUL, CR or LF in a value (they would end an HTTP/1.1 line).
    private static func check(_ value: String) throws(HTTP2TranslationError) {
        for byte in value.utf8 where byte == 0 || byte == 0x0A || byte == 0x0D {
            throw HTTP2TranslationError("a field value holds a NUL, CR or LF")
        }
    }

    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(HTTP2ResponseTranslator.isTokenByte)
    }

    static func isLowercaseToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { HTTP2ResponseTranslator.isTokenByte($0) && !($0 >= 0x41 && $0 <= 0x5A) }
    }
}

/// Why an HTTP/2 stream could not be turned into HTTP/1.1 (or back): the stream is reset with
/// PROTOCOL_ERROR, as RFC 9113 §8.1.1 says for a malformed message.
public struct HTTP2TranslationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
