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

    /// Where a response's head ends: the head's length without its blank line, and where the
    /// body starts (after CRLF CRLF, or LF LF).
    static func headEnd(_ bytes: [UInt8]) -> (headLength: Int, bodyStart: Int)? {
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { return (index, index + 2) }
                if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "\r"), bytes[index + 2] == UInt8(ascii: "\n") {
                    return (index > 0 && bytes[index - 1] == UInt8(ascii: "\r") ? index - 1 : index, index + 3)
                }
            }
            index += 1
        }
        return nil
    }
}
