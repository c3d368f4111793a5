/// Finds where a head ends in bytes that arrive piecemeal, without rescanning what it has already
/// seen: a slow client costs linear time, not quadratic.
public struct HTTPHeadScanner: Sendable {
    /// Bytes already known not to complete the head.
    private var scanned = 0

    public init() {}

    /// The length of the head (up to and including the empty line) if `bytes` hold all of it.
    /// The empty line is found by its LF so that a head with bare LFs ends too (and is refused by
    /// the parser) instead of waiting for a CRLF that never comes.
    public mutating func headLength(in bytes: UnsafeRawBufferPointer) -> Int? {
        var index = max(scanned, 1)
        while index < bytes.count {
            if bytes[index] == HTTPSyntax.lf {
                let previous = bytes[index - 1]
                if previous == HTTPSyntax.lf || (previous == HTTPSyntax.cr && index >= 2 && bytes[index - 2] == HTTPSyntax.lf) {
                    scanned = 0
                    return index + 1
                }
            }
            index += 1
        }
        scanned = max(bytes.count, 1)
        return nil
    }

    /// Forgets progress, for the next message.
    public mutating func reset() {
        scanned = 0
    }
}
