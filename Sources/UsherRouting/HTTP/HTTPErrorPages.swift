import UsherConfig

/// The responses usher writes itself when it refuses or cannot serve a request: a short HTML page
/// per status, `Cache-Control: no-cache`, and `Connection: close` (after an error the connection
/// is closed, as HAProxy does). An `errorfile` replaces a page whole.
public struct HTTPErrorPages: Sendable {
    private var custom: [Int: [UInt8]]

    /// `errorfiles`: complete responses by status, as read from `errorfile CODE FILE`.
    public init(custom: [Int: [UInt8]] = [:]) {
        self.custom = custom
    }

    /// The bytes to send for `status`.
    /// The pages `errorfile` and `errorloc` lines give.
    public init(_ errorFiles: [Int: ErrorFile]) {
        var custom: [Int: [UInt8]] = [:]
        for (status, file) in errorFiles {
            switch file.response {
            case .file(_, let contents):
                custom[status] = contents
            case .redirect(let code, let url):
                custom[status] = HTTPReplyBuilder.response(
                    status: code, headers: [("location", url), ("cache-control", "no-cache"), ("connection", "close")], body: []
                )
            case .reply(let reply):
                let body: [UInt8]
                switch reply.payload {
                // `default-errorfiles`: the built-in page.
                case .proxyErrorPage: continue
                case .errorFile(_, let contents):
                    custom[status] = contents
                    continue
                case .none, .logFormat: body = []
                case .file(_, let contents): body = contents
                case .string(let text): body = Array(text.utf8)
                }
                var headers: [(String, String)] = []
                if let type = reply.contentType, !body.isEmpty { headers.append(("content-type", type)) }
                headers += reply.headers.map { ($0.name, $0.value) }
                custom[status] = HTTPReplyBuilder.response(status: status, headers: headers, body: body)
            }
        }
        self.custom = custom
    }

    /// The bytes to send for `status`; `closing` when the connection closes after them (the
    /// built-in page then says so).
    public func response(for status: Int, closing: Bool = true) -> [UInt8] {
        if let page = custom[status] { return page }
        return Self.builtIn(status, closing: closing)
    }

    /// The 401 of `http-request auth`: the proxy's 401 page (its `errorfile 401` if any) with every
    /// `WWW-Authenticate` field replaced by one Basic challenge for `realm`, as HAProxy does.
    public func unauthorized(realm: String, closing: Bool = true) -> [UInt8] {
        let challenge = "Basic realm=\"\(realm.replacingAll("\"", with: "\\\""))\""
        guard let page = custom[401] else {
            return Self.builtIn(401, closing: closing, extraHeaders: [("www-authenticate", challenge)])
        }
        return Self.replacingField("www-authenticate", with: challenge, in: page)
    }

    /// `page` (a whole response) with the fields named `name` removed and one `name: value` added
    /// at the end of its head. A page without a head's end is returned as it is.
    static func replacingField(_ name: String, with value: String, in page: [UInt8]) -> [UInt8] {
        guard let end = HTTPReplyBuilder.headEnd(page) else { return page }
        // Split on the bytes: as a `String`, CR LF is one character.
        var lines = page[..<end.headLength].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }
        lines.removeAll { line in
            guard let colon = line.firstIndex(of: ":") else { return false }
            return line[..<colon].lowercased() == name
        }
        lines.append("\(name): \(value)")
        var bytes = Array(lines.joined(separator: "\r\n").utf8)
        bytes += Array("\r\n\r\n".utf8)
        bytes += page[end.bodyStart...]
        return bytes
    }

    public static func reason(for status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 407: return "Proxy Authentication Required"
        case 408: return "Request Timeout"
        case 410: return "Gone"
        case 413: return "Payload Too Large"
        case 425: return "Too Early"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }

    static func explanation(for status: Int) -> String {
        switch status {
        case 200: return "The service is ready."
        case 400: return "The request could not be understood."
        case 401: return "This content needs a valid user name and password."
        case 403: return "The request is forbidden here."
        case 408: return "The request did not arrive in time."
        case 500: return "The proxy failed while handling the request."
        case 501: return "The request uses something the proxy does not implement."
        case 502: return "The server's answer was invalid or missing."
        case 503: return "No server is available to handle this request."
        case 504: return "The server did not answer in time."
        case 505: return "This HTTP version is not supported."
        default: return reason(for: status) + "."
        }
    }

    static func builtIn(_ status: Int, closing: Bool, extraHeaders: [(String, String)] = []) -> [UInt8] {
        let title = "\(status) \(reason(for: status))"
        let body = "<html><body><h1>\(title)</h1>\n\(explanation(for: status))\n</body></html>\n"
        var headers = [("cache-control", "no-cache"), ("content-type", "text/html")] + extraHeaders
        if closing { headers.append(("connection", "close")) }
        return HTTPReplyBuilder.response(status: status, headers: headers, body: Array(body.utf8))
    }
}
