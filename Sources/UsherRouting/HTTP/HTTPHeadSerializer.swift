import NIOCore

extension ByteBuffer {
    /// Writes a request head as it goes on the wire, the empty line included.
    public mutating func writeHTTPRequestHead(_ head: HTTPRequestHead) {
        let version = head.version.description
        let lineSize = head.method.utf8.count + 1 + head.target.utf8.count + 1 + version.utf8.count + 2
        writeHead(size: lineSize + Self.fieldsSize(head.headers)) { out in
            out.append(head.method)
            out.append(" ")
            out.append(head.target)
            out.append(" ")
            out.append(version)
            out.append("\r\n")
            out.append(head.headers)
        }
    }

    /// Writes a response head as it goes on the wire, the empty line included.
    public mutating func writeHTTPResponseHead(_ head: HTTPResponseHead) {
        let version = head.version.description
        // Statuses are three digits (the parser and `set-status` see to it); any other number
        // is written as it is rather than trusted.
        let oddStatus = (100...999).contains(head.status) ? nil : String(head.status)
        let lineSize = version.utf8.count + 2 + (oddStatus?.utf8.count ?? 3) + head.reason.utf8.count + 2
        writeHead(size: lineSize + Self.fieldsSize(head.headers)) { out in
            out.append(version)
            out.append(" ")
            if let oddStatus { out.append(oddStatus) } else { out.appendStatus(head.status) }
            out.append(" ")
            out.append(head.reason)
            out.append("\r\n")
            out.append(head.headers)
        }
    }

    /// Whether `raw`, the request head as it arrived, can be forwarded as it is in place of
    /// writing `head` out: true when nothing was changed (`head == parsed`) and the request line
    /// already ends in the version as usher writes it (a `HTTP/1.2` is sent on as `HTTP/1.1`).
    /// Header whitespace and bytes stay as the peer sent them, which the parser accepted.
    public static func canForwardAsReceived(_ raw: ByteBuffer, head: HTTPRequestHead, parsed: HTTPRequestHead) -> Bool {
        guard head == parsed else { return false }
        let version = head.version.description.utf8
        return raw.withUnsafeReadableBytes { bytes in
            guard let lineFeed = bytes.firstIndex(of: UInt8(ascii: "\n")), lineFeed > version.count else { return false }
            return bytes[(lineFeed - 1 - version.count)..<(lineFeed - 1)].elementsEqual(version)
        }
    }

    /// The same for a response head, whose status line starts with the version.
    public static func canForwardAsReceived(_ raw: ByteBuffer, head: HTTPResponseHead, parsed: HTTPResponseHead) -> Bool {
        guard head == parsed else { return false }
        let version = head.version.description.utf8
        return raw.withUnsafeReadableBytes { bytes in
            bytes.count >= version.count && bytes[0..<version.count].elementsEqual(version)
        }
    }

    /// Bytes the fields take on the wire, with the empty line after them.
    private static func fieldsSize(_ headers: HTTPHeaders) -> Int {
        var size = 2
        for field in headers.fields { size += field.name.utf8.count + (field.rawValue?.count ?? field.value.utf8.count) + 4 }
        return size
    }

    /// One write of `size` bytes, filled by `body`: a head written piece by piece costs a buffer
    /// check and an exclusivity check per piece, some fifty per exchange.
    private mutating func writeHead(size: Int, _ body: (inout HeadWriter) -> Void) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
            var writer = HeadWriter(base: raw.baseAddress!)
            body(&writer)
            precondition(writer.offset == size, "head size miscounted")
            return size
        }
    }
}

/// Copies the pieces of a head into memory already sized for them.
private struct HeadWriter {
    let base: UnsafeMutableRawPointer
    var offset = 0

    mutating func append(_ string: String) {
        let base = self.base, offset = self.offset
        let copied = string.utf8.withContiguousStorageIfAvailable { bytes -> Int in
            if let source = bytes.baseAddress, !bytes.isEmpty { (base + offset).copyMemory(from: source, byteCount: bytes.count) }
            return bytes.count
        }
        if let copied {
            self.offset += copied
        } else {
            for byte in string.utf8 {
                base.storeBytes(of: byte, toByteOffset: self.offset, as: UInt8.self)
                self.offset += 1
            }
        }
    }

    /// Bytes kept as they came (a header value that is not UTF-8).
    mutating func append(_ bytes: [UInt8]) {
        let base = self.base, offset = self.offset
        bytes.withUnsafeBytes { source in
            if let address = source.baseAddress, !source.isEmpty { (base + offset).copyMemory(from: address, byteCount: source.count) }
        }
        self.offset += bytes.count
    }

    mutating func append(_ string: StaticString) {
        // `withUTF8Buffer`, not `utf8Start`: a one-scalar literal may be stored without a pointer.
        let base = self.base, offset = self.offset
        self.offset += string.withUTF8Buffer { bytes -> Int in
            if let source = bytes.baseAddress, !bytes.isEmpty { (base + offset).copyMemory(from: source, byteCount: bytes.count) }
            return bytes.count
        }
    }

    /// A status of three digits (100...999).
    mutating func appendStatus(_ status: Int) {
        base.storeBytes(of: UInt8(ascii: "0") + UInt8(status / 100), toByteOffset: offset, as: UInt8.self)
        base.storeBytes(of: UInt8(ascii: "0") + UInt8(status / 10 % 10), toByteOffset: offset + 1, as: UInt8.self)
        base.storeBytes(of: UInt8(ascii: "0") + UInt8(status % 10), toByteOffset: offset + 2, as: UInt8.self)
        offset += 3
    }

    mutating func append(_ headers: HTTPHeaders) {
        for field in headers.fields {
            append(field.name)
            append(": ")
            if let raw = field.rawValue { append(raw) } else { append(field.value) }
            append("\r\n")
        }
        append("\r\n")
    }
}
