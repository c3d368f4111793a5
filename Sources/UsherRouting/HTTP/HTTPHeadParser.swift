/// Parses complete HTTP/1 heads strictly, per RFC 9112 and as current HAProxy does: lines end in
/// CRLF (a bare CR or LF is refused), names are tokens with the colon right after them, values hold
/// no control byte, obs-fold and HTTP/0.9 are refused, and the head must fit `HTTPLimits`.
///
/// Finding where a head ends is `HTTPHeadScanner`'s job; this parser is given the head whole.
public enum HTTPHeadParser {
    /// Parses a request head, the empty line included.
    public static func parseRequest(_ bytes: UnsafeRawBufferPointer, limits: HTTPLimits = HTTPLimits()) throws(HTTPParseError) -> HTTPRequestHead {
        guard bytes.count <= limits.maxHeadBytes else { throw HTTPParseError("request head larger than \(limits.maxHeadBytes) bytes") }
        var position = 0
        let lineEnd = try endOfLine(bytes, from: 0)
        // method SP request-target SP HTTP-version
        var index = 0
        while index < lineEnd, HTTPSyntax.isTokenByte(bytes[index]) { index += 1 }
        guard index > 0 else { throw HTTPParseError("request line does not start with a method") }
        guard index < lineEnd, bytes[index] == HTTPSyntax.space else { throw HTTPParseError("invalid character in the method") }
        let method = string(bytes, 0, index)
        index += 1
        let targetStart = index
        while index < lineEnd, HTTPSyntax.isTargetByte(bytes[index]) { index += 1 }
        guard index > targetStart else { throw HTTPParseError("request line without a target") }
        let target = string(bytes, targetStart, index)
        guard index < lineEnd else { throw HTTPParseError("HTTP/0.9 request (no protocol version) refused") }
        guard bytes[index] == HTTPSyntax.space else { throw HTTPParseError("invalid character in the request target") }
        index += 1
        let version = try parseVersion(bytes, from: index, to: lineEnd)
        position = lineEnd + 2
        let headers = try parseFields(bytes, from: &position, limits: limits)
        return HTTPRequestHead(method: method, target: target, version: version, headers: headers)
    }

    /// Checks the request line as soon as it is complete, before the rest of the head: an HTTP/0.9
    /// request (no version) has no head to wait for. Returns quietly while the line is incomplete.
    public static func checkRequestLine(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) {
        guard let lineFeed = bytes.firstIndex(of: HTTPSyntax.lf) else {
            // Not a whole line yet, but a byte that cannot be in a method already says this is
            // not HTTP (a TLS hello, a WebSocket frame): no need to wait for a line feed.
            for byte in bytes {
                if byte == HTTPSyntax.space { return }
                guard HTTPSyntax.isTokenByte(byte) else { throw HTTPParseError("invalid character in the method") }
            }
            return
        }
        // The line alone, as a one-line head: the request-line checks run, the header ones find none.
        var line = Array(bytes[...lineFeed])
        if line.count >= 2, line[line.count - 2] == HTTPSyntax.cr { line += [HTTPSyntax.cr, HTTPSyntax.lf] } else { line += [HTTPSyntax.lf] }
        let result = line.withUnsafeBytes { raw in
            Result { () throws(HTTPParseError) in
                _ = try parseRequest(raw, limits: HTTPLimits(maxHeadBytes: Int.max, maxHeaderCount: Int.max))
            }
        }
        try result.get()
    }

    /// Parses a response head, the empty line included.
    public static func parseResponse(_ bytes: UnsafeRawBufferPointer, limits: HTTPLimits = HTTPLimits()) throws(HTTPParseError) -> HTTPResponseHead {
        guard bytes.count <= limits.maxHeadBytes else { throw HTTPParseError("response head larger than \(limits.maxHeadBytes) bytes", status: 502) }
        do throws(HTTPParseError) {
            let lineEnd = try endOfLine(bytes, from: 0)
            // HTTP-version SP status-code SP [reason-phrase]
            guard lineEnd >= 12 else { throw HTTPParseError("status line too short") }
            let version = try parseVersion(bytes, from: 0, to: 8)
            guard bytes[8] == HTTPSyntax.space else { throw HTTPParseError("no space after the version in the status line") }
            var status = 0
            for index in 9..<12 {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw HTTPParseError("status code is not three digits") }
                status = status * 10 + Int(byte - UInt8(ascii: "0"))
            }
            guard status >= 100 else { throw HTTPParseError("status code below 100") }
            var reason = ""
            if lineEnd > 12 {
                guard bytes[12] == HTTPSyntax.space else { throw HTTPParseError("status code is not three digits") }
                for index in 13..<lineEnd where !HTTPSyntax.isFieldValueByte(bytes[index]) {
                    throw HTTPParseError("control character in the reason phrase")
                }
                reason = string(bytes, 13, lineEnd)
            }
            var position = lineEnd + 2
            let headers = try parseFields(bytes, from: &position, limits: limits)
            return HTTPResponseHead(version: version, status: status, reason: reason, headers: headers)
        } catch {
            throw HTTPParseError(error.reason, status: 502)
        }
    }

    /// `HTTP/d.d` exactly filling `start..<end`: 1.0 is 1.0, a later version is read as 1.1 (RFC 9110
    /// §2.5 for minor versions; HAProxy does the same for `HTTP/2.0` in an HTTP/1 request line).
    static func parseVersion(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) throws(HTTPParseError) -> HTTPVersion {
        guard end - start == 8,
            bytes[start] == UInt8(ascii: "H"), bytes[start + 1] == UInt8(ascii: "T"), bytes[start + 2] == UInt8(ascii: "T"),
            bytes[start + 3] == UInt8(ascii: "P"), bytes[start + 4] == UInt8(ascii: "/"), bytes[start + 6] == UInt8(ascii: ".")
        else { throw HTTPParseError("malformed protocol version") }
        let major = bytes[start + 5], minor = bytes[start + 7]
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(major), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(minor) else {
            throw HTTPParseError("malformed protocol version")
        }
        // HAProxy (2.6 and upstream) speaks 1.1 to anything that claims a later version.
        guard major != UInt8(ascii: "0") else { throw HTTPParseError("HTTP version 0.x not supported") }
        return major == UInt8(ascii: "1") && minor == UInt8(ascii: "0") ? .http1_0 : .http1_1
    }

    /// Header (or trailer) fields from `position` up to and including the empty line that ends
    /// them; `position` ends just past it. One pass over each line: the name must be a token and
    /// the value field-value bytes, so the first byte that is neither must be the line's CRLF.
    static func parseFields(_ bytes: UnsafeRawBufferPointer, from position: inout Int, limits: HTTPLimits) throws(HTTPParseError) -> HTTPHeaders {
        var fields: [HTTPField] = []
        // Most heads have fewer than 16 fields: one allocation instead of one per doubling.
        fields.reserveCapacity(16)
        let count = bytes.count
        while true {
            guard position < count else { throw HTTPParseError("incomplete head") }
            let first = bytes[position]
            if first == HTTPSyntax.cr || first == HTTPSyntax.lf {
                try expectLineEnd(bytes, at: position)
                position += 2
                return HTTPHeaders(fields)
            }
            if first == HTTPSyntax.space || first == HTTPSyntax.tab { throw HTTPParseError("obsolete line folding in a header") }
            var index = position
            while index < count, HTTPSyntax.isTokenByte(bytes[index]) { index += 1 }
            guard index < count else { throw HTTPParseError("incomplete head") }
            switch bytes[index] {
            case HTTPSyntax.colon:
                guard index > position else { throw HTTPParseError("invalid character in a header name") }
            case HTTPSyntax.space, HTTPSyntax.tab:
                throw HTTPParseError("whitespace between a header name and its colon")
            case HTTPSyntax.cr, HTTPSyntax.lf:
                try expectLineEnd(bytes, at: index)
                throw HTTPParseError("header line without a colon")
            case 0:
                throw HTTPParseError("NUL byte in the head")
            default:
                throw HTTPParseError("invalid character in a header name")
            }
            let name = string(bytes, position, index)
            index += 1
            while index < count, bytes[index] == HTTPSyntax.space || bytes[index] == HTTPSyntax.tab { index += 1 }
            let valueStart = index
            var valueEnd = index
            // Every byte ORed: a value of ASCII bytes only (nearly all) needs no UTF-8 check.
            var seen: UInt8 = 0
            while index < count {
                let byte = bytes[index]
                guard HTTPSyntax.isFieldValueByte(byte) else { break }
                index += 1
                seen |= byte
                if byte != HTTPSyntax.space && byte != HTTPSyntax.tab { valueEnd = index }
            }
            guard index < count else { throw HTTPParseError("incomplete head") }
            switch bytes[index] {
            case HTTPSyntax.cr, HTTPSyntax.lf: try expectLineEnd(bytes, at: index)
            case 0: throw HTTPParseError("NUL byte in a header value")
            default: throw HTTPParseError("control character in a header value")
            }
            fields.append(field(name, bytes, valueStart, valueEnd, ascii: seen < 0x80))
            // As `tune.http.maxhdr`, the count includes the start line.
            guard fields.count < limits.maxHeaderCount else { throw HTTPParseError("more than \(limits.maxHeaderCount - 1) header fields") }
            position = index + 2
        }
    }

    /// The CR or LF at `index` must begin a CRLF.
    @inline(__always)
    static func expectLineEnd(_ bytes: UnsafeRawBufferPointer, at index: Int) throws(HTTPParseError) {
        guard bytes[index] == HTTPSyntax.cr else { throw HTTPParseError("line ending in a bare LF") }
        guard index + 1 < bytes.count else { throw HTTPParseError("incomplete head") }
        guard bytes[index + 1] == HTTPSyntax.lf else { throw HTTPParseError("CR not followed by LF") }
    }

    /// The index of the CR of the CRLF ending the line that starts at `start`. A bare CR or LF,
    /// or a head that ends mid-line, is an error.
    static func endOfLine(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(HTTPParseError) -> Int {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == HTTPSyntax.cr {
                guard index + 1 < bytes.count, bytes[index + 1] == HTTPSyntax.lf else { throw HTTPParseError("CR not followed by LF") }
                return index
            }
            if byte == HTTPSyntax.lf { throw HTTPParseError("line ending in a bare LF") }
            if byte == 0 { throw HTTPParseError("NUL byte in the head") }
            index += 1
        }
        throw HTTPParseError("incomplete head")
    }

    /// A field whose value is `bytes[start..<end]`; bytes that are not UTF-8 are kept as they came.
    @inline(__always)
    static func field(_ name: String, _ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, ascii: Bool) -> HTTPField {
        let value = string(bytes, start, end)
        if ascii { return HTTPField(name: name, value: value) }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        // Decoding replaced a bad sequence exactly when the text's UTF-8 is not the bytes.
        return HTTPField(name: name, value: value, rawValue: value.utf8.elementsEqual(raw) ? nil : Array(raw))
    }

    @inline(__always)
    static func string(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }
}
