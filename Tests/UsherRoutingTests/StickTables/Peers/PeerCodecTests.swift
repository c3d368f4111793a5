import Testing
import UsherConfig
@testable import UsherRouting

@Suite struct PeerVarintTests {
    /// The boundaries of the encoding's lengths, as HAProxy's peers protocol document lists them.
    @Test(arguments: [
        (UInt64(0), 1), (239, 1), (240, 2), (2287, 2), (2288, 3), (264_431, 3), (264_432, 4), (33_818_863, 4), (33_818_864, 5),
        (4_328_786_159, 5), (4_328_786_160, 6), (UInt64.max, 10),
    ])
    func lengths(value: UInt64, length: Int) {
        var bytes: [UInt8] = []
        PeerVarint.encode(value, into: &bytes)
        #expect(bytes.count == length)
        var index = 0
        #expect(PeerVarint.decode(bytes[...], at: &index) == value)
        #expect(index == length)
    }

    @Test func knownBytes() {
        var bytes: [UInt8] = []
        PeerVarint.encode(240, into: &bytes)
        #expect(bytes == [0xF0, 0x00])
        bytes = []
        PeerVarint.encode(1000, into: &bytes)
        // 1000: low nibble 8 with the top bits set, then (1000 - 240) >> 4 = 47.
        #expect(bytes == [0xF8, 47])
    }

    @Test func truncatedAndOverlong() {
        var index = 0
        #expect(PeerVarint.decode([0xF8][...], at: &index) == nil)
        index = 0
        #expect(PeerVarint.decode([UInt8](repeating: 0xFF, count: 12)[...], at: &index) == nil)
    }
}

@Suite struct PeerMessageTests {
    let definition = StickTableDefinition(
        name: "web", keyType: .ip, size: 100, expire: .seconds(60), peers: "mesh",
        stored: [StickData(.httpRequestRate, period: .seconds(10)), StickData(.connectionsCurrent), StickData(.gpc0), StickData(.bytesInCount), StickData(.gpcArray, count: 2)],
        location: SourceLocation(file: "t.cfg", line: 1))

    @Test func definitionRoundTrip() throws {
        let message = PeerMessage.define(PeerTableDefinition(id: 3, table: definition))
        var bytes: [UInt8] = []
        message.encode(into: &bytes)
        #expect(bytes[0] == 10 && bytes[1] == 0x82)
        var reader = PeerMessageReader()
        reader.append(bytes)
        let decoded = try reader.next()
        guard case .define(let read) = decoded else {
            Issue.record("not a definition: \(String(describing: decoded))")
            return
        }
        #expect(read.name == "web")
        #expect(read.keyType == 4 && read.keyLength == 4)
        #expect(read.expire == 60000)
        #expect(read.isReadable)
        // gpc0 2, conn_cur 6, http_req_rate 10, bytes_in_cnt 13, gpc 23 (ascending).
        #expect(read.dataTypes.map(\.id) == [2, 6, 10, 13, 23])
        #expect(read.dataTypes.first { $0.id == 10 }?.period == 10000)
        #expect(read.dataTypes.first { $0.id == 23 }?.count == 2)
        #expect(read == PeerTableDefinition(id: 3, table: definition))
    }

    /// A proxy's table goes by the proxy's name; a peers section's `mesh/t` by `/t`, as HAProxy
    /// 2.6 names it on the wire.
    @Test func sharedNames() {
        #expect(PeerTableDefinition.sharedName(of: definition) == "web")
        var sectionTable = definition
        sectionTable.name = "mesh/t"
        #expect(PeerTableDefinition.sharedName(of: sectionTable) == "/t")
    }

    /// HAProxy counts a given string length plus its terminating zero, its default (32) as is.
    @Test func stringKeyLengths() {
        var table = definition
        table.keyType = .string(length: 32)
        #expect(PeerTableDefinition(id: 1, table: table).keyLength == 32)
        table.keyLengthGiven = true
        #expect(PeerTableDefinition(id: 1, table: table).keyLength == 33)
        table.keyType = .binary(length: 8)
        #expect(PeerTableDefinition(id: 1, table: table).keyLength == 8)
    }

    @Test func updateRoundTrip() throws {
        let types = PeerTableDefinition(id: 1, table: definition).dataTypes
        let entry = PeerEntry(key: .ipv4(0x7F00_0001), expire: 5000, values: [
            2: [.integer(7)], 6: [.integer(1)], 10: [.rate(elapsed: 1234, current: 30, previous: 12)], 13: [.integer(1 << 40)], 23: [.integer(1), .integer(2)],
        ])
        let payload = entry.encode(updateID: 42, keyType: .ip, dataTypes: types)
        // The id, the expiry, then the address in network order.
        #expect(Array(payload.prefix(12)) == [0, 0, 0, 42, 0, 0, 0x13, 0x88, 127, 0, 0, 1])
        let (id, read) = try PeerEntry.decode(payload[...], identified: true, timed: true, keyType: .ip, dataTypes: types)
        #expect(id == 42)
        #expect(read == entry)
    }

    @Test(arguments: [
        (StickTableDefinition.KeyType.integer, StickKey.integer(77)),
        (.ipv6, .ipv6(0x2001_0db8_0000_0000, 1)),
        (.string(length: 10), .bytes(Array("abc".utf8))),
        (.binary(length: 4), .bytes([1, 2, 3, 4])),
    ])
    func keys(type: StickTableDefinition.KeyType, key: StickKey) throws {
        let entry = PeerEntry(key: key, values: [:])
        let payload = entry.encode(updateID: nil, keyType: type, dataTypes: [])
        let (id, read) = try PeerEntry.decode(payload[...], identified: false, timed: false, keyType: type, dataTypes: [])
        #expect(id == nil)
        #expect(read.key == key)
    }

    @Test func truncatedUpdateIsAnError() {
        let types = PeerTableDefinition(id: 1, table: definition).dataTypes
        let payload = PeerEntry(key: .ipv4(1), values: [10: [.rate(elapsed: 1, current: 2, previous: 3)]]).encode(updateID: 1, keyType: .ip, dataTypes: types)
        for cut in 0..<payload.count {
            #expect(throws: PeerProtocolError.self) {
                _ = try PeerEntry.decode(payload.prefix(cut), identified: true, timed: false, keyType: .ip, dataTypes: types)
            }
        }
    }

    @Test func readerWaitsForWholeMessagesAndBoundsThem() throws {
        var bytes: [UInt8] = []
        PeerMessage.control(.heartbeat).encode(into: &bytes)
        PeerMessage.ack(table: 2, update: 99).encode(into: &bytes)
        var reader = PeerMessageReader()
        var messages: [PeerMessage] = []
        for byte in bytes {
            reader.append([byte])
            while let message = try reader.next() { messages.append(message) }
        }
        #expect(messages == [.control(.heartbeat), .ack(table: 2, update: 99)])

        var small = PeerMessageReader(maximumMessageLength: 100)
        var big: [UInt8] = []
        PeerMessage.update(identified: true, timed: false, payload: [UInt8](repeating: 0, count: 200)).encode(into: &big)
        small.append(big.prefix(4))
        #expect(throws: PeerProtocolError("a message of 200 bytes, more than the 100 accepted", isSizeLimit: true)) { _ = try small.next() }

        var reserved = PeerMessageReader()
        reserved.append([255, 0])
        #expect(throws: PeerProtocolError.self) { _ = try reserved.next() }
    }

    @Test func unknownMessagesAreKept() throws {
        var reader = PeerMessageReader()
        reader.append([0, 9, 10, 0x90, 2, 1, 2])
        #expect(try reader.next() == .other(messageClass: 0, type: 9, payload: []))
        #expect(try reader.next() == .other(messageClass: 10, type: 0x90, payload: [1, 2]))
    }
}

@Suite struct PeerDataTests {
    /// HAProxy's `server_key` (a dictionary entry) is read past: the values after it still land.
    @Test func serverKeyIsSkipped() throws {
        let types = [PeerTableDefinition.DataType(id: 19), PeerTableDefinition.DataType(id: 20)]
        // Key 1.2.3.4; server_key: 5 bytes (id 1, length 3, "web"); http_fail_cnt 7.
        let payload: [UInt8] = [1, 2, 3, 4, 5, 1, 3, 0x77, 0x65, 0x62, 7]
        let (_, entry) = try PeerEntry.decode(payload[...], identified: false, timed: false, keyType: .ip, dataTypes: types)
        #expect(entry.values[19] == [.dictionary])
        #expect(entry.values[20] == [.integer(7)])
        #expect(throws: PeerProtocolError.self) {
            _ = try PeerEntry.decode([1, 2, 3, 4, 9, 1][...], identified: false, timed: false, keyType: .ip, dataTypes: types)
        }
    }

    /// A definition naming a data type usher does not know cannot be read: its table's updates
    /// are ignored rather than misread.
    @Test func unknownDataTypesMakeADefinitionUnreadable() throws {
        var payload: [UInt8] = []
        PeerVarint.encode(1, into: &payload)
        PeerVarint.encode(1, into: &payload)
        payload += Array("t".utf8)
        PeerVarint.encode(4, into: &payload)
        PeerVarint.encode(4, into: &payload)
        PeerVarint.encode(1 << 30, into: &payload)
        PeerVarint.encode(0, into: &payload)
        let definition = try PeerTableDefinition.decode(payload[...])
        #expect(!definition.isReadable)
    }

    @Test func changeLogKeepsTheLatestChangeOfEachKeyAndWraps() {
        var log = StickTableChangeLog()
        for round in 0..<3000 { log.record(.integer(UInt32(round % 10))) }
        let changes = log.changes(after: 0, limit: 100)
        #expect(changes.map(\.key) == (0..<10).map { StickKey.integer(UInt32($0)) })
        #expect(changes.last?.id == 3000)
        #expect(log.changes(after: 2995, limit: 100).map(\.id) == [2996, 2997, 2998, 2999, 3000])
        #expect(StickTableChangeLog.isAfter(1, UInt32.max))
        #expect(!StickTableChangeLog.isAfter(UInt32.max, 1))
    }
}
