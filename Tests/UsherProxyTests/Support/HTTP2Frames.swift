import Foundation

/// HTTP/2 frames written and read by hand, for the tests that send what no polite client sends
/// (floods, resets, oversized header blocks). HPACK is used in its simplest forms only: literal
/// fields without indexing, or with incremental indexing, and indexed references.
enum HTTP2Frames {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    enum Kind: UInt8 {
        case data = 0, headers = 1, priority = 2, rstStream = 3, settings = 4, pushPromise = 5, ping = 6, goAway = 7, windowUpdate = 8, continuation = 9
    }

    struct Frame: Equatable {
        var type: UInt8
        var flags: UInt8
        var stream: UInt32
        var payload: [UInt8]

        /// GOAWAY's error code.
        var goAwayCode: UInt32? {
            guard type == Kind.goAway.rawValue, payload.count >= 8 else { return nil }
            return payload[4..<8].reduce(0) { $0 << 8 | UInt32($1) }
        }

        /// RST_STREAM's error code.
        var resetCode: UInt32? {
            guard type == Kind.rstStream.rawValue, payload.count >= 4 else { return nil }
            return payload[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
        }
    }

    static func frame(_ kind: Kind, flags: UInt8 = 0, stream: UInt32 = 0, _ payload: [UInt8] = []) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), kind.rawValue, flags,
                UInt8(stream >> 24 & 0x7F), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)] + payload
    }

    static let endStream: UInt8 = 0x1
    static let endHeaders: UInt8 = 0x4
    static let ack: UInt8 = 0x1

    /// HPACK integer with an `prefix`-bit prefix and the leading `bits`.
    static func integer(_ value: Int, prefix: Int, bits: UInt8 = 0) -> [UInt8] {
        let limit = (1 << prefix) - 1
        if value < limit { return [bits | UInt8(value)] }
        var result = [bits | UInt8(limit)]
        var rest = value - limit
        while rest >= 128 {
            result.append(UInt8(rest % 128 + 128))
            rest /= 128
        }
        result.append(UInt8(rest))
        return result
    }

    static func string(_ text: String) -> [UInt8] {
        integer(text.utf8.count, prefix: 7) + Array(text.utf8)
    }

    /// A literal field, not indexed (or indexed: it enters the dynamic table).
    static func literal(_ name: String, _ value: String, indexed: Bool = false) -> [UInt8] {
        [indexed ? 0x40 : 0x00] + string(name) + string(value)
    }

    /// A reference to entry `index` of the static or dynamic table (dynamic entries start at 62).
    static func indexed(_ index: Int) -> [UInt8] {
        integer(index, prefix: 7, bits: 0x80)
    }

    static func requestBlock(path: String = "/", authority: String = "h2.test", extra: [UInt8] = []) -> [UInt8] {
        literal(":method", "GET") + literal(":scheme", "http") + literal(":path", path) + literal(":authority", authority) + extra
    }

    static func headers(stream: UInt32, _ block: [UInt8], endStream: Bool = true) -> [UInt8] {
        frame(.headers, flags: endHeaders | (endStream ? Self.endStream : 0), stream: stream, block)
    }

    static func settings(_ pairs: [(UInt16, UInt32)] = []) -> [UInt8] {
        frame(.settings, pairs.flatMap { [UInt8($0.0 >> 8), UInt8($0.0 & 0xFF), UInt8($0.1 >> 24), UInt8($0.1 >> 16 & 0xFF), UInt8($0.1 >> 8 & 0xFF), UInt8($0.1 & 0xFF)] })
    }

    static func rstStream(_ stream: UInt32, code: UInt32 = 8) -> [UInt8] {
        frame(.rstStream, stream: stream, [UInt8(code >> 24), UInt8(code >> 16 & 0xFF), UInt8(code >> 8 & 0xFF), UInt8(code & 0xFF)])
    }

    static func ping(_ data: UInt64) -> [UInt8] {
        frame(.ping, (0..<8).map { UInt8(data >> (56 - 8 * UInt64($0)) & 0xFF) })
    }

    static func windowUpdate(stream: UInt32, _ increment: UInt32) -> [UInt8] {
        frame(.windowUpdate, stream: stream, [UInt8(increment >> 24 & 0x7F), UInt8(increment >> 16 & 0xFF), UInt8(increment >> 8 & 0xFF), UInt8(increment & 0xFF)])
    }

    /// Splits received bytes into frames (a trailing partial frame stays in `buffer`).
    static func parse(_ buffer: inout [UInt8]) -> [Frame] {
        var frames: [Frame] = []
        while buffer.count >= 9 {
            let length = Int(buffer[0]) << 16 | Int(buffer[1]) << 8 | Int(buffer[2])
            guard buffer.count >= 9 + length else { break }
            let stream = UInt32(buffer[5] & 0x7F) << 24 | UInt32(buffer[6]) << 16 | UInt32(buffer[7]) << 8 | UInt32(buffer[8])
            frames.append(Frame(type: buffer[3], flags: buffer[4], stream: stream, payload: Array(buffer[9..<(9 + length)])))
            buffer.removeFirst(9 + length)
        }
        return frames
    }
}

extension RawClient {
    /// Reads frames until `stop` says so or the peer closes; returns every frame read.
    func readFrames(until stop: (HTTP2Frames.Frame) -> Bool) throws -> [HTTP2Frames.Frame] {
        var buffer: [UInt8] = []
        var frames: [HTTP2Frames.Frame] = []
        while true {
            let chunk = try receive()
            if chunk.isEmpty { return frames }
            buffer += chunk
            for frame in HTTP2Frames.parse(&buffer) {
                frames.append(frame)
                if stop(frame) { return frames }
            }
        }
    }
}
