/// What a head says about its body, and the checks against request smuggling that go with it
/// (RFC 9112 §6): one Content-Length value made of digits only, a Transfer-Encoding whose last
/// coding is chunked, never both forwarded together.
public enum HTTPFramingRules {
    /// What `prepareRequest` found.
    public struct RequestFraming: Sendable, Equatable {
        public var framing: HTTPBodyFraming
        /// The request had both Transfer-Encoding and Content-Length: the latter was removed, and
        /// the connection must not be reused after this exchange (RFC 9112 §6.3).
        public var closeAfter: Bool
    }

    /// A WebSocket handshake (RFC 6455 4.1: `Connection: Upgrade` and `Upgrade: websocket`) needs a
    /// `Sec-WebSocket-Key`, the base64 of 16 bytes: HAProxy 2.6 answers 400 unless one of them is
    /// 24 characters long (it does not decode it, nor look at `Sec-WebSocket-Version`).
    static func isWebSocketUpgradeWithoutKey(_ headers: HTTPHeaders) -> Bool {
        guard headers.hasToken("upgrade", in: "Connection"), headers.hasToken("websocket", in: "Upgrade") else { return false }
        return !headers.fields.contains { $0.hasName("Sec-WebSocket-Key") && $0.value.utf8.count == 24 }
    }

    /// Checks a request head and normalises it for forwarding: duplicate identical Content-Length
    /// fields become one, Content-Length is dropped beside Transfer-Encoding, an `h2c` upgrade
    /// offer is removed (it is hop-by-hop and usher does not speak HTTP/2 in clear). Throws a 400
    /// (or 422 for transfer codings besides chunked) for a request that must not be forwarded.
    public static func prepareRequest(_ head: inout HTTPRequestHead) throws(HTTPParseError) -> RequestFraming {
        // The Host fields, without an array for the usual single one.
        var host: String? = nil
        var hostCount = 0
        for field in head.headers.fields where field.hasName("Host") {
            hostCount += 1
            if let host, field.value != host { throw HTTPParseError("more than one Host header") }
            host = field.value
        }
        if hostCount > 1 {
            // Repeated but identical: kept once, as HAProxy does.
            var seen = false
            head.headers.fields.removeAll { field in
                guard field.hasName("Host") else { return false }
                defer { seen = true }
                return seen
            }
        }
        if head.version == .http1_1 && host == nil { throw HTTPParseError("HTTP/1.1 request without Host") }
        if let host {
            // An empty Host is what RFC 9112 §3.2 asks of a client whose target has no authority.
            guard host.isEmpty || isValidHost(host) else { throw HTTPParseError("invalid Host header") }
            if let authority = head.targetAuthority, !HTTPField.namesEqual(String(authority), host) {
                throw HTTPParseError("Host header does not match the request target's authority")
            }
        }
        if head.method == "CONNECT" {
            guard head.target.first != "/", head.targetAuthority == nil, isHostAndPort(head.target) else {
                throw HTTPParseError("CONNECT without a host:port target")
            }
        } else if head.target.first != "/" && head.targetAuthority == nil && !(head.target == "*" && head.method == "OPTIONS") {
            throw HTTPParseError("request target is neither a path nor an absolute URI")
        }
        if isWebSocketUpgradeWithoutKey(head.headers) {
            throw HTTPParseError("WebSocket upgrade without a Sec-WebSocket-Key of 24 characters")
        }
        removeH2CUpgrade(&head.headers)

        let length = try contentLength(head.headers, status: 400)
        if head.headers.contains("Transfer-Encoding") {
            guard head.version != .http1_0 else { throw HTTPParseError("Transfer-Encoding in an HTTP/1.0 request") }
            let codings = head.headers.values("Transfer-Encoding")
            guard let last = codings.last, HTTPField.namesEqual(last, "chunked") else {
                throw HTTPParseError("Transfer-Encoding whose last coding is not chunked")
            }
            guard codings.dropLast().allSatisfy({ !HTTPField.namesEqual($0, "chunked") }) else {
                throw HTTPParseError("chunked applied more than once")
            }
            // Other codings before chunked are well-formed but not something a proxy may pass on
            // to servers that may not decode them: 422, as HAProxy answers.
            guard codings.count == 1 else { throw HTTPParseError("transfer codings other than chunked", status: 422) }
            let hadLength = length != nil
            head.headers.remove("Content-Length")
            return RequestFraming(framing: .chunked, closeAfter: hadLength)
        }
        if let length {
            normaliseContentLength(&head.headers, length)
            return RequestFraming(framing: .contentLength(length), closeAfter: false)
        }
        return RequestFraming(framing: .none, closeAfter: false)
    }

    /// The framing of a response to a request with `requestMethod`. Throws (502) for a response
    /// whose length cannot be trusted. 1xx, and 2xx to CONNECT, are for the caller to handle.
    public static func prepareResponse(_ head: inout HTTPResponseHead, requestMethod: String) throws(HTTPParseError) -> HTTPBodyFraming {
        if head.isInformational { return .none }
        // No body follows a 204, a 304 or an answer to HEAD, but their Content-Length is still
        // checked: conflicting values mean a confused server (HAProxy answers 502 too), and a
        // cache or client behind usher must not be handed them.
        let length = try contentLength(head.headers, status: 502)
        if head.status == 204 || head.status == 304 || requestMethod == "HEAD" {
            if let length { normaliseContentLength(&head.headers, length) }
            return .none
        }
        if head.headers.contains("Transfer-Encoding") {
            head.headers.remove("Content-Length")
            let codings = head.headers.values("Transfer-Encoding")
            if let last = codings.last, HTTPField.namesEqual(last, "chunked") {
                guard head.version != .http1_0 else { throw HTTPParseError("chunked Transfer-Encoding in an HTTP/1.0 response", status: 502) }
                return .chunked
            }
            return .untilClose
        }
        if let length {
            normaliseContentLength(&head.headers, length)
            return .contentLength(length)
        }
        return .untilClose
    }

    /// The one Content-Length of a head, or nil; every field and every list element must be the
    /// same plain decimal number.
    static func contentLength(_ headers: HTTPHeaders, status: Int) throws(HTTPParseError) -> UInt64? {
        var result: UInt64?
        for field in headers.fields where field.hasName("Content-Length") {
            // The usual case, one plain number, without splitting.
            if !field.value.isEmpty, field.value.utf8.count <= 18, field.value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = UInt64(field.value) {
                if let result, result != value { throw HTTPParseError("conflicting Content-Length values", status: status) }
                result = value
                continue
            }
            // A list ("5, 5") is tolerated when every element agrees, as RFC 9110 §8.6 allows.
            for element in field.value.split(separator: ",", omittingEmptySubsequences: false) {
                let text = element.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
                guard !text.isEmpty, text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt64(String(text)) else {
                    throw HTTPParseError("invalid Content-Length", status: status)
                }
                if let result, result != value { throw HTTPParseError("conflicting Content-Length values", status: status) }
                result = value
            }
        }
        return result
    }

    static func normaliseContentLength(_ headers: inout HTTPHeaders, _ length: UInt64) {
        var count = 0
        var plain = true
        for field in headers.fields where field.hasName("Content-Length") {
            count += 1
            if field.value != String(length) { plain = false }
        }
        if count > 1 || !plain {
            // Keep the first field's place and name, with the single value.
            guard let position = headers.fields.firstIndex(where: { $0.hasName("Content-Length") }) else { return }
            let name = headers.fields[position].name
            headers.fields[position] = HTTPField(name: name, value: String(length))
            var seen = false
            headers.fields.removeAll { field in
                guard field.hasName("Content-Length") else { return false }
                defer { seen = true }
                return seen
            }
        }
    }

    /// Removes `h2c` from Upgrade (and the field if nothing is left), with HTTP2-Settings.
    static func removeH2CUpgrade(_ headers: inout HTTPHeaders) {
        guard headers.hasToken("h2c", in: "Upgrade") else { return }
        let remaining = headers.values("Upgrade").filter { !HTTPField.namesEqual($0, "h2c") }
        headers.remove("Upgrade")
        headers.remove("HTTP2-Settings")
        if remaining.isEmpty {
            let connection = headers.values("Connection").filter { !HTTPField.namesEqual($0, "upgrade") && !HTTPField.namesEqual($0, "HTTP2-Settings") }
            headers.remove("Connection")
            if !connection.isEmpty { headers.add("Connection", connection.joined(separator: ", ")) }
        } else {
            headers.add("Upgrade", remaining.joined(separator: ", "))
        }
    }

    /// CONNECT's authority form, `host:port` (RFC 9110 §9.3.6): the port is required, as HAProxy
    /// requires it (found by bench/http-diff: `CONNECT example.com` was forwarded).
    static func isHostAndPort(_ target: String) -> Bool {
        guard let colon = target.lastIndex(of: ":") else { return false }
        let host = target[..<colon], port = target[target.index(after: colon)...]
        guard !host.isEmpty, !port.isEmpty, port.count <= 5, port.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        return isValidHost(String(host))
    }

    /// `host[:port]` made of the characters a host may hold (RFC 3986 reg-name, IPv4, [IPv6]).
    static func isValidHost(_ host: String) -> Bool {
        guard !host.isEmpty else { return false }
        for byte in host.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                continue
            case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"),
                UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "%"), UInt8(ascii: "!"), UInt8(ascii: "$"),
                UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"),
                UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="):
                continue
            default:
                return false
            }
        }
        return true
    }
}
