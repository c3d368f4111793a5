import UsherConfig

/// A table definition message: which of the sender's tables the next updates are for (by the
/// table's name), its key, and the data each update carries, in data-type order.
public struct PeerTableDefinition: Sendable, Equatable {
    /// One stored data type: HAProxy's number for it, an array's element count, a rate's period.
    public struct DataType: Sendable, Equatable {
        public var id: Int
        public var count: Int
        public var period: UInt64?

        public init(id: Int, count: Int = 1, period: UInt64? = nil) {
            self.id = id
            self.count = count
            self.period = period
        }
    }

    /// The sender's number for the table (acknowledgements and switches name it).
    public var id: UInt64
    /// The name both sides give the table: a proxy's name, or a peers section table's own name.
    public var name: String
    /// HAProxy's key type numbers: 2 integer, 4 IPv4, 5 IPv6, 6 string, 7 binary.
    public var keyType: UInt64
    /// The key's size (a string's maximum plus its terminating zero, as HAProxy counts it).
    public var keyLength: UInt64
    /// The data types, ascending; those this side cannot read make `isReadable` false.
    public var dataTypes: [DataType]
    /// Every bit the sender set, known or not.
    public var dataTypeBits: UInt64
    /// The table's `expire` in milliseconds (older senders leave it out).
    public var expire: UInt64?
    /// False when the updates cannot be read: an unknown data type, or an array without its size.
    public var isReadable: Bool

    public init(id: UInt64, name: String, keyType: UInt64, keyLength: UInt64, dataTypes: [DataType], expire: UInt64?) {
        self.id = id
        self.name = name
        self.keyType = keyType
        self.keyLength = keyLength
        self.dataTypes = dataTypes
        self.dataTypeBits = dataTypes.reduce(0) { $0 | 1 << UInt64($1.id) }
        self.expire = expire
        self.isReadable = true
    }

    /// The definition of a local table: the data it stores that the protocol carries.
    public init(id: UInt64, table definition: StickTableDefinition) {
        let dataTypes = definition.stored.sorted { $0.kind < $1.kind }.compactMap { data -> DataType? in
            // usher keeps no server keys (`store server_key` is not applied): nothing to send.
            guard data.kind != .serverKey, let id = PeerDataType.id(of: data.kind) else { return nil }
            return DataType(id: id, count: data.count, period: data.kind.isRate ? UInt64(max(1, data.period?.milliseconds ?? 1)) : nil)
        }
        self.init(
            id: id, name: Self.sharedName(of: definition), keyType: Self.keyTypeNumber(definition.keyType),
            keyLength: Self.keyLength(definition), dataTypes: dataTypes, expire: UInt64(max(0, definition.expire?.milliseconds ?? 0)))
    }

    /// The name a table goes by on the wire: a proxy's name, and for a peers section's
    /// `SECTION/NAME`, `/NAME` (HAProxy 2.6 drops the section's name but keeps the slash).
    public static func sharedName(of definition: StickTableDefinition) -> String {
        if let peers = definition.peers, definition.name.hasPrefix(peers + "/") {
            return String(definition.name.dropFirst(peers.count))
        }
        return definition.name
    }

    public static func keyTypeNumber(_ type: StickTableDefinition.KeyType) -> UInt64 {
        switch type {
        case .integer: 2
        case .ip: 4
        case .ipv6: 5
        case .string: 6
        case .binary: 7
        }
    }

    /// HAProxy counts a string key's terminating zero in a given length, not in its default of 32.
    public static func keyLength(_ definition: StickTableDefinition) -> UInt64 {
        switch definition.keyType {
        case .integer, .ip: 4
        case .ipv6: 16
        case .string(let length): definition.keyLengthGiven ? UInt64(length + 1) : UInt64(length)
        case .binary(let length): UInt64(length)
        }
    }

    /// Whether the sender's table has the same key as `definition` (else its updates are ignored).
    public func matches(_ definition: StickTableDefinition) -> Bool {
        keyType == Self.keyTypeNumber(definition.keyType) && keyLength == Self.keyLength(definition)
    }

    func encode(into bytes: inout [UInt8]) {
        PeerVarint.encode(id, into: &bytes)
        let name = Array(name.utf8)
        PeerVarint.encode(UInt64(name.count), into: &bytes)
        bytes += name
        PeerVarint.encode(keyType, into: &bytes)
        PeerVarint.encode(keyLength, into: &bytes)
        PeerVarint.encode(dataTypeBits, into: &bytes)
        PeerVarint.encode(expire ?? 0, into: &bytes)
        // Then each array's size and each rate's period, behind its data type's number.
        for type in dataTypes {
            let isArray = PeerDataType.isArray(type.id)
            let isRate = PeerDataType.storage(type.id) == .rate
            guard isArray || isRate else { continue }
            PeerVarint.encode(UInt64(type.id), into: &bytes)
            if isArray { PeerVarint.encode(UInt64(type.count), into: &bytes) }
            if isRate { PeerVarint.encode(type.period ?? 0, into: &bytes) }
        }
    }

    static func decode(_ payload: ArraySlice<UInt8>) throws(PeerProtocolError) -> PeerTableDefinition {
        var index = payload.startIndex
        func number(_ what: String) throws(PeerProtocolError) -> UInt64 {
            guard let value = PeerVarint.decode(payload, at: &index) else { throw PeerProtocolError("a table definition cut short before its \(what)") }
            return value
        }
        let id = try number("table id")
        let nameLength = try number("name length")
        guard nameLength > 0, nameLength < UInt64(payload.endIndex - index) else {
            throw PeerProtocolError("a table definition whose name length (\(nameLength)) does not fit the message")
        }
        let name = String(decoding: payload[index..<index + Int(nameLength)], as: UTF8.self)
        index += Int(nameLength)
        let keyType = try number("key type")
        let keyLength = try number("key length")
        let bits = try number("data types")
        var definition = PeerTableDefinition(id: id, name: name, keyType: keyType, keyLength: keyLength, dataTypes: [], expire: nil)
        definition.dataTypeBits = bits
        var types: [DataType] = []
        for typeID in 0..<64 where bits & (1 << UInt64(typeID)) != 0 {
            types.append(DataType(id: typeID))
        }
        definition.isReadable = types.allSatisfy { PeerDataType.isKnown($0.id) }
        if let expire = PeerVarint.decode(payload, at: &index) {
            definition.expire = expire
            for position in types.indices where PeerDataType.isKnown(types[position].id) {
                let typeID = types[position].id
                let isArray = PeerDataType.isArray(typeID)
                let isRate = PeerDataType.storage(typeID) == .rate
                guard isArray || isRate else { continue }
                guard let prefix = PeerVarint.decode(payload, at: &index), prefix == UInt64(typeID) else {
                    definition.isReadable = false
                    break
                }
                if isArray {
                    guard let count = PeerVarint.decode(payload, at: &index), count >= 1, count <= 100 else {
                        definition.isReadable = false
                        break
                    }
                    types[position].count = Int(count)
                }
                if isRate {
                    guard let period = PeerVarint.decode(payload, at: &index) else {
                        definition.isReadable = false
                        break
                    }
                    types[position].period = period
                }
            }
        } else if types.contains(where: { PeerDataType.isArray($0.id) }) {
            // An array's size is mandatory to read its elements.
            definition.isReadable = false
        }
        definition.dataTypes = types
        return definition
    }
}

/// HAProxy's numbering of stick-table data types (its `STKTABLE_DT_*`), which is the order of
/// `StickData.Kind`, and how each travels.
public enum PeerDataType {
    public enum Storage: Sendable, Equatable {
        /// A varint: a signed or unsigned 32-bit integer, or a 64-bit one.
        case integer
        /// Three varints: milliseconds since the current period began, its count, the previous period's.
        case rate
        /// `server_key`: a varint length, then a dictionary entry (skipped by usher).
        case dictionary
    }

    /// The number of the data types HAProxy 2.6 knows (gpt0 … gpc_rate).
    public static let knownCount = 25

    public static func id(of kind: StickData.Kind) -> Int? {
        StickData.Kind.allCases.firstIndex(of: kind)
    }

    public static func kind(_ id: Int) -> StickData.Kind? {
        id >= 0 && id < StickData.Kind.allCases.count ? StickData.Kind.allCases[id] : nil
    }

    static func isKnown(_ id: Int) -> Bool { id >= 0 && id < knownCount }

    static func isArray(_ id: Int) -> Bool { kind(id)?.isArray ?? false }

    static func storage(_ id: Int) -> Storage {
        guard let kind = kind(id) else { return .integer }
        if kind == .serverKey { return .dictionary }
        return kind.isRate ? .rate : .integer
    }
}
