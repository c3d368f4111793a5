/// The variable-length integers of HAProxy's peers protocol: below 240 a value is one byte; above,
/// the first byte keeps the low four bits (with its top four bits set) and each next byte seven
/// more, its top bit saying whether another byte follows. At most ten bytes for 64 bits.
public enum PeerVarint {
    /// The longest encoding of a 64-bit value.
    public static let maximumLength = 10

    public static func encode(_ value: UInt64, into bytes: inout [UInt8]) {
        guard value >= 240 else {
            bytes.append(UInt8(value))
            return
        }
        bytes.append(UInt8(truncatingIfNeeded: value) | 0xF0)
        var rest = (value - 240) >> 4
        while rest >= 128 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest = (rest - 128) >> 7
        }
        bytes.append(UInt8(rest))
    }

    /// Reads a value at `index`, moving it past; nil if the bytes end first or the encoding runs
    /// past ten bytes.
    public static func decode(_ bytes: ArraySlice<UInt8>, at index: inout Int) -> UInt64? {
        guard index < bytes.endIndex else { return nil }
        var value = UInt64(bytes[index])
        index += 1
        guard value >= 240 else { return value }
        var shift: UInt64 = 4
        while true {
            guard index < bytes.endIndex, shift < 64 else { return nil }
            let byte = bytes[index]
            index += 1
            value &+= UInt64(byte) << shift
            shift += 7
            if byte < 128 { return value }
        }
    }
}
