/// DNS messages as RFC 1035 writes them, for usher's resolvers: queries out (with an EDNS0 OPT
/// record announcing `accepted_payload_size`), answers in. Reading never traps and never loops:
/// every length is checked against the bytes there are, compression pointers must point backwards
/// and are followed a bounded number of times, and names longer than 255 bytes are refused.
public enum DNSMessage {
    /// The record types usher asks for or follows.
    public enum RecordType: UInt16, Sendable {
        case a = 1
        case cname = 5
        case aaaa = 28
        case srv = 33
        case opt = 41
    }

    /// The response codes usher tells apart (HAProxy's `hold` statuses follow them).
    public enum ResponseCode: Sendable, Equatable {
        case noError
        case nameError
        case refused
        case other(UInt8)

        init(_ value: UInt8) {
            switch value {
            case 0: self = .noError
            case 3: self = .nameError
            case 5: self = .refused
            default: self = .other(value)
            }
        }
    }

    /// What a resource record says, for the types usher reads.
    public enum RecordData: Sendable, Equatable {
        case address(IPAddress)
        case canonicalName(String)
        case service(priority: UInt16, weight: UInt16, port: UInt16, target: String)
        /// A type usher does not read (or an A/AAAA record of the wrong length).
        case other(type: UInt16)
    }

    public struct Record: Sendable, Equatable {
        /// Lower case, without the final dot.
        public var name: String
        public var ttl: UInt32
        public var data: RecordData

        public init(name: String, ttl: UInt32 = 0, data: RecordData) {
            self.name = name
            self.ttl = ttl
            self.data = data
        }
    }

    public struct Response: Sendable, Equatable {
        public var id: UInt16
        public var responseCode: ResponseCode
        /// The TC bit: the answer did not fit.
        public var isTruncated: Bool
        public var questionName: String
        public var questionType: UInt16
        public var answers: [Record]
        public var additionals: [Record]
    }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// The longest name on the wire (RFC 1035 §2.3.4), and how many pointers a name may follow.
    static let maximumNameLength = 255
    static let maximumPointerHops = 32
    /// Records read from one message at most, whatever its counts claim.
    static let maximumRecords = 512

    /// A recursive query for `name`'s records of `type`, or nil when the name cannot be sent
    /// (an empty label, a label over 63 bytes, more than 255 bytes in all).
    public static func query(id: UInt16, name: String, type: RecordType, payloadSize: Int) -> [UInt8]? {
        guard let encodedName = encode(name: name) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(12 + encodedName.count + 4 + 11)
        append16(&bytes, id)
        append16(&bytes, 0x0100)  // a standard query, recursion desired
        append16(&bytes, 1)  // one question
        append16(&bytes, 0)
        append16(&bytes, 0)
        append16(&bytes, 1)  // the OPT record
        bytes += encodedName
        append16(&bytes, type.rawValue)
        append16(&bytes, 1)  // IN
        // EDNS0 (RFC 6891): root name, type OPT, class = UDP payload size, TTL = 0, no data.
        bytes.append(0)
        append16(&bytes, RecordType.opt.rawValue)
        append16(&bytes, UInt16(clamping: max(512, payloadSize)))
        bytes += [0, 0, 0, 0, 0, 0]
        return bytes
    }

    /// `name` as labels, or nil when it cannot be one.
    static func encode(name: String) -> [UInt8]? {
        var text = Substring(name)
        if text.hasSuffix(".") { text = text.dropLast() }
        guard !text.isEmpty else { return nil }
        var bytes: [UInt8] = []
        for label in text.split(separator: ".", omittingEmptySubsequences: false) {
            let utf8 = Array(label.utf8)
            guard (1...63).contains(utf8.count) else { return nil }
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes.append(0)
        return bytes.count <= maximumNameLength ? bytes : nil
    }

    static func append16(_ bytes: inout [UInt8], _ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    /// Reads a response. Records that cannot be read end the message with an error; records of
    /// other types and classes are kept as `.other` or skipped.
    public static func parseResponse(_ bytes: [UInt8]) -> Result<Response, ParseError> {
        var reader = Reader(bytes: bytes)
        do {
            let id = try reader.read16()
            let flags = try reader.read16()
            guard flags & 0x8000 != 0 else { throw ParseError("not a response (QR bit clear)") }
            guard (flags >> 11) & 0xF == 0 else { throw ParseError("not a standard query's response (opcode \((flags >> 11) & 0xF))") }
            let questionCount = try reader.read16()
            let answerCount = Int(try reader.read16())
            let authorityCount = Int(try reader.read16())
            let additionalCount = Int(try reader.read16())
            guard questionCount == 1 else { throw ParseError("\(questionCount) questions where one was asked") }
            let questionName = try reader.readName()
            let questionType = try reader.read16()
            _ = try reader.read16()
            guard answerCount + authorityCount + additionalCount <= maximumRecords else {
                throw ParseError("\(answerCount + authorityCount + additionalCount) records, over usher's limit of \(maximumRecords)")
            }
            var answers: [Record] = []
            for _ in 0..<answerCount {
                if let record = try reader.readRecord() { answers.append(record) }
            }
            for _ in 0..<authorityCount { _ = try reader.readRecord() }
            var additionals: [Record] = []
            for _ in 0..<additionalCount {
                if let record = try reader.readRecord() { additionals.append(record) }
            }
            return .success(Response(
                id: id, responseCode: ResponseCode(UInt8(flags & 0xF)), isTruncated: flags & 0x0200 != 0,
                questionName: questionName, questionType: questionType, answers: answers, additionals: additionals
            ))
        } catch let error as ParseError {
            return .failure(error)
        } catch {
            return .failure(ParseError("\(error)"))
        }
    }

    /// Reads `bytes` front to back; names may jump backwards through compression pointers.
    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func read8() throws(ParseError) -> UInt8 {
            guard offset < bytes.count else { throw ParseError("truncated message") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func read16() throws(ParseError) -> UInt16 {
            guard offset + 2 <= bytes.count else { throw ParseError("truncated message") }
            defer { offset += 2 }
            return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        }

        mutating func read32() throws(ParseError) -> UInt32 {
            let high = try read16()
            return UInt32(high) << 16 | UInt32(try read16())
        }

        /// The name at the current offset, which moves past it (past the first pointer when the
        /// name is compressed).
        mutating func readName() throws(ParseError) -> String {
            let (name, end) = try Self.name(in: bytes, at: offset)
            offset = end
            return name
        }

        /// The name at `start` and the offset just after its bytes at `start`.
        static func name(in bytes: [UInt8], at start: Int) throws(ParseError) -> (String, Int) {
            var labels: [String] = []
            var position = start
            var end: Int? = nil
            var hops = 0
            var wireLength = 1
            // A pointer must point before the label holding it: this is what makes loops impossible.
            var limit = start
            while true {
                guard position < bytes.count else { throw ParseError("truncated name") }
                let length = Int(bytes[position])
                switch length & 0xC0 {
                case 0xC0:
                    guard position + 1 < bytes.count else { throw ParseError("truncated compression pointer") }
                    let target = (length & 0x3F) << 8 | Int(bytes[position + 1])
                    if end == nil { end = position + 2 }
                    hops += 1
                    guard hops <= maximumPointerHops, target < limit else { throw ParseError("compression pointer loop or forward pointer") }
                    limit = target
                    position = target
                case 0:
                    if length == 0 {
                        return (labels.joined(separator: "."), end ?? position + 1)
                    }
                    guard position + 1 + length <= bytes.count else { throw ParseError("truncated label") }
                    wireLength += length + 1
                    guard wireLength <= maximumNameLength else { throw ParseError("name longer than 255 bytes") }
                    var label = ""
                    for byte in bytes[(position + 1)..<(position + 1 + length)] {
                        // Printable ASCII other than the dot, lower-cased: names compare as DNS compares them.
                        guard byte > 0x20, byte < 0x7F, byte != UInt8(ascii: ".") else { throw ParseError("unusual character in a name") }
                        let lowered = (byte >= 0x41 && byte <= 0x5A) ? byte + 0x20 : byte
                        label.unicodeScalars.append(Unicode.Scalar(lowered))
                    }
                    labels.append(label)
                    position += 1 + length
                    if end == nil { limit = max(limit, position) }
                default:
                    throw ParseError("unknown label type")
                }
            }
        }

        /// One resource record, or nil for one of another class (its bytes are skipped).
        mutating func readRecord() throws(ParseError) -> Record? {
            let name = try readName()
            let type = try read16()
            let recordClass = try read16()
            let ttl = try read32()
            let length = Int(try read16())
            guard offset + length <= bytes.count else { throw ParseError("truncated record data") }
            let dataStart = offset
            offset += length
            guard recordClass == 1 || type == RecordType.opt.rawValue else { return nil }
            let data: RecordData
            switch RecordType(rawValue: type) {
            case .a where length == 4, .aaaa where length == 16:
                guard let address = IPAddress(bytes: bytes[dataStart..<(dataStart + length)]) else { return nil }
                data = .address(address)
            case .cname:
                let (target, end) = try Self.name(in: bytes, at: dataStart)
                guard end <= dataStart + length else { throw ParseError("CNAME data longer than its record") }
                data = .canonicalName(target)
            case .srv:
                guard length >= 7 else { throw ParseError("SRV record too short") }
                var inner = Reader(bytes: bytes, offset: dataStart)
                let priority = try inner.read16()
                let weight = try inner.read16()
                let port = try inner.read16()
                let target = try inner.readName()
                guard inner.offset <= dataStart + length else { throw ParseError("SRV data longer than its record") }
                data = .service(priority: priority, weight: weight, port: port, target: target)
            default:
                data = .other(type: type)
            }
            return Record(name: name, ttl: ttl, data: data)
        }
    }
}
