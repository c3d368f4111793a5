extension ErrorFile {
    /// What makes `bytes` unusable as a complete HTTP/1 response, in words, or `nil` when it is one:
    /// an `HTTP/1.0` or `HTTP/1.1` status line, header lines ending with an empty line, and a body
    /// as long as its `Content-Length` says. Empty is fine: HAProxy then closes without answering.
    static func problem(inResponse bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty else { return nil }
        let lines = HeadLines(bytes)
        let statusLine = lines.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard statusLine.hasPrefix("HTTP/") else {
            return "it must start with a status line such as 'HTTP/1.1 503 Service Unavailable'"
        }
        let version = statusLine.prefix { $0 != " " }
        guard version == "HTTP/1.0" || version == "HTTP/1.1" else {
            return "unsupported version '\(version)' (expected HTTP/1.0 or HTTP/1.1)"
        }
        let afterVersion = statusLine.dropFirst(version.count + 1)
        let code = afterVersion.prefix(3)
        guard statusLine.dropFirst(version.count).first == " ", code.count == 3, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber),
            afterVersion.dropFirst(3).first.map({ $0 == " " }) ?? true
        else {
            return "invalid status line '\(statusLine)'"
        }
        guard let bodyStart = lines.bodyStart else {
            return "its headers do not end with an empty line"
        }
        var contentLength: Int? = nil
        for line in lines.dropFirst() {
            let text = String(decoding: line, as: UTF8.self)
            guard let field = HTTPHeaderField(line: text) else { return "invalid header line '\(text)'" }
            if field.name.lowercased() == "content-length" {
                guard let length = ConfigurationValues.integer(field.value, in: 0...Int.max) else {
                    return "invalid Content-Length '\(field.value)'"
                }
                contentLength = length
            }
        }
        let bodyLength = bytes.count - bodyStart
        if let contentLength, contentLength != bodyLength {
            return "its Content-Length is \(contentLength) but its body has \(bodyLength) bytes"
        }
        return nil
    }
}

/// The lines of an HTTP/1 head (status line and headers, CRLF or LF endings), up to the empty line
/// that ends it.
private struct HeadLines: Sequence {
    let lines: [ArraySlice<UInt8>]
    /// Where the body starts, or `nil` when no empty line ends the head.
    let bodyStart: Int?

    init(_ bytes: [UInt8]) {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var bodyStart: Int? = nil
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\n") else {
                index += 1
                continue
            }
            var end = index
            if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            if end == start {
                bodyStart = index + 1
                break
            }
            lines.append(bytes[start..<end])
            index += 1
            start = index
        }
        if bodyStart == nil, start < bytes.count { lines.append(bytes[start...]) }
        self.lines = lines
        self.bodyStart = bodyStart
    }

    var first: ArraySlice<UInt8>? { lines.first }

    func makeIterator() -> IndexingIterator<[ArraySlice<UInt8>]> { lines.makeIterator() }
}
