#if canImport(Glibc)
import Glibc
#endif

/// A known, non-repeating-at-short-range byte stream for bulk transfers, cheap to produce and to
/// check even in debug builds (memcpy/memcmp against a precomputed period).
enum BytePattern {
    /// A prime period, so a shifted or dropped chunk never lines up again by accident.
    static let period = 65_521
    /// Two periods back to back, so any window of up to one period starts inside it.
    static let table: [UInt8] = (0..<(2 * 65_521)).map { i in
        let j = i % 65_521
        return UInt8(truncatingIfNeeded: (j &* 2_654_435_761) >> 13)
    }

    /// Fills `destination` with the stream's bytes starting at `offset`.
    static func fill(_ destination: UnsafeMutableRawBufferPointer, offset: Int) {
        var written = 0
        table.withUnsafeBytes { source in
            while written < destination.count {
                let start = (offset + written) % period
                let length = min(period, destination.count - written)
                memcpy(destination.baseAddress! + written, source.baseAddress! + start, length)
                written += length
            }
        }
    }

    /// Whether `bytes` equal the stream's bytes starting at `offset`.
    static func matches(_ bytes: UnsafeRawBufferPointer, offset: Int) -> Bool {
        var checked = 0
        return table.withUnsafeBytes { source in
            while checked < bytes.count {
                let start = (offset + checked) % period
                let length = min(period, bytes.count - checked)
                if memcmp(bytes.baseAddress! + checked, source.baseAddress! + start, length) != 0 { return false }
                checked += length
            }
            return true
        }
    }

    static func bytes(count: Int, offset: Int = 0) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        result.withUnsafeMutableBytes { fill($0, offset: offset) }
        return result
    }
}
