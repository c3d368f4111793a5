import UsherConfig

/// The hash functions `hash-type` names, over 32 bits as HAProxy computes them, so that a key
/// reaches the server HAProxy would pick for it.
extension HashType {
    /// The key's hash: the function, then the avalanche mix when asked for.
    public func hash(_ bytes: some Sequence<UInt8>) -> UInt32 {
        let raw: UInt32
        switch function {
        case .sdbm: raw = Self.sdbm(bytes)
        case .djb2: raw = Self.djb2(bytes)
        case .wt6: raw = Self.wt6(bytes)
        case .crc32: raw = Self.crc32(bytes)
        }
        return avalanche ? Self.fullAvalanche(raw) : raw
    }

    /// The key of `balance source`: the client's address read as big-endian 32-bit words folded
    /// together with XOR (not the hash function), then the avalanche mix when asked for. An unknown
    /// address (a UNIX socket client) hashes as 0.
    public func hash(address: IPAddress?) -> UInt32 {
        var folded: UInt32 = 0
        if let address {
            let bytes = address.unmapped.bytes
            var offset = 0
            while offset + 4 <= bytes.count {
                folded ^= UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
                offset += 4
            }
        }
        return avalanche ? Self.fullAvalanche(folded) : folded
    }

    static func sdbm(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var hash: UInt32 = 0
        for byte in bytes {
            hash = UInt32(byte) &+ (hash << 6) &+ (hash << 16) &- hash
        }
        return hash
    }

    static func djb2(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var hash: UInt32 = 5381
        for byte in bytes {
            hash = (hash << 5) &+ hash &+ UInt32(byte)
        }
        return hash
    }

    /// HAProxy's own function: two 32-bit lanes rotated by amounts that the data itself chooses.
    static func wt6(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var lane0: UInt32 = 0xa53c_965a
        var lane1: UInt32 = 0x5ca6_953a
        var shift0: UInt32 = 6
        var shift1: UInt32 = 18
        for byte in bytes {
            lane0 = ~(lane0 ^ UInt32(byte))
            lane1 = ~(lane1 &+ UInt32(byte))
            let rotated1 = lane1.rotatedLeft(by: shift0)
            lane1 = lane0.rotatedLeft(by: shift1)
            lane0 = rotated1
            let mix = ((lane0 >> 16) ^ lane1) & 0xffff
            shift0 = mix & 0x1f
            shift1 = mix >> 11
        }
        return lane0 ^ lane1
    }

    /// The CRC-32 of Ethernet, gzip and PNG (reflected, polynomial 0xEDB88320).
    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        reflectedCRC32(bytes, polynomial: 0xedb8_8320)
    }

    /// A reflected 32-bit CRC, bit by bit (the keys hashed here are short): CRC-32 with 0xEDB88320,
    /// CRC-32C (Castagnoli, the PROXY protocol's checksum) with 0x82F63B78.
    static func reflectedCRC32(_ bytes: some Sequence<UInt8>, polynomial: UInt32) -> UInt32 {
        var crc: UInt32 = ~0
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = (crc >> 1) ^ ((crc & 1) != 0 ? polynomial : 0)
            }
        }
        return ~crc
    }

    /// Bob Jenkins' 32-bit full-avalanche integer hash (every input bit flips each output bit with
    /// probability one half), then a multiplication by a large prime that spreads the results
    /// around the ring as HAProxy 2.6 does. It also places the consistent-hash ring's points.
    public static func fullAvalanche(_ value: UInt32) -> UInt32 {
        var a = value
        a = (a &+ 0x7ed5_5d16) &+ (a << 12)
        a = (a ^ 0xc761_c23c) ^ (a >> 19)
        a = (a &+ 0x1656_67b1) &+ (a << 5)
        a = (a &+ 0xd3a2_646c) ^ (a << 9)
        a = (a &+ 0xfd70_46c5) &+ (a << 3)
        a = (a ^ 0xb55a_4f09) ^ (a >> 16)
        return a &* 3_221_225_473
    }
}

extension UInt32 {
    /// Rotation left; a count of 0 (or 32) leaves the value as it is.
    fileprivate func rotatedLeft(by count: UInt32) -> UInt32 {
        let count = count & 31
        return count == 0 ? self : (self << count) | (self >> (32 - count))
    }
}
