import Foundation

/// HTTP/1 messages as the tests see them on the wire: a lenient parser that finds where a request
/// or a response ends (Content-Length, chunked, close-delimited, bodiless statuses) and keeps every
/// byte as it came, so a test can tell exactly what a proxy forwarded. It is deliberately
/// forgiving (bare LF line ends, obs-fold, odd bytes in values): it is the observer, not the judge.
enum HTTPWire {}

extension HTTPWire {
    /// One header field exactly as received: the name's case and the value's bytes are kept
    /// (optional whitespace around the value trimmed).
    struct Field: Sendable, Equatable, CustomStringConvertible {
        var name: String
        var value: String

        init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }

        var description: String { "\(name): \(value)" }
    }

    /// How a message's body was delimited.
    enum Framing: Sendable, Equatable, CustomStringConvertible {
        /// No body by the rules (no length header on a request, HEAD, 1xx, 204, 304).
        case none
        case contentLength(Int)
        case chunked
        /// A response without length, ended by the server closing.
        case untilClose

        var description: String {
            switch self {
            case .none: "none"
            case .contentLength(let length): "content-length \(length)"
            case .chunked: "chunked"
            case .untilClose: "until close"
            }
        }
    }

    /// A whole message: head, how it was framed, the decoded body, and the raw bytes it spanned.
    struct Message: Sendable, Equatable {
        var startLine: String
        var fields: [Field]
        var framing: Framing
        /// The payload, de-chunked.
        var body: [UInt8]
        /// Trailer fields of a chunked body.
        var trailers: [Field]
        /// Every byte of the message as received.
        var raw: [UInt8]

        /// The values of every field named `name` (case-insensitive), in order.
        func values(_ name: String) -> [String] {
            let lowered = name.lowercased()
            return fields.filter { $0.name.lowercased() == lowered }.map(\.value)
        }

        func has(_ name: String) -> Bool { !values(name).isEmpty }

        /// For a request: the method; for a response: the protocol version.
        var firstWord: String { String(startLine.split(separator: " ", maxSplits: 1).first ?? "") }

        /// For a response: the status code (0 if unreadable).
        var status: Int {
            let words = startLine.split(separator: " ", omittingEmptySubsequences: false)
            return words.count > 1 ? Int(words[1]) ?? 0 : 0
        }

        /// Whether the last transfer coding is chunked.
        var isChunked: Bool {
            let codings = values("transfer-encoding").flatMap { $0.split(separator: ",") }
                .map { $0.trimmingCharacters(in: [" ", "\t"]).lowercased() }
            return codings.last == "chunked"
        }
    }

    /// What parsing one message at the start of some bytes gave.
    enum Outcome: Sendable, Equatable {
        /// More bytes are needed (and, for a close-delimited response, the end of the stream).
        case incomplete
        /// A message, and how many bytes it took.
        case complete(Message, consumed: Int)
        /// The bytes cannot be an HTTP/1 message; the reason says where.
        case invalid(String)
    }

    /// Where a head ends: the index just after the empty line, or nil if not there yet.
    /// Lines may end in CRLF or a bare LF.
    static func headEnd(_ bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        var lineStart = index
        while index < bytes.endIndex {
            if bytes[index] == 0x0A {
                var lineEnd = index
                if lineEnd > lineStart, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                // An empty line that is not the first one ends the head.
                if lineEnd == lineStart, lineStart != bytes.startIndex { return index + 1 }
                lineStart = index + 1
            }
            index += 1
        }
        return nil
    }

    /// Splits a head into its start line and fields; obs-fold lines are joined to the field before.
    static func parseHead(_ bytes: ArraySlice<UInt8>) -> (startLine: String, fields: [Field])? {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = bytes.startIndex
        for index in bytes.indices where bytes[index] == 0x0A {
            var lineEnd = index
            if lineEnd > lineStart, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            lines.append(bytes[lineStart..<lineEnd])
            lineStart = index + 1
        }
        guard let first = lines.first else { return nil }
        var fields: [Field] = []
        for line in lines.dropFirst() where !line.isEmpty {
            if line.first == 0x20 || line.first == 0x09, !fields.isEmpty {
                fields[fields.count - 1].value += " " + text(line).trimmingCharacters(in: [" ", "\t"])
                continue
            }
            guard let colon = line.firstIndex(of: 0x3A) else {
                fields.append(Field(text(line), ""))
                continue
            }
            let name = text(line[line.startIndex..<colon])
            let value = text(line[(colon + 1)...]).trimmingCharacters(in: [" ", "\t"])
            fields.append(Field(name, value))
        }
        return (text(first), fields)
    }

    /// Parses one request at the start of `bytes`.
    static func parseRequest(_ bytes: ArraySlice<UInt8>) -> Outcome {
        guard let end = headEnd(bytes) else { return .incomplete }
        guard let head = parseHead(bytes[bytes.startIndex..<end]) else { return .invalid("no start line") }
        var message = Message(startLine: head.startLine, fields: head.fields, framing: .none, body: [], trailers: [], raw: [])
        let bodyStart = end
        if message.has("transfer-encoding") && message.isChunked {
            return finishChunked(message, bytes, bodyStart: bodyStart)
        }
        if let lengthText = message.values("content-length").first {
            guard let length = Int(lengthText.split(separator: ",").first.map { $0.trimmingCharacters(in: [" "]) } ?? ""), length >= 0 else {
                return .invalid("unreadable content-length \(lengthText.debugDescription)")
            }
            guard bytes.endIndex - bodyStart >= length else { return .incomplete }
            message.framing = .contentLength(length)
            message.body = Array(bytes[bodyStart..<(bodyStart + length)])
            message.raw = Array(bytes[bytes.startIndex..<(bodyStart + length)])
            return .complete(message, consumed: bodyStart + length - bytes.startIndex)
        }
        message.raw = Array(bytes[bytes.startIndex..<bodyStart])
        return .complete(message, consumed: bodyStart - bytes.startIndex)
    }

    /// Parses one response at the start of `bytes`, answering a request with `requestMethod`.
    /// `atEnd` says the stream has ended, which completes a close-delimited body.
    static func parseResponse(_ bytes: ArraySlice<UInt8>, requestMethod: String, atEnd: Bool) -> Outcome {
        guard let end = headEnd(bytes) else {
            return atEnd && !bytes.isEmpty ? .invalid("stream ended inside a response head: \(text(bytes).debugDescription)") : .incomplete
        }
        guard let head = parseHead(bytes[bytes.startIndex..<end]), head.startLine.hasPrefix("HTTP/") else {
            return .invalid("not a response: \(text(bytes.prefix(80)).debugDescription)")
        }
        var message = Message(startLine: head.startLine, fields: head.fields, framing: .none, body: [], trailers: [], raw: [])
        let status = message.status
        let bodyStart = end
        if requestMethod == "HEAD" || (100..<200).contains(status) || status == 204 || status == 304 {
            message.raw = Array(bytes[bytes.startIndex..<bodyStart])
            return .complete(message, consumed: bodyStart - bytes.startIndex)
        }
        if message.has("transfer-encoding") && message.isChunked {
            return finishChunked(message, bytes, bodyStart: bodyStart)
        }
        if let lengthText = message.values("content-length").first, let length = Int(lengthText.trimmingCharacters(in: [" "])) {
            guard bytes.endIndex - bodyStart >= length else {
                return atEnd ? .invalid("stream ended \(length - (bytes.endIndex - bodyStart)) bytes short of the body") : .incomplete
            }
            message.framing = .contentLength(length)
            message.body = Array(bytes[bodyStart..<(bodyStart + length)])
            message.raw = Array(bytes[bytes.startIndex..<(bodyStart + length)])
            return .complete(message, consumed: bodyStart + length - bytes.startIndex)
        }
        guard atEnd else { return .incomplete }
        message.framing = .untilClose
        message.body = Array(bytes[bodyStart...])
        message.raw = Array(bytes)
        return .complete(message, consumed: bytes.count)
    }

    /// Reads a chunked body: size lines (extensions ignored, bare LF accepted), data, trailers.
    private static func finishChunked(_ head: Message, _ bytes: ArraySlice<UInt8>, bodyStart: Int) -> Outcome {
        var message = head
        message.framing = .chunked
        var index = bodyStart
        while true {
            guard let lineEnd = bytes[index...].firstIndex(of: 0x0A) else { return .incomplete }
            let sizeText = text(bytes[index..<lineEnd]).prefix { $0.isHexDigit }
            guard !sizeText.isEmpty, sizeText.count <= 15, let size = Int(sizeText, radix: 16) else {
                return .invalid("bad chunk size line \(text(bytes[index..<lineEnd]).debugDescription)")
            }
            index = lineEnd + 1
            if size == 0 { break }
            guard bytes.endIndex - index >= size else { return .incomplete }
            message.body += bytes[index..<(index + size)]
            index += size
            // The CRLF (or LF) after the data.
            if index < bytes.endIndex, bytes[index] == 0x0D { index += 1 }
            guard index < bytes.endIndex else { return .incomplete }
            guard bytes[index] == 0x0A else { return .invalid("chunk data not followed by a line end") }
            index += 1
        }
        // Trailers up to an empty line.
        while true {
            guard let lineEnd = bytes[index...].firstIndex(of: 0x0A) else { return .incomplete }
            var contentEnd = lineEnd
            if contentEnd > index, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let line = bytes[index..<contentEnd]
            index = lineEnd + 1
            if line.isEmpty { break }
            if let colon = line.firstIndex(of: 0x3A) {
                message.trailers.append(Field(text(line[line.startIndex..<colon]), text(line[(colon + 1)...]).trimmingCharacters(in: [" ", "\t"])))
            }
        }
        message.raw = Array(bytes[bytes.startIndex..<index])
        return .complete(message, consumed: index - bytes.startIndex)
    }

    /// Bytes as text, one character per byte (Latin-1), so NUL, CR and high bytes survive.
    static func text<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    /// Text back to bytes, one byte per character (the inverse of `text`; characters above U+00FF
    /// are written as UTF-8).
    static func bytes(_ text: String) -> [UInt8] {
        var result: [UInt8] = []
        for scalar in text.unicodeScalars {
            if scalar.value < 256 { result.append(UInt8(scalar.value)) } else { result += Array(String(scalar).utf8) }
        }
        return result
    }

    /// Text for a report: printable ASCII as is, everything else escaped.
    static func printable<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var result = ""
        for byte in bytes {
            switch byte {
            case 0x0D: result += "\\r"
            case 0x0A: result += "\\n"
            case 0x09: result += "\\t"
            case 0x5C: result += "\\\\"
            case 0x20...0x7E: result.unicodeScalars.append(Unicode.Scalar(byte))
            default: result += "\\x" + String(byte, radix: 16, uppercase: false).leftPadded(to: 2)
            }
        }
        return result
    }

    static func printable(_ text: String) -> String {
        printable(bytes(text))
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
