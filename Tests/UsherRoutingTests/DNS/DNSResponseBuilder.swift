@testable import UsherRouting

/// Writes DNS responses as a name server would, for the decoder and state machine tests.
struct DNSResponseBuilder {
    var id: UInt16
    var flags: UInt16 = 0x8180
    var question: (name: String, type: UInt16)
    var answers: [[UInt8]] = []
    var additionals: [[UInt8]] = []
    /// Overrides the answer count in the header (to lie about it).
    var claimedAnswerCount: Int? = nil

    init(id: UInt16, name: String, type: DNSMessage.RecordType, responseCode: UInt16 = 0) {
        self.id = id
        self.question = (name, type.rawValue)
        self.flags = 0x8180 | responseCode
    }

    static func name(_ text: String) -> [UInt8] {
        DNSMessage.encode(name: text)!
    }

    static func record(_ owner: [UInt8], type: UInt16, data: [UInt8], ttl: UInt32 = 60) -> [UInt8] {
        var bytes = owner
        DNSMessage.append16(&bytes, type)
        DNSMessage.append16(&bytes, 1)
        bytes += [UInt8(ttl >> 24), UInt8((ttl >> 16) & 0xFF), UInt8((ttl >> 8) & 0xFF), UInt8(ttl & 0xFF)]
        DNSMessage.append16(&bytes, UInt16(data.count))
        return bytes + data
    }

    static func a(_ owner: String, _ address: String) -> [UInt8] {
        record(name(owner), type: 1, data: IPAddress(address)!.bytes)
    }

    static func aaaa(_ owner: String, _ address: String) -> [UInt8] {
        record(name(owner), type: 28, data: IPAddress(address)!.bytes)
    }

    static func cname(_ owner: String, _ target: String) -> [UInt8] {
        record(name(owner), type: 5, data: name(target))
    }

    static func srv(_ owner: String, priority: UInt16 = 0, weight: UInt16, port: UInt16, target: String) -> [UInt8] {
        var data: [UInt8] = []
        DNSMessage.append16(&data, priority)
        DNSMessage.append16(&data, weight)
        DNSMessage.append16(&data, port)
        return record(name(owner), type: 33, data: data + name(target))
    }

    var bytes: [UInt8] {
        var bytes: [UInt8] = []
        DNSMessage.append16(&bytes, id)
        DNSMessage.append16(&bytes, flags)
        DNSMessage.append16(&bytes, 1)
        DNSMessage.append16(&bytes, UInt16(claimedAnswerCount ?? answers.count))
        DNSMessage.append16(&bytes, 0)
        DNSMessage.append16(&bytes, UInt16(additionals.count))
        bytes += Self.name(question.name)
        DNSMessage.append16(&bytes, question.type)
        DNSMessage.append16(&bytes, 1)
        for answer in answers { bytes += answer }
        for additional in additionals { bytes += additional }
        return bytes
    }
}
