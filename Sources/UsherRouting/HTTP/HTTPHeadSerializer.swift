import NIOCore

extension ByteBuffer {
    /// Writes a request head as it goes on the wire, the empty line included.
    public mutating func writeHTTPRequestHead(_ head: HTTPRequestHead) {
        writeString(head.method)
        writeStaticString(" ")
        writeString(head.target)
        writeStaticString(" ")
        writeString(head.version.description)
        writeStaticString("\r\n")
        writeHTTPFields(head.headers)
    }

    /// Writes a response head as it goes on the wire, the empty line included.
    public mutating func writeHTTPResponseHead(_ head: HTTPResponseHead) {
        writeString(head.version.description)
        writeStaticString(" ")
        writeString(String(head.status))
        writeStaticString(" ")
        writeString(head.reason)
        writeStaticString("\r\n")
        writeHTTPFields(head.headers)
    }

    private mutating func writeHTTPFields(_ headers: HTTPHeaders) {
        for field in headers.fields {
            writeString(field.name)
            writeStaticString(": ")
            writeString(field.value)
            writeStaticString("\r\n")
        }
        writeStaticString("\r\n")
    }
}
