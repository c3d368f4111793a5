import UsherConfig

/// When usher compresses a response itself (`compression algo`), decided as HAProxy 2.6 decides:
/// an algorithm from the request's `Accept-Encoding`, then whether the response qualifies, then
/// its head rewritten (the body is compressed by the proxy, and sent in chunks).
public enum HTTPCompressionPolicy {
    /// The algorithm for a request, or nil. The client's `Accept-Encoding` elements are read in
    /// order; an element wins over the one chosen so far only with a strictly higher `q` (1 when
    /// not said, 0 never). `*` takes the algorithm written last. Without a match, `identity` if it
    /// is configured. Old browsers that announce themselves as `Mozilla/4` get nothing, unless
    /// they are MSIE 6 with SV1 or MSIE 7 and later. `requested`: the client's header chose it
    /// (only then does `compression offload` remove that header).
    public static func algorithm(
        for request: HTTPRequestHead, among algorithms: [HTTPCompression.Algorithm]
    ) -> (algorithm: HTTPCompression.Algorithm, requested: Bool)? {
        if let agent = request.headers[first: "User-Agent"], isOldMozilla(agent) { return nil }
        var chosen: HTTPCompression.Algorithm? = nil
        var bestQuality = 0
        for element in request.headers.values("Accept-Encoding") {
            let (token, quality) = tokenAndQuality(element)
            guard quality > bestQuality else { continue }
            let match = token == "*" ? algorithms.last : algorithms.last { HTTPField.namesEqual($0.token, token) }
            if let match {
                chosen = match
                bestQuality = quality
            }
        }
        if let chosen { return (chosen, true) }
        return algorithms.contains(.identity) ? (.identity, false) : nil
    }

    /// Whether a response may be compressed: HTTP/1.1 both ways, not to a HEAD, status 200 to 203,
    /// a length known from its framing (`Content-Length` or chunked), not already encoded, no
    /// `Cache-Control: no-transform`, at most one well-formed `ETag`, not multipart, and of one of
    /// `types` when some are given (a response without a type then does not qualify).
    public static func qualifies(_ response: HTTPResponseHead, framing: HTTPBodyFraming, request: HTTPRequestHead, types: [String]) -> Bool {
        guard response.version == .http1_1, request.version == .http1_1, request.method != "HEAD" else { return false }
        guard (200...203).contains(response.status) else { return false }
        switch framing {
        case .contentLength, .chunked: break
        case .none, .untilClose: return false
        }
        let headers = response.headers
        if headers.contains("Content-Encoding") { return false }
        if headers.values("Cache-Control").contains(where: { HTTPField.namesEqual($0, "no-transform") }) { return false }
        let tags = headers.fullValues("ETag")
        if tags.count > 1 || tags.contains(where: { !isWellFormedTag($0) }) { return false }
        guard let type = headers[first: "Content-Type"] else { return types.isEmpty }
        if hasPrefix(type, "multipart") { return false }
        return types.isEmpty || types.contains { hasPrefix(type, $0) }
    }

    /// The head of a response that goes out compressed: no `Content-Length`, `Transfer-Encoding:
    /// chunked`, a strong `ETag` made weak, `Vary: Accept-Encoding`, `Content-Encoding` (not for
    /// identity), in the order HAProxy 2.6 sends them.
    public static func rewrite(_ response: inout HTTPResponseHead, for algorithm: HTTPCompression.Algorithm) {
        response.headers.remove("Content-Length")
        if !response.headers.hasToken("chunked", in: "Transfer-Encoding") { response.headers.add("Transfer-Encoding", "chunked") }
        if let index = response.headers.fields.firstIndex(where: { $0.hasName("ETag") }), response.headers.fields[index].value.hasPrefix("\"") {
            response.headers.fields[index].value = "W/" + response.headers.fields[index].value
        }
        response.headers.add("Vary", "Accept-Encoding")
        if algorithm != .identity { response.headers.add("Content-Encoding", algorithm.token) }
    }

    /// Whether `text` starts with `prefix`, ASCII letters compared without case, byte by byte (a
    /// server's `Content-Type` may hold any bytes).
    static func hasPrefix(_ text: String, _ prefix: String) -> Bool {
        let bytes = text.utf8, wanted = prefix.utf8
        guard bytes.count >= wanted.count else { return false }
        return zip(bytes, wanted).allSatisfy { $0 == $1 || ($0 | 0x20 == $1 | 0x20 && ($1 | 0x20) >= 0x61 && ($1 | 0x20) <= 0x7a) }
    }

    /// `gzip;q=0.5` → ("gzip", 500): the token and its quality in thousandths.
    static func tokenAndQuality(_ element: String) -> (String, Int) {
        let parts = element.split(separator: ";").map { $0.trimmingCharacters(in: [" ", "\t"]) }
        let token = parts.first ?? ""
        for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("q=") {
            return (token, quality(parameter.dropFirst(2)))
        }
        return (token, 1000)
    }

    /// An RFC 9110 qvalue in thousandths: `1`, `1.000`, `0.5`; anything else reads as far as it goes.
    static func quality(_ text: Substring) -> Int {
        let characters = Array(text)
        guard let first = characters.first, first == "0" || first == "1" else { return 0 }
        if first == "1" { return 1000 }
        var value = 0, scale = 100
        var index = 1
        guard index < characters.count, characters[index] == "." else { return 0 }
        index += 1
        while index < characters.count, let digit = characters[index].wholeNumberValue, scale > 0 {
            value += digit * scale
            scale /= 10
            index += 1
        }
        return value
    }

    static func isOldMozilla(_ agent: String) -> Bool {
        let bytes = Array(agent.utf8)
        guard bytes.count >= 9, bytes[0..<9].elementsEqual("Mozilla/4".utf8) else { return false }
        // MSIE 7 and later, and MSIE 6 with XP SP2 ("SV1"), are known to cope.
        guard bytes.count >= 31, bytes[25..<30].elementsEqual("MSIE ".utf8) else { return true }
        let major = bytes[30]
        if major < UInt8(ascii: "6") { return true }
        if major == UInt8(ascii: "6") { return bytes.count < 54 || !bytes[51..<54].elementsEqual("SV1".utf8) }
        return false
    }

    /// A strong (`"x"`) or weak (`W/"x"`) entity tag.
    static func isWellFormedTag(_ value: String) -> Bool {
        var text = Substring(value)
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        return text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"")
    }
}
