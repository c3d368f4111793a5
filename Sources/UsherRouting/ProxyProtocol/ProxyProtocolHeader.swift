/// The PROXY protocol header (versions 1 and 2, as specified by HAProxy's proxy-protocol.txt) that
/// tells a server the client's real addresses.
public struct ProxyProtocolHeader: Sendable, Equatable {
    public var source: IPAddress
    public var sourcePort: Int
    public var destination: IPAddress
    public var destinationPort: Int
    /// Version 2's type-length-value fields after the addresses, in order (`fc_pp_authority`,
    /// `fc_pp_unique_id` read them).
    public var fields: [Field] = []

    /// One type-length-value field of a version 2 header.
    public struct Field: Sendable, Equatable {
        public var type: UInt8
        public var value: [UInt8]

        public init(type: UInt8, value: [UInt8]) {
            self.type = type
            self.value = value
        }

        /// The types the specification names that usher reads.
        public static let authority: UInt8 = 0x02
        public static let checksum: UInt8 = 0x03
        public static let uniqueID: UInt8 = 0x05
    }

    public init(source: IPAddress, sourcePort: Int, destination: IPAddress, destinationPort: Int, fields: [Field] = []) {
        self.source = source
        self.sourcePort = sourcePort
        self.destination = destination
        self.destinationPort = destinationPort
        self.fields = fields
    }

    /// The value of the first field of `type`.
    public func field(_ type: UInt8) -> [UInt8]? {
        fields.first { $0.type == type }?.value
    }

    /// The twelve bytes that start every version 2 header.
    public static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    /// Both addresses in one family: IPv4 when both are (or map to) IPv4, else IPv6.
    var sameFamily: (IPAddress, IPAddress) {
        let s = source.unmapped, d = destination.unmapped
        switch (s, d) {
        case (.v4, .v4), (.v6, .v6): return (s, d)
        case (.v4(let value), .v6): return (.v6(0, 0xFFFF_0000_0000 | UInt64(value)), d)
        case (.v6, .v4(let value)): return (s, .v6(0, 0xFFFF_0000_0000 | UInt64(value)))
        }
    }

    /// The version 1 header for a connection without IP addresses (a UNIX-socket client), as
    /// HAProxy sends it: the server uses the connection's own addresses.
    public static let unknownV1: [UInt8] = Array("PROXY UNKNOWN\r\n".utf8)

    /// The version 2 header for the same case, as HAProxy sends it: the LOCAL command, family
    /// UNSPEC, no address block.
    public static let localV2: [UInt8] = v2Signature + [0x20, 0x00, 0x00, 0x00]

    /// `PROXY TCP4 1.2.3.4 5.6.7.8 1234 443\r\n`
    public func encodeV1() -> [UInt8] {
        let (s, d) = sameFamily
        let family: String
        if case .v4 = s { family = "TCP4" } else { family = "TCP6" }
        return Array("PROXY \(family) \(s) \(d) \(sourcePort) \(destinationPort)\r\n".utf8)
    }

    /// The binary header: signature, version 2 + PROXY command, TCP over IPv4 or IPv6, addresses,
    /// then the fields; with `checksum`, a CRC32C field last, over the whole header.
    public func encodeV2(checksum: Bool = false) -> [UInt8] {
        let (s, d) = sameFamily
        var bytes = Self.v2Signature
        bytes.append(0x21)
        let addresses: [UInt8]
        if case .v4 = s {
            bytes.append(0x11)
            addresses = s.bytes + d.bytes
        } else {
            bytes.append(0x21)
            addresses = s.bytes + d.bytes
        }
        var tail: [UInt8] = []
        for field in fields + (checksum ? [Field(type: Field.checksum, value: [0, 0, 0, 0])] : []) {
            tail += [field.type, UInt8(field.value.count >> 8 & 0xFF), UInt8(field.value.count & 0xFF)] + field.value
        }
        let length = addresses.count + 4 + tail.count
        bytes.append(UInt8(length >> 8))
        bytes.append(UInt8(length & 0xFF))
        bytes += addresses
        bytes += [UInt8(sourcePort >> 8 & 0xFF), UInt8(sourcePort & 0xFF), UInt8(destinationPort >> 8 & 0xFF), UInt8(destinationPort & 0xFF)]
        bytes += tail
        if checksum {
            let crc = ProxyProtocolParser.crc32c(bytes)
            bytes.replaceSubrange((bytes.count - 4)..., with: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
        }
        return bytes
    }
}
