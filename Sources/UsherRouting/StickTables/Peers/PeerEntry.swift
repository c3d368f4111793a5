import UsherConfig

/// One entry as an update message carries it: its key, its remaining lifetime (timed updates),
/// and its values by data type number.
public struct PeerEntry: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case integer(UInt64)
        /// A rate: milliseconds since its current period began, that period's count, the previous one's.
        case rate(elapsed: UInt32, current: UInt64, previous: UInt64)
        /// `server_key`: read past, not kept.
        case dictionary
    }

    public var key: StickKey
    /// Milliseconds the entry has left, sent in timed updates.
    public var expire: UInt32?
    /// Each data type's elements (one unless an array), by HAProxy's number.
    public var values: [Int: [Value]]

    public init(key: StickKey, expire: UInt32? = nil, values: [Int: [Value]]) {
        self.key = key
        self.expire = expire
        self.values = values
    }

    /// An update message's payload: the update id (when `identified`), the lifetime (when `timed`
    /// and known), the key as the table's type writes it, then the values `dataTypes` lists.
    public func encode(updateID: UInt32?, keyType: StickTableDefinition.KeyType, dataTypes: [PeerTableDefinition.DataType]) -> [UInt8] {
        var bytes: [UInt8] = []
        if let updateID { bytes.appendBigEndian(updateID) }
        if let expire { bytes.appendBigEndian(expire) }
        Self.encodeKey(key, type: keyType, into: &bytes)
        for type in dataTypes {
            let elements = values[type.id] ?? []
            for element in 0..<type.count {
                let value = element < elements.count ? elements[element] : nil
                switch PeerDataType.storage(type.id) {
                case .integer:
                    if case .integer(let number)? = value { PeerVarint.encode(number, into: &bytes) } else { bytes.append(0) }
                case .rate:
                    if case .rate(let elapsed, let current, let previous)? = value {
                        PeerVarint.encode(UInt64(elapsed), into: &bytes)
                        PeerVarint.encode(current, into: &bytes)
                        PeerVarint.encode(previous, into: &bytes)
                    } else {
                        bytes += [0, 0, 0]
                    }
                case .dictionary:
                    bytes.append(0)
                }
            }
        }
        return bytes
    }

    /// Reads an update's payload with the sender's data types and the local table's key type
    /// (the definition was checked to have the same key).
    public static func decode(
        _ payload: ArraySlice<UInt8>, identified: Bool, timed: Bool, keyType: StickTableDefinition.KeyType, dataTypes: [PeerTableDefinition.DataType]
    ) throws(PeerProtocolError) -> (updateID: UInt32?, entry: PeerEntry) {
        var index = payload.startIndex
        var updateID: UInt32?
        if identified {
            guard let id = payload.readBigEndianUInt32(at: &index) else { throw PeerProtocolError("an update message too short for its update id") }
            updateID = id
        }
        var expire: UInt32?
        if timed {
            guard let remaining = payload.readBigEndianUInt32(at: &index) else { throw PeerProtocolError("a timed update message too short for its expiry") }
            // HAProxy sends a signed number; an entry already past its time goes at once.
            expire = Int32(bitPattern: remaining) < 0 ? 0 : remaining
        }
        let key = try decodeKey(payload, at: &index, type: keyType)
        var values: [Int: [Value]] = [:]
        func number() throws(PeerProtocolError) -> UInt64 {
            guard let value = PeerVarint.decode(payload, at: &index) else { throw PeerProtocolError("an update message cut short in its values") }
            return value
        }
        for type in dataTypes {
            var elements: [Value] = []
            for _ in 0..<type.count {
                switch PeerDataType.storage(type.id) {
                case .integer:
                    elements.append(.integer(try number()))
                case .rate:
                    let elapsed = try number()
                    let current = try number()
                    let previous = try number()
                    elements.append(.rate(elapsed: UInt32(truncatingIfNeeded: elapsed), current: current, previous: previous))
                case .dictionary:
                    let length = try number()
                    guard length <= UInt64(payload.endIndex - index) else { throw PeerProtocolError("an update message whose server key runs past its end") }
                    index += Int(length)
                    elements.append(.dictionary)
                }
            }
            values[type.id] = elements
        }
        return (updateID, PeerEntry(key: key, expire: expire, values: values))
    }

    static func encodeKey(_ key: StickKey, type: StickTableDefinition.KeyType, into bytes: inout [UInt8]) {
        switch (key, type) {
        case (.ipv4(let address), _), (.integer(let address), _):
            bytes.appendBigEndian(address)
        case (.ipv6(let high, let low), _):
            for half in [high, low] {
                bytes.appendBigEndian(UInt32(truncatingIfNeeded: half >> 32))
                bytes.appendBigEndian(UInt32(truncatingIfNeeded: half))
            }
        case (.bytes(let raw), .string):
            PeerVarint.encode(UInt64(raw.count), into: &bytes)
            bytes += raw
        case (.bytes(let raw), .binary(let length)):
            bytes += raw.prefix(length)
            if raw.count < length { bytes += [UInt8](repeating: 0, count: length - raw.count) }
        case (.bytes(let raw), _):
            bytes += raw
        }
    }

    static func decodeKey(_ payload: ArraySlice<UInt8>, at index: inout Int, type: StickTableDefinition.KeyType) throws(PeerProtocolError) -> StickKey {
        func take(_ count: Int) throws(PeerProtocolError) -> ArraySlice<UInt8> {
            guard count <= payload.endIndex - index else { throw PeerProtocolError("an update message too short for its key") }
            defer { index += count }
            return payload[index..<index + count]
        }
        switch type {
        case .ip:
            guard let address = payload.readBigEndianUInt32(at: &index) else { throw PeerProtocolError("an update message too short for its key") }
            return .ipv4(address)
        case .integer:
            guard let number = payload.readBigEndianUInt32(at: &index) else { throw PeerProtocolError("an update message too short for its key") }
            return .integer(number)
        case .ipv6:
            let bytes = try take(16)
            let high = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = bytes.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return .ipv6(high, low)
        case .string(let length):
            guard let count = PeerVarint.decode(payload, at: &index), count <= UInt64(payload.endIndex - index) else {
                throw PeerProtocolError("an update message whose string key runs past its end")
            }
            let bytes = try take(Int(count))
            return .bytes(Array(bytes.prefix(length)))
        case .binary(let length):
            return .bytes(Array(try take(length)))
        }
    }
}
