/// A read position in a buffer whose reads return `nil` instead of trapping or over-reading.
///
/// Every length in a ClientHello comes from the client, so every read goes through this type:
/// a lying length makes a read fail and the caller report `.malformed`.
struct ByteCursor {
    private let bytes: UnsafeRawBufferPointer
    private var position: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.position = 0
    }

    /// The number of bytes not yet read.
    var remaining: Int {
        self.bytes.count - self.position
    }

    var isAtEnd: Bool {
        self.position >= self.bytes.count
    }

    mutating func readUInt8() -> UInt8? {
        guard self.position < self.bytes.count else {
            return nil
        }
        defer { self.position += 1 }
        return self.bytes[self.position]
    }

    mutating func readUInt16() -> UInt16? {
        guard self.remaining >= 2 else {
            return nil
        }
        defer { self.position += 2 }
        return UInt16(self.bytes[self.position]) << 8 | UInt16(self.bytes[self.position + 1])
    }

    /// Reads the next `count` bytes, or returns `nil` (and reads nothing) when fewer remain.
    mutating func readBytes(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, count <= self.remaining else {
            return nil
        }
        defer { self.position += count }
        return UnsafeRawBufferPointer(rebasing: self.bytes[self.position..<(self.position + count)])
    }

    /// Skips `count` bytes; `false` when fewer remain.
    mutating func skip(_ count: Int) -> Bool {
        self.readBytes(count) != nil
    }

    /// Reads a vector preceded by a one-byte length (TLS `opaque x<0..2^8-1>`).
    mutating func readUInt8LengthPrefixed() -> ByteCursor? {
        guard let length = self.readUInt8(), let body = self.readBytes(Int(length)) else {
            return nil
        }
        return ByteCursor(body)
    }

    /// Reads a vector preceded by a two-byte length (TLS `opaque x<0..2^16-1>`).
    mutating func readUInt16LengthPrefixed() -> ByteCursor? {
        guard let length = self.readUInt16(), let body = self.readBytes(Int(length)) else {
            return nil
        }
        return ByteCursor(body)
    }

    /// The bytes not yet read, without consuming them.
    var remainingBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self.bytes[self.position...])
    }
}
