import Testing
@testable import UsherRouting

@Suite("PROXY protocol")
struct ProxyProtocolTests {
    static let v4 = ProxyProtocolHeader(source: IPAddress("192.0.2.10")!, sourcePort: 41830, destination: IPAddress("198.51.100.1")!, destinationPort: 443)
    static let v6 = ProxyProtocolHeader(source: IPAddress("2001:db8::10")!, sourcePort: 50000, destination: IPAddress("2001:db8::1")!, destinationPort: 8443)

    @Test func v1Text() {
        #expect(String(decoding: Self.v4.encodeV1(), as: UTF8.self) == "PROXY TCP4 192.0.2.10 198.51.100.1 41830 443\r\n")
        #expect(String(decoding: Self.v6.encodeV1(), as: UTF8.self) == "PROXY TCP6 2001:db8::10 2001:db8::1 50000 8443\r\n")
    }

    @Test func v2Bytes() {
        let bytes = Self.v4.encodeV2()
        #expect(Array(bytes.prefix(12)) == ProxyProtocolHeader.v2Signature)
        #expect(bytes[12] == 0x21)  // version 2, PROXY
        #expect(bytes[13] == 0x11)  // TCP over IPv4
        #expect(bytes[14] == 0 && bytes[15] == 12)
        #expect(Array(bytes[16..<28]) == [192, 0, 2, 10, 198, 51, 100, 1, 0xA3, 0x66, 0x01, 0xBB])
        #expect(bytes.count == 28)
        let six = Self.v6.encodeV2()
        #expect(six[13] == 0x21)
        #expect(six[14] == 0 && six[15] == 36)
        #expect(six.count == 52)
    }

    @Test(arguments: [1, 2])
    func roundTrips(version: Int) {
        for header in [Self.v4, Self.v6] {
            let bytes = version == 1 ? header.encodeV1() : header.encodeV2()
            #expect(ProxyProtocolParser.parse(bytes) == .header(header, length: bytes.count))
            // Bytes after the header are the client's: not part of it.
            #expect(ProxyProtocolParser.parse(bytes + Array("GET /".utf8)) == .header(header, length: bytes.count))
        }
    }

    @Test(arguments: [1, 2])
    func everyTruncationAsksForMore(version: Int) {
        for header in [Self.v4, Self.v6] {
            let bytes = version == 1 ? header.encodeV1() : header.encodeV2()
            for length in 0..<bytes.count {
                #expect(ProxyProtocolParser.parse(bytes.prefix(length)) == .needMoreData, "v\(version), \(length) of \(bytes.count) bytes")
            }
        }
    }

    @Test func mixedFamiliesAreSentAsIPv6() {
        let mixed = ProxyProtocolHeader(source: IPAddress("192.0.2.10")!, sourcePort: 1, destination: IPAddress("2001:db8::1")!, destinationPort: 2)
        #expect(String(decoding: mixed.encodeV1(), as: UTF8.self) == "PROXY TCP6 ::ffff:192.0.2.10 2001:db8::1 1 2\r\n")
        let mapped = ProxyProtocolHeader(source: IPAddress("::ffff:192.0.2.10")!, sourcePort: 1, destination: IPAddress("::ffff:192.0.2.1")!, destinationPort: 2)
        #expect(String(decoding: mapped.encodeV1(), as: UTF8.self) == "PROXY TCP4 192.0.2.10 192.0.2.1 1 2\r\n")
        #expect(mapped.encodeV2()[13] == 0x11)
    }

    @Test func unknownAndLocalKeepTheConnectionsAddresses() {
        let unknown = Array("PROXY UNKNOWN\r\n".utf8)
        #expect(ProxyProtocolParser.parse(unknown) == .header(nil, length: unknown.count))
        let unknownWithAddresses = Array("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n".utf8)
        #expect(ProxyProtocolParser.parse(unknownWithAddresses) == .header(nil, length: unknownWithAddresses.count))
        let local = ProxyProtocolHeader.v2Signature + [0x20, 0x00, 0x00, 0x00]
        #expect(ProxyProtocolParser.parse(local) == .header(nil, length: 16))
        let unspec = ProxyProtocolHeader.v2Signature + [0x21, 0x00, 0x00, 0x00]
        #expect(ProxyProtocolParser.parse(unspec) == .header(nil, length: 16))
    }

    @Test func v2TLVsAreKeptWithTheAddresses() {
        var bytes = Self.v4.encodeV2()
        bytes[15] = 12 + 7
        bytes += [0x01, 0x00, 0x04, 0x68, 0x32, 0x00, 0x00]  // an ALPN TLV
        var expected = Self.v4
        expected.fields = [ProxyProtocolHeader.Field(type: 0x01, value: [0x68, 0x32, 0x00, 0x00])]
        #expect(ProxyProtocolParser.parse(bytes) == .header(expected, length: 35))
    }

    @Test func invalidHeaders() {
        func isInvalid(_ bytes: [UInt8], sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Bool {
            if case .invalid = ProxyProtocolParser.parse(bytes) { return true }
            Issue.record("\(ProxyProtocolParser.parse(bytes))", sourceLocation: sourceLocation)
            return false
        }
        #expect(isInvalid(Array("GET / HTTP/1.1\r\n".utf8)))
        #expect(isInvalid(Array("PROXZ TCP4".utf8)))
        #expect(isInvalid(Array("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n".utf8)))
        #expect(isInvalid(Array("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n".utf8)))
        #expect(isInvalid(Array("PROXY TCP4 1.2.3.4 5.6.7.8 1 70000\r\n".utf8)))
        #expect(isInvalid(Array("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n".utf8)))
        #expect(isInvalid(Array("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n".utf8)))
        // The family must match the addresses.
        #expect(isInvalid(Array("PROXY TCP4 2001:db8::1 2001:db8::2 1 2\r\n".utf8)))
        #expect(isInvalid(Array("PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n".utf8)))
        // No CRLF within 107 bytes.
        #expect(isInvalid(Array(("PROXY TCP4 " + String(repeating: "1", count: 120)).utf8)))
        var badSignature = ProxyProtocolHeader.v2Signature
        badSignature[5] = 0xFF
        #expect(isInvalid(badSignature + [0x21, 0x11, 0, 12]))
        #expect(isInvalid(ProxyProtocolHeader.v2Signature + [0x11, 0x11, 0, 12] + [UInt8](repeating: 0, count: 12)))
        #expect(isInvalid(ProxyProtocolHeader.v2Signature + [0x2F, 0x11, 0, 12] + [UInt8](repeating: 0, count: 12)))
        #expect(isInvalid(ProxyProtocolHeader.v2Signature + [0x21, 0x11, 0, 8] + [UInt8](repeating: 0, count: 8)))
        #expect(isInvalid(ProxyProtocolHeader.v2Signature + [0x21, 0x21, 0, 12] + [UInt8](repeating: 0, count: 12)))
        #expect(isInvalid(ProxyProtocolHeader.v2Signature + [0x21, 0x11, 0x10, 0x00]))
    }
}

/// The type-length-value fields of version 2 headers.
@Suite struct ProxyProtocolFieldTests {
    /// A v2 PROXY header from 192.0.2.1:1000 to 192.0.2.2:443 with `fields` after the addresses.
    static func header(_ fields: [(UInt8, [UInt8])], checksum: Bool = false) -> [UInt8] {
        ProxyProtocolHeader(
            source: IPAddress("192.0.2.1")!, sourcePort: 1000, destination: IPAddress("192.0.2.2")!, destinationPort: 443,
            fields: fields.map { ProxyProtocolHeader.Field(type: $0.0, value: $0.1) }
        ).encodeV2(checksum: checksum)
    }

    @Test func crc32cKnownAnswer() {
        // The check value of CRC-32C over "123456789".
        #expect(ProxyProtocolParser.crc32c(Array("123456789".utf8)) == 0xe306_9283)
    }

    @Test func fieldsAreRead() throws {
        let bytes = Self.header([(0x02, Array("example.com".utf8)), (0x05, Array("circuit-42".utf8)), (0x04, [0, 0])], checksum: true)
        guard case .header(let header?, let length) = ProxyProtocolParser.parse(bytes + Array("GET".utf8)) else {
            Issue.record("not read: \(ProxyProtocolParser.parse(bytes))")
            return
        }
        #expect(length == bytes.count)
        #expect(header.field(ProxyProtocolHeader.Field.authority) == Array("example.com".utf8))
        #expect(header.field(ProxyProtocolHeader.Field.uniqueID) == Array("circuit-42".utf8))
        #expect(header.fields.count == 4)
        #expect(ConnectionInfo(header).proxyFields == header.fields)
    }

    @Test func malformedFieldsAreRefused() {
        var wrongChecksum = Self.header([(0x05, [1, 2, 3])], checksum: true)
        wrongChecksum[wrongChecksum.count - 1] ^= 0xff
        var pastTheEnd = Self.header([(0x02, Array("abc".utf8))])
        pastTheEnd[pastTheEnd.count - 4] = 9  // the field claims more bytes than the header has
        for (name, bytes) in [
            ("wrong CRC32C", wrongChecksum), ("field past the end", pastTheEnd),
            ("unique ID over 128 bytes", Self.header([(0x05, [UInt8](repeating: 0x41, count: 129))])),
        ] {
            guard case .invalid = ProxyProtocolParser.parse(bytes) else {
                Issue.record("\(name): \(ProxyProtocolParser.parse(bytes))")
                continue
            }
        }
        // Two stray bytes after the addresses: not a field.
        var stray = Self.header([])
        stray[15] += 2
        stray += [0x05, 0x00]
        guard case .invalid = ProxyProtocolParser.parse(stray) else {
            Issue.record("stray bytes: \(ProxyProtocolParser.parse(stray))")
            return
        }
    }
}
