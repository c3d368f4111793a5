import UsherConfig

/// An entry's key, as the table's type stores it: 4 bytes for `ip`, 16 for `ipv6`, a 32-bit number
/// for `integer`, text cut to its length for `string`, exactly `len` bytes for `binary`.
public enum StickKey: Sendable, Hashable {
    case ipv4(UInt32)
    case ipv6(UInt64, UInt64)
    case integer(UInt32)
    case bytes([UInt8])

    /// The key a sample gives in a table of `type`, converted as HAProxy converts samples to table
    /// keys; nil where the value has no such form (text that is no address in an `ip` table,
    /// an IPv6 address that maps no IPv4 one…).
    public init?(_ value: SampleValue, type: StickTableDefinition.KeyType) {
        switch type {
        case .ip:
            switch value {
            case .address(.v4(let address)): self = .ipv4(address)
            case .address(let address):
                guard case .v4(let mapped) = address.unmapped else { return nil }
                self = .ipv4(mapped)
            case .string(let text):
                guard case .v4(let address)? = IPAddress(text) else { return nil }
                self = .ipv4(address)
            case .integer(let number):
                self = .ipv4(UInt32(truncatingIfNeeded: number))
            case .binary(let bytes):
                guard bytes.count == 4 else { return nil }
                self = .ipv4(bytes.reduce(0) { $0 << 8 | UInt32($1) })
            case .boolean:
                return nil
            }
        case .ipv6:
            switch value {
            case .address(let address):
                let (high, low) = Self.ipv6Halves(address)
                self = .ipv6(high, low)
            case .string(let text):
                guard let address = IPAddress(text) else { return nil }
                let (high, low) = Self.ipv6Halves(address)
                self = .ipv6(high, low)
            case .binary(let bytes):
                guard bytes.count == 16 else { return nil }
                let high = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                let low = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                self = .ipv6(high, low)
            case .integer, .boolean:
                return nil
            }
        case .integer:
            switch value {
            case .integer(let number): self = .integer(UInt32(truncatingIfNeeded: number))
            case .boolean(let flag): self = .integer(flag ? 1 : 0)
            case .string(let text):
                guard let number = Self.leadingInteger(text) else { return nil }
                self = .integer(UInt32(truncatingIfNeeded: number))
            case .address(.v4(let address)): self = .integer(address)
            case .address, .binary: return nil
            }
        case .string(let length):
            let bytes: [UInt8]
            switch value {
            case .binary(let raw): bytes = raw
            default: bytes = Array(value.text.utf8)
            }
            self = .bytes(Array(bytes.prefix(length)))
        case .binary(let length):
            var bytes: [UInt8]
            switch value {
            case .binary(let raw): bytes = Array(raw.prefix(length))
            case .string(let text): bytes = Array(text.utf8.prefix(length))
            case .integer(let number):
                // An integer is 8 bytes, big-endian, as HAProxy casts it to binary.
                bytes = (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(bitPattern: number) >> (UInt64($0) * 8)) }
                bytes = Array(bytes.prefix(length))
            case .address(.v4(let address)):
                bytes = (0..<4).reversed().map { UInt8(truncatingIfNeeded: address >> (UInt32($0) * 8)) }
            case .address(.v6(let high, let low)):
                bytes = (0..<8).reversed().map { UInt8(truncatingIfNeeded: high >> (UInt64($0) * 8)) }
                    + (0..<8).reversed().map { UInt8(truncatingIfNeeded: low >> (UInt64($0) * 8)) }
                bytes = Array(bytes.prefix(length))
            case .boolean: return nil
            }
            bytes += [UInt8](repeating: 0, count: length - bytes.count)
            self = .bytes(bytes)
        }
    }

    /// Reads a key written by an operator (`show table NAME key K`, `clear table … key K`).
    public init?(text: String, type: StickTableDefinition.KeyType) {
        switch type {
        case .ip, .ipv6, .string: self.init(.string(text), type: type)
        case .integer:
            guard let number = Int64(text) else { return nil }
            self.init(.integer(number), type: type)
        case .binary(let length):
            // Hexadecimal, as the runtime API takes binary keys.
            guard text.count % 2 == 0, text.count / 2 <= length else { return nil }
            var bytes: [UInt8] = []
            var index = text.startIndex
            while index < text.endIndex {
                let next = text.index(index, offsetBy: 2)
                guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
                bytes.append(byte)
                index = next
            }
            self.init(.binary(bytes), type: type)
        }
    }

    /// How `show table` prints the key.
    public func text(type: StickTableDefinition.KeyType) -> String {
        switch self {
        case .ipv4(let address): return IPAddress.v4(address).description
        case .ipv6(let high, let low): return IPAddress.v6(high, low).description
        case .integer(let number): return String(number)
        case .bytes(let bytes):
            if case .string = type {
                return String(decoding: bytes, as: UTF8.self)
            }
            return bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined()
        }
    }

    /// An address as IPv6: an IPv4 one mapped (`::ffff:a.b.c.d`), as HAProxy casts it.
    static func ipv6Halves(_ address: IPAddress) -> (UInt64, UInt64) {
        switch address {
        case .v4(let value): return (0, 0xFFFF_0000_0000 | UInt64(value))
        case .v6(let high, let low): return (high, low)
        }
    }

    /// The digits at the start of `text` (after an optional sign), as HAProxy's string-to-integer
    /// cast reads them; nil without any.
    static func leadingInteger(_ text: String) -> Int64? {
        var utf8 = Substring(text).utf8[...]
        var negative = false
        if let first = utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        var value: Int64 = 0
        var digits = 0
        for byte in utf8 {
            guard byte >= 48 && byte <= 57 else { break }
            let (product, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = product.addingReportingOverflow(Int64(byte - 48))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            digits += 1
        }
        guard digits > 0 else { return nil }
        return negative ? -value : value
    }
}
