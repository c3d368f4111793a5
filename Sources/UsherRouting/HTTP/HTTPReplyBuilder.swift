/// Builds the responses usher writes in place of a server's: `return`, redirects, error pages.
enum HTTPReplyBuilder {
    /// A complete response with `status`, `headers` (name, value) and `body`.
    static func response(status: Int, headers: [(String, String)], body: [UInt8]) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(HTTPErrorPages.reason(for: status))\r\n"
        text += "content-length: \(body.count)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + body
    }
}
