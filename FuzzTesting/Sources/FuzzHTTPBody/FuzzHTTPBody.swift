// libFuzzer harness for `HTTPBodyReader`, which follows a body through its framing as bytes go by.
// The first byte of an input picks the framing (and a small trailer limit, so that the limit is
// reached); for Content-Length the next two bytes are the length. The rest is the body's bytes,
// fed whole, split in two at every position (every tenth past the first 600 bytes), one byte at a
// time, and in pieces of other sizes: every way must give the same count of bytes consumed, the same
// completion and the same error. Chunked framing is also checked against a reference decoder
// written from RFC 9112 §7.1 with the reader's limits. Any broken invariant is a `precondition`
// failure, which libFuzzer reports as a crash.
import UsherRouting

// Swift drops the messages of `precondition` in release builds; these keep them (`fatalError`
// prints its message), so that a crash says which invariant broke and on what.
private func precondition(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(), file: StaticString = #file, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

private func preconditionFailure(_ message: @autoclosure () -> String = String(), file: StaticString = #file, line: UInt = #line) -> Never {
    fatalError(message(), file: file, line: line)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPBody(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: start, count: count))
    guard let selector = input.first else { return 0 }
    var body = Array(input.dropFirst())
    let limits = selector & 0x10 != 0 ? HTTPLimits(maxHeadBytes: 40) : HTTPLimits()
    let framing: HTTPBodyFraming
    switch selector & 0x03 {
    case 0:
        framing = .chunked
    case 1:
        guard body.count >= 2 else { return 0 }
        framing = .contentLength(UInt64(body[0]) << 8 | UInt64(body[1]))
        body.removeFirst(2)
    case 2:
        framing = .untilClose
    default:
        framing = .none
    }
    check(body, framing: framing, limits: limits)
    return 0
}

/// What reading a body's bytes came to.
private struct Outcome: Equatable, CustomStringConvertible {
    var consumed: Int
    var complete: Bool
    var endsAtClose: Bool
    var error: HTTPParseError?

    var description: String { "consumed \(consumed), complete \(complete), endsAtClose \(endsAtClose), error \(error?.reason ?? "none")" }
}

/// Feeds `bytes` in pieces of the given lengths (the last piece takes what is left), as a proxy
/// does: a piece not consumed whole means the body ended there and the rest is the next message.
private func read(_ bytes: [UInt8], framing: HTTPBodyFraming, limits: HTTPLimits, pieces: [Int]) -> Outcome {
    var reader = HTTPBodyReader(framing: framing, limits: limits)
    var consumed = 0
    var lengths = pieces[...]
    return bytes.withUnsafeBytes { raw in
        while true {
            let length = min(lengths.popFirst() ?? raw.count, raw.count - consumed)
            let piece = UnsafeRawBufferPointer(rebasing: raw[consumed..<(consumed + length)])
            let taken: Int
            do throws(HTTPParseError) {
                taken = try reader.consume(piece)
            } catch {
                return Outcome(consumed: consumed, complete: reader.isComplete, endsAtClose: reader.endsAtClose, error: error)
            }
            precondition(taken >= 0 && taken <= length, "consumed \(taken) of \(length)")
            // The reader stops short of a piece only where the body ends.
            precondition(taken == length || reader.isComplete, "stopped at \(taken) of \(length) before the end of the body")
            consumed += taken
            if taken < length || consumed == raw.count {
                return Outcome(consumed: consumed, complete: reader.isComplete, endsAtClose: reader.endsAtClose, error: nil)
            }
        }
    }
}

private func check(_ bytes: [UInt8], framing: HTTPBodyFraming, limits: HTTPLimits) {
    let whole = read(bytes, framing: framing, limits: limits, pieces: [])
    // The consumed count of a failed read is where the failing piece started: compare errors apart.
    let wholeView = comparable(whole)

    switch framing {
    case .none:
        precondition(whole == Outcome(consumed: 0, complete: true, endsAtClose: false, error: nil))
    case .untilClose:
        precondition(whole == Outcome(consumed: bytes.count, complete: false, endsAtClose: true, error: nil))
    case .contentLength(let length):
        let expected = Int(min(UInt64(bytes.count), length))
        precondition(whole == Outcome(consumed: expected, complete: UInt64(bytes.count) >= length, endsAtClose: false, error: nil))
    case .chunked:
        let reference = referenceChunked(bytes, maxTrailerBytes: limits.maxHeadBytes)
        switch reference {
        case .failed:
            precondition(whole.error != nil, "the reference refuses the body, the reader does not: \(whole)")
        case .complete(let length):
            precondition(whole == Outcome(consumed: length, complete: true, endsAtClose: false, error: nil), "reference complete at \(length): \(whole)")
        case .incomplete:
            precondition(whole == Outcome(consumed: bytes.count, complete: false, endsAtClose: false, error: nil), "reference incomplete: \(whole)")
        }
    }

    // Two pieces, split at every position.
    var split = 0
    while split <= bytes.count {
        let outcome = read(bytes, framing: framing, limits: limits, pieces: [split])
        precondition(comparable(outcome) == wholeView, "split at \(split): \(outcome) vs \(whole)")
        split += split < 600 ? 1 : 10
    }
    // Many pieces: one byte at a time, and other sizes.
    for size in [1, 2, 3, 7, 64, 1000] where size == 1 ? bytes.count <= 4_000 : true {
        let pieces = [Int](repeating: size, count: bytes.count / size + 1)
        let outcome = read(bytes, framing: framing, limits: limits, pieces: pieces)
        precondition(comparable(outcome) == wholeView, "pieces of \(size): \(outcome) vs \(whole)")
    }
}

/// An outcome without the consumed count when it failed (that count depends on where the pieces fall).
private func comparable(_ outcome: Outcome) -> Outcome {
    guard outcome.error != nil else { return outcome }
    var copy = outcome
    copy.consumed = -1
    return copy
}

private enum Reference {
    case complete(Int)
    case incomplete
    case failed
}

/// A chunked body (RFC 9112 §7.1) with the reader's limits: at most 15 hex digits of size, an
/// extension (after space, tab or `;`) of field-value bytes and at most 4096 bytes counting its
/// first, trailer fields as token `:` field-value, no folding, and at most `maxTrailerBytes` bytes
/// of trailer lines (the LF of each CRLF not counted). Written as a parser over the whole input,
/// not a state machine, so that it shares no code with the reader.
private func referenceChunked(_ bytes: [UInt8], maxTrailerBytes: Int) -> Reference {
    var index = 0
    func isToken(_ byte: UInt8) -> Bool {
        if byte >= 0x30 && byte <= 0x39 { return true }
        if byte >= 0x41 && byte <= 0x5A { return true }
        if byte >= 0x61 && byte <= 0x7A { return true }
        return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
    }
    func isValueByte(_ byte: UInt8) -> Bool { byte == 0x09 || (byte >= 0x20 && byte != 0x7F) }
    func hex(_ byte: UInt8) -> UInt64? {
        switch byte {
        case 0x30...0x39: UInt64(byte - 0x30)
        case 0x41...0x46: UInt64(byte - 0x41 + 10)
        case 0x61...0x66: UInt64(byte - 0x61 + 10)
        default: nil
        }
    }
    while true {
        // chunk-size
        var size: UInt64 = 0
        var digits = 0
        while index < bytes.count, let digit = hex(bytes[index]) {
            digits += 1
            if digits > 15 { return .failed }
            size = size << 4 | digit
            index += 1
        }
        guard index < bytes.count else { return .incomplete }
        if digits == 0 { return .failed }
        // chunk-ext
        if bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == UInt8(ascii: ";") {
            var length = 0
            while index < bytes.count, bytes[index] != 0x0D {
                guard isValueByte(bytes[index]) else { return .failed }
                length += 1
                if length > 4096 { return .failed }
                index += 1
            }
            guard index < bytes.count else { return .incomplete }
        }
        // CRLF
        guard bytes[index] == 0x0D else { return .failed }
        index += 1
        guard index < bytes.count else { return .incomplete }
        guard bytes[index] == 0x0A else { return .failed }
        index += 1
        if size == 0 { break }
        // chunk-data CRLF
        guard UInt64(bytes.count - index) > size else { return .incomplete }
        index += Int(size)
        guard bytes[index] == 0x0D else { return .failed }
        index += 1
        guard index < bytes.count else { return .incomplete }
        guard bytes[index] == 0x0A else { return .failed }
        index += 1
    }
    // trailer-section CRLF
    var trailerBytes = 0
    func countByte() -> Bool {
        trailerBytes += 1
        return trailerBytes <= maxTrailerBytes
    }
    while true {
        guard index < bytes.count else { return .incomplete }
        guard countByte() else { return .failed }
        if bytes[index] == 0x0D {
            index += 1
            guard index < bytes.count else { return .incomplete }
            return bytes[index] == 0x0A ? .complete(index + 1) : .failed
        }
        // field-name ":" field-value CRLF
        guard isToken(bytes[index]) else { return .failed }
        index += 1
        var sawColon = false
        while true {
            guard index < bytes.count else { return .incomplete }
            guard countByte() else { return .failed }
            let byte = bytes[index]
            index += 1
            if byte == 0x0D {
                guard sawColon else { return .failed }
                break
            }
            if sawColon {
                guard isValueByte(byte) else { return .failed }
            } else if byte == UInt8(ascii: ":") {
                sawColon = true
            } else if !isToken(byte) {
                return .failed
            }
        }
        guard index < bytes.count else { return .incomplete }
        guard bytes[index] == 0x0A else { return .failed }
        index += 1
    }
}
