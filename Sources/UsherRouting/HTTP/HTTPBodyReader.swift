/// Follows a body through its framing as bytes go by: says how many of them belong to the message
/// and when it is complete, and checks chunked framing strictly (hex sizes that fit, CRLF after
/// each size line and each chunk, trailers without control bytes or folding, all within limits).
///
/// Bytes are forwarded as they came; nothing is buffered here.
public struct HTTPBodyReader: Sendable {
    enum State: Sendable, Equatable {
        case length(remaining: UInt64)
        /// In a chunk-size line: digits read so far and their value.
        case chunkSize(value: UInt64, digits: Int)
        /// After the size, before CRLF: spaces, tabs, or an extension.
        case chunkExtension(value: UInt64, length: Int)
        case chunkSizeLF(value: UInt64)
        case chunkData(remaining: UInt64)
        case chunkDataCR
        case chunkDataLF
        /// At the start of a trailer line, or of the empty line ending the body.
        case trailerLineStart
        case trailerLine(sawColon: Bool, sawName: Bool)
        case trailerLF(empty: Bool)
        case untilClose
        case complete
    }

    private var state: State
    private var trailerBytes = 0
    private let limits: HTTPLimits

    public init(framing: HTTPBodyFraming, limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
        switch framing {
        case .none: state = .complete
        case .contentLength(let length): state = length == 0 ? .complete : .length(remaining: length)
        case .chunked: state = .chunkSize(value: 0, digits: 0)
        case .untilClose: state = .untilClose
        }
    }

    /// The whole body has gone by.
    public var isComplete: Bool { state == .complete }

    /// The body ends only when the peer closes.
    public var endsAtClose: Bool { state == .untilClose }

    /// Reads `bytes` from their start; returns how many belong to this body (the rest is the next
    /// message). Throws when the chunked framing is broken. `payload` is told where the body's
    /// content is among them, framing (chunk sizes, CRLFs, trailers) left out.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer, payload: (Range<Int>) -> Void = { _ in }) throws(HTTPParseError) -> Int {
        var index = 0
        let count = bytes.count
        while index < count {
            switch state {
            case .complete:
                return index
            case .untilClose:
                payload(index..<count)
                return count
            case .length(let remaining):
                let take = Int(min(UInt64(count - index), remaining))
                payload(index..<(index + take))
                index += take
                state = remaining == UInt64(take) ? .complete : .length(remaining: remaining - UInt64(take))
            case .chunkData(let remaining):
                let take = Int(min(UInt64(count - index), remaining))
                payload(index..<(index + take))
                index += take
                state = remaining == UInt64(take) ? .chunkDataCR : .chunkData(remaining: remaining - UInt64(take))
            default:
                try step(bytes[index])
                index += 1
            }
        }
        if state == .complete { return index }
        return index
    }

    /// One byte of chunked framing (size lines, CRLFs, trailers).
    private mutating func step(_ byte: UInt8) throws(HTTPParseError) {
        switch state {
        case .chunkSize(let value, let digits):
            if let digit = HTTPSyntax.hexValue(byte) {
                guard digits < 15 else { throw HTTPParseError("chunk size too large") }
                state = .chunkSize(value: value << 4 | digit, digits: digits + 1)
            } else if digits == 0 {
                throw HTTPParseError("chunk size is not a hexadecimal number")
            } else if byte == HTTPSyntax.cr {
                state = .chunkSizeLF(value: value)
            } else if byte == HTTPSyntax.space || byte == HTTPSyntax.tab || byte == UInt8(ascii: ";") {
                state = .chunkExtension(value: value, length: 1)
            } else {
                throw HTTPParseError(byte == HTTPSyntax.lf ? "chunk size line ending in a bare LF" : "invalid character after a chunk size")
            }
        case .chunkExtension(let value, let length):
            if byte == HTTPSyntax.cr {
                state = .chunkSizeLF(value: value)
            } else {
                guard HTTPSyntax.isFieldValueByte(byte) else {
                    throw HTTPParseError(byte == HTTPSyntax.lf ? "chunk size line ending in a bare LF" : "control character in a chunk extension")
                }
                guard length < 4096 else { throw HTTPParseError("chunk extension too long") }
                state = .chunkExtension(value: value, length: length + 1)
            }
        case .chunkSizeLF(let value):
            guard byte == HTTPSyntax.lf else { throw HTTPParseError("CR not followed by LF in a chunk size line") }
            state = value == 0 ? .trailerLineStart : .chunkData(remaining: value)
        case .chunkDataCR:
            guard byte == HTTPSyntax.cr else { throw HTTPParseError("chunk data longer than its size") }
            state = .chunkDataLF
        case .chunkDataLF:
            guard byte == HTTPSyntax.lf else { throw HTTPParseError("CR not followed by LF after chunk data") }
            state = .chunkSize(value: 0, digits: 0)
        case .trailerLineStart:
            try countTrailerByte()
            if byte == HTTPSyntax.cr {
                state = .trailerLF(empty: true)
            } else if byte == HTTPSyntax.space || byte == HTTPSyntax.tab {
                throw HTTPParseError("obsolete line folding in a trailer")
            } else if HTTPSyntax.isTokenByte(byte) {
                state = .trailerLine(sawColon: false, sawName: true)
            } else {
                throw HTTPParseError(byte == HTTPSyntax.lf ? "trailer line ending in a bare LF" : "invalid character in a trailer name")
            }
        case .trailerLine(let sawColon, let sawName):
            try countTrailerByte()
            if byte == HTTPSyntax.cr {
                guard sawColon else { throw HTTPParseError("trailer line without a colon") }
                state = .trailerLF(empty: false)
            } else if sawColon {
                guard HTTPSyntax.isFieldValueByte(byte) else { throw HTTPParseError("control character in a trailer value") }
            } else if byte == HTTPSyntax.colon {
                state = .trailerLine(sawColon: true, sawName: sawName)
            } else if !HTTPSyntax.isTokenByte(byte) {
                throw HTTPParseError("invalid character in a trailer name")
            }
        case .trailerLF(let empty):
            guard byte == HTTPSyntax.lf else { throw HTTPParseError("CR not followed by LF in the trailers") }
            state = empty ? .complete : .trailerLineStart
        case .length, .chunkData, .untilClose, .complete:
            break
        }
    }

    private mutating func countTrailerByte() throws(HTTPParseError) {
        trailerBytes += 1
        guard trailerBytes <= limits.maxHeadBytes else { throw HTTPParseError("trailers larger than \(limits.maxHeadBytes) bytes") }
    }
}
