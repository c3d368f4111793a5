/// One message of HAProxy's peers protocol (after the handshake): two bytes (class, type), then,
/// for types of 128 and above, a varint length and that many bytes.
public enum PeerMessage: Sendable, Equatable {
    /// Class 0.
    public enum Control: UInt8, Sendable {
        /// "Send me everything you know."
        case resyncRequest = 0
        /// Everything was sent, and the sender was up to date.
        case resyncFinished = 1
        /// Everything was sent, but the sender itself had not learnt everything.
        case resyncPartial = 2
        /// The answer to `resyncFinished` and `resyncPartial`.
        case resyncConfirm = 3
        case heartbeat = 4
    }

    /// Class 1: the sender closes the connection after it.
    public enum Failure: UInt8, Sendable {
        case protocolError = 0
        case sizeLimit = 1
    }

    case control(Control)
    case error(Failure)
    /// Class 10, type 0x82: which table the next updates are for, and what they carry.
    case define(PeerTableDefinition)
    /// Class 10, type 0x83: the next updates are for the table the sender defined with this id.
    case switchTable(UInt64)
    /// Class 10, types 0x80, 0x81, 0x85, 0x86: an entry's key and values, read with the table's
    /// definition (`PeerUpdate.decode`); `identified` if it starts with a 32-bit update id,
    /// `timed` if then with the entry's remaining lifetime.
    case update(identified: Bool, timed: Bool, payload: [UInt8])
    /// Class 10, type 0x84: the receiver of the updates of the table the sender of this message
    /// knows as `table` (the id from its definition) has applied them up to `update`.
    case ack(table: UInt64, update: UInt32)
    /// Anything else: ignored, as HAProxy ignores what it does not know.
    case other(messageClass: UInt8, type: UInt8, payload: [UInt8])

    static let controlClass: UInt8 = 0
    static let errorClass: UInt8 = 1
    static let stickTableClass: UInt8 = 10
    static let reservedClass: UInt8 = 255

    /// Appends the message's bytes.
    public func encode(into bytes: inout [UInt8]) {
        switch self {
        case .control(let type):
            bytes += [Self.controlClass, type.rawValue]
        case .error(let type):
            bytes += [Self.errorClass, type.rawValue]
        case .define(let definition):
            var payload: [UInt8] = []
            definition.encode(into: &payload)
            Self.append(Self.stickTableClass, 0x82, payload, to: &bytes)
        case .switchTable(let id):
            var payload: [UInt8] = []
            PeerVarint.encode(id, into: &payload)
            Self.append(Self.stickTableClass, 0x83, payload, to: &bytes)
        case .update(let identified, let timed, let payload):
            let type: UInt8 = timed ? (identified ? 0x85 : 0x86) : (identified ? 0x80 : 0x81)
            Self.append(Self.stickTableClass, type, payload, to: &bytes)
        case .ack(let table, let update):
            var payload: [UInt8] = []
            PeerVarint.encode(table, into: &payload)
            payload.appendBigEndian(update)
            Self.append(Self.stickTableClass, 0x84, payload, to: &bytes)
        case .other(let messageClass, let type, let payload):
            if type >= 0x80 {
                Self.append(messageClass, type, payload, to: &bytes)
            } else {
                bytes += [messageClass, type]
            }
        }
    }

    private static func append(_ messageClass: UInt8, _ type: UInt8, _ payload: [UInt8], to bytes: inout [UInt8]) {
        bytes += [messageClass, type]
        PeerVarint.encode(UInt64(payload.count), into: &bytes)
        bytes += payload
    }

    /// The message a header and its payload make; throws on a malformed one.
    static func parse(messageClass: UInt8, type: UInt8, payload: ArraySlice<UInt8>) throws(PeerProtocolError) -> PeerMessage {
        switch messageClass {
        case controlClass:
            if let control = Control(rawValue: type) { return .control(control) }
        case errorClass:
            if let failure = Failure(rawValue: type) { return .error(failure) }
        case stickTableClass:
            switch type {
            case 0x80, 0x81, 0x85, 0x86:
                return .update(identified: type == 0x80 || type == 0x85, timed: type >= 0x85, payload: Array(payload))
            case 0x82:
                return .define(try PeerTableDefinition.decode(payload))
            case 0x83:
                var index = payload.startIndex
                guard let id = PeerVarint.decode(payload, at: &index) else { throw PeerProtocolError("a table switch message without a table id") }
                return .switchTable(id)
            case 0x84:
                var index = payload.startIndex
                guard let table = PeerVarint.decode(payload, at: &index), let update = payload.readBigEndianUInt32(at: &index) else {
                    throw PeerProtocolError("an acknowledgement message too short for a table id and an update id")
                }
                return .ack(table: table, update: update)
            default:
                break
            }
        case reservedClass:
            throw PeerProtocolError("a message of the reserved class 255")
        default:
            break
        }
        return .other(messageClass: messageClass, type: type, payload: Array(payload))
    }
}

/// What is wrong with what a peer sent; the connection is closed after it.
public struct PeerProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    /// The message was longer than the receiver accepts (answered with a size-limit error).
    public var isSizeLimit = false

    public init(_ description: String, isSizeLimit: Bool = false) {
        self.description = description
        self.isSizeLimit = isSizeLimit
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }
}

extension ArraySlice<UInt8> {
    func readBigEndianUInt32(at index: inout Int) -> UInt32? {
        guard index + 4 <= endIndex else { return nil }
        defer { index += 4 }
        return UInt32(self[index]) << 24 | UInt32(self[index + 1]) << 16 | UInt32(self[index + 2]) << 8 | UInt32(self[index + 3])
    }
}
