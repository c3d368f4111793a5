import UsherConfig

/// Reads a PROXY protocol header (v1 or v2) at the start of a connection accepted with
/// `bind … accept-proxy`.
public enum ProxyProtocolParser {
    public enum Result: Sendable, Equatable {
        case needMoreData
        /// The header, and how many bytes it took. `header` is nil for `PROXY UNKNOWN` and the v2
        /// LOCAL command: the connection's own addresses apply.
        case header(ProxyProtocolHeader?, length: Int)
        case invalid(String)
    }

    static let badFields = "PROXY protocol v2 header with malformed fields (a field past the end, a unique ID over 128 bytes, or a wrong CRC32C)"

    /// The type-length-value fields of `header[start..<end]`; nil when one runs past the end, a
    /// unique ID is longer than the 128 bytes the specification allows, or a CRC32C field does not
    /// match the header (computed with its own value zeroed).
    static func fields(_ header: [UInt8], from start: Int, to end: Int) -> [ProxyProtocolHeader.Field]? {
        var fields: [ProxyProtocolHeader.Field] = []
        var position = start
        var checksumAt: Int? = nil
        while position < end {
            guard end - position >= 3 else { return nil }
            let type = header[position]
            let length = Int(header[position + 1]) << 8 | Int(header[position + 2])
            let valueStart = position + 3
            guard end - valueStart >= length else { return nil }
            let value = Array(header[valueStart..<(valueStart + length)])
            switch type {
            case ProxyProtocolHeader.Field.uniqueID where length > 128: return nil
            case ProxyProtocolHeader.Field.checksum:
                guard length == 4 else { return nil }
                checksumAt = valueStart
            default: break
            }
            fields.append(ProxyProtocolHeader.Field(type: type, value: value))
            position = valueStart + length
        }
        if let checksumAt {
            var zeroed = Array(header[0..<end])
            let sent = UInt32(zeroed[checksumAt]) << 24 | UInt32(zeroed[checksumAt + 1]) << 16 | UInt32(zeroed[checksumAt + 2]) << 8 | UInt32(zeroed[checksumAt + 3])
            for offset in 0..<4 { zeroed[checksumAt + offset] = 0 }
            guard crc32c(zeroed) == sent else { return nil }
        }
        return fields
    }

    /// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the PROXY protocol's checksum.
    static func crc32c(_ bytes: [UInt8]) -> UInt32 {
        HashType.reflectedCRC32(bytes, polynomial: 0x82f6_3b78)
    }

    /// Longest v1 line, CRLF included, as the specification sets it.
    static let maximumV1Length = 107

    public static func parse(_ bytes: some Collection<UInt8>) -> Result {
        let data = Array(bytes.prefix(536))
        guard let first = data.first else { return .needMoreData }
        if first == 0x0D { return parseV2(data) }
        if first == UInt8(ascii: "P") { return parseV1(data) }
        return .invalid("the connection does not start with a PROXY protocol header")
    }

    static func parseV1(_ data: [UInt8]) -> Result {
        let prefix = Array("PROXY ".utf8)
        for (index, byte) in data.prefix(prefix.count).enumerated() where byte != prefix[index] {
            return .invalid("the connection does not start with a PROXY protocol header")
        }
        guard let lf = data.firstIndex(of: 0x0A) else {
            return data.count >= maximumV1Length ? .invalid("PROXY protocol v1 line longer than 107 bytes") : .needMoreData
        }
        guard lf > 0, data[lf - 1] == 0x0D, lf + 1 <= maximumV1Length else {
            return .invalid("PROXY protocol v1 line not ended by CRLF within 107 bytes")
        }
        let line = String(decoding: data[prefix.count..<(lf - 1)], as: UTF8.self)
        let words = line.split(separator: " ", omittingEmptySubsequences: false)
        if words.first == "UNKNOWN" { return .header(nil, length: lf + 1) }
        guard words.count == 5, words[0] == "TCP4" || words[0] == "TCP6",
            let source = IPAddress(words[1]), let destination = IPAddress(words[2]),
            // The addresses must be of the family the line announces.
            source.isV4 == (words[0] == "TCP4"), destination.isV4 == (words[0] == "TCP4"),
            let sourcePort = Int(words[3]), let destinationPort = Int(words[4]),
            (0...65535).contains(sourcePort), (0...65535).contains(destinationPort)
        else {
            return .invalid("malformed PROXY protocol v1 line '\(line)'")
        }
        return .header(ProxyProtocolHeader(source: source, sourcePort: sourcePort, destination: destination, destinationPort: destinationPort), length: lf + 1)
    }

    static func parseV2(_ data: [UInt8]) -> Result {
        let signature = ProxyProtocolHeader.v2Signature
        for (index, byte) in data.prefix(signature.count).enumerated() where byte != signature[index] {
            return .invalid("the connection does not start with a PROXY protocol header")
        }
        guard data.count >= 16 else { return .needMoreData }
        let versionCommand = data[12]
        guard versionCommand >> 4 == 2 else { return .invalid("unsupported PROXY protocol version \(versionCommand >> 4)") }
        let length = Int(data[14]) << 8 | Int(data[15])
        guard data.count >= 16 + length else {
            return 16 + length > 536 ? .invalid("PROXY protocol v2 header too long") : .needMoreData
        }
        let total = 16 + length
        switch versionCommand & 0x0F {
        case 0x0: return .header(nil, length: total)
        case 0x1: break
        default: return .invalid("unknown PROXY protocol v2 command")
        }
        let body = data[16..<total]
        switch data[13] {
        case 0x11, 0x12:
            guard length >= 12 else { return .invalid("PROXY protocol v2 IPv4 block too short") }
            let b = Array(body)
            guard let fields = fields(data, from: 16 + 12, to: total) else { return .invalid(badFields) }
            return .header(ProxyProtocolHeader(
                source: IPAddress(bytes: b[0..<4])!, sourcePort: Int(b[8]) << 8 | Int(b[9]),
                destination: IPAddress(bytes: b[4..<8])!, destinationPort: Int(b[10]) << 8 | Int(b[11]), fields: fields
            ), length: total)
        case 0x21, 0x22:
            guard length >= 36 else { return .invalid("PROXY protocol v2 IPv6 block too short") }
            let b = Array(body)
            guard let fields = fields(data, from: 16 + 36, to: total) else { return .invalid(badFields) }
            return .header(ProxyProtocolHeader(
                source: IPAddress(bytes: b[0..<16])!, sourcePort: Int(b[32]) << 8 | Int(b[33]),
                destination: IPAddress(bytes: b[16..<32])!, destinationPort: Int(b[34]) << 8 | Int(b[35]), fields: fields
            ), length: total)
        default:
            // UNSPEC or unix sockets: keep the connection's own addresses.
            return .header(nil, length: total)
        }
    }
}
