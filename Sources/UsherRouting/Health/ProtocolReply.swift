import UsherConfig

/// The answers the protocol checks read, judged from each protocol's own description: a MySQL
/// greeting and the answer to a login, a PostgreSQL authentication message, a Redis `+PONG`, an
/// SMTP reply, an LDAP bind response. Each judge waits for one whole message, then decides at once.
public enum ProtocolReply: Sendable, Equatable {
    /// The packet a MySQL server sends first: a greeting (protocol 10, or 9 before 3.21) or an error.
    case mysqlGreeting
    /// The answer to the login of `mysql-check user`: OK or an error.
    case mysqlLogin
    /// The answer to a StartupMessage: `R` with AuthenticationOk passes.
    case pgsqlAuthentication
    /// `+PONG` (an error reply `-…` fails with its text).
    case redisPong
    /// An SMTP reply, its last line included; a 2xx passes.
    case smtp
    /// An LDAPv3 BindResponse whose resultCode is success (0).
    case ldapBind

    public enum Judgement: Sendable, Equatable {
        case needMore
        case passed(code: Int?, info: String?)
        case failed(CheckVerdict)
    }

    /// Judges the bytes received so far; `final`: nothing more will come.
    public func judge(_ bytes: [UInt8], final: Bool) -> Judgement {
        let judgement: Judgement
        switch self {
        case .mysqlGreeting: judgement = Self.mysqlGreeting(bytes)
        case .mysqlLogin: judgement = Self.mysqlLogin(bytes)
        case .pgsqlAuthentication: judgement = Self.pgsql(bytes)
        case .redisPong: judgement = Self.redis(bytes)
        case .smtp: judgement = Self.smtp(bytes)
        case .ldapBind: judgement = Self.ldap(bytes)
        }
        if case .needMore = judgement, final {
            return .failed(CheckVerdict(.l7Response, info: bytes.isEmpty ? "empty response" : "incomplete response"))
        }
        return judgement
    }

    // MARK: - MySQL: packets are a 3-byte little-endian length, a sequence number, the payload.

    static func mysqlPacket(_ bytes: ArraySlice<UInt8>) -> (payload: ArraySlice<UInt8>, rest: ArraySlice<UInt8>)?? {
        guard bytes.count >= 4 else { return .some(nil) }
        let start = bytes.startIndex
        let length = Int(bytes[start]) | Int(bytes[start + 1]) << 8 | Int(bytes[start + 2]) << 16
        // A greeting or an answer to a login is short; a huge length is not MySQL speaking.
        guard length > 0, length <= 16_384 else { return nil }
        guard bytes.count >= 4 + length else { return .some(nil) }
        return .some((bytes[(start + 4)..<(start + 4 + length)], bytes[(start + 4 + length)...]))
    }

    /// An error packet: 0xFF, the error number (2 bytes), then `#` and a 5-character SQL state
    /// (4.1 and later), then the message.
    static func mysqlError(_ payload: ArraySlice<UInt8>) -> CheckVerdict {
        let start = payload.startIndex
        guard payload.count >= 3 else { return CheckVerdict(.l7Response, info: "MySQL error packet too short") }
        let number = Int(payload[start + 1]) | Int(payload[start + 2]) << 8
        var message = payload[(start + 3)...]
        if message.first == UInt8(ascii: "#"), message.count >= 6 { message = message.dropFirst(6) }
        return CheckVerdict(.l7Status, code: number, info: String(decoding: message, as: UTF8.self))
    }

    static func mysqlGreeting(_ bytes: [UInt8]) -> Judgement {
        guard let found = mysqlPacket(bytes[...]) else { return .failed(CheckVerdict(.l7Response, info: "not a MySQL greeting")) }
        guard let (payload, _) = found else { return .needMore }
        let first = payload[payload.startIndex]
        if first == 0xFF { return .failed(mysqlError(payload)) }
        guard first == 10 || first == 9 else { return .failed(CheckVerdict(.l7Response, info: "not a MySQL greeting (protocol \(first))")) }
        let version = payload.dropFirst().prefix { $0 != 0 }
        return .passed(code: nil, info: String(decoding: version, as: UTF8.self))
    }

    static func mysqlLogin(_ bytes: [UInt8]) -> Judgement {
        guard let answer = mysqlPacket(bytes[...]) else { return .failed(CheckVerdict(.l7Response, info: "not a MySQL answer")) }
        guard let (payload, _) = answer else { return .needMore }
        switch payload[payload.startIndex] {
        case 0x00: return .passed(code: nil, info: nil)
        case 0xFF: return .failed(mysqlError(payload))
        default: return .failed(CheckVerdict(.l7Response, info: "unexpected MySQL answer to the login"))
        }
    }

    // MARK: - PostgreSQL: a type byte, a 4-byte big-endian length (itself included), the body.

    static func pgsql(_ bytes: [UInt8]) -> Judgement {
        guard bytes.count >= 5 else { return .needMore }
        let length = Int(bytes[1]) << 24 | Int(bytes[2]) << 16 | Int(bytes[3]) << 8 | Int(bytes[4])
        switch bytes[0] {
        case UInt8(ascii: "R"):
            guard length >= 8, length <= 16_384 else { return .failed(CheckVerdict(.l7Status, info: "not a PostgreSQL answer")) }
            guard bytes.count >= 9 else { return .needMore }
            let method = Int(bytes[5]) << 24 | Int(bytes[6]) << 16 | Int(bytes[7]) << 8 | Int(bytes[8])
            if method == 0 { return .passed(code: nil, info: "PostgreSQL server is ok") }
            // Alive, but the check's user may not log in without a password: the check cannot pass.
            return .failed(CheckVerdict(.l7Status, info: "PostgreSQL asks for a password (authentication method \(method))"))
        case UInt8(ascii: "E"):
            guard length >= 4, length <= 16_384 else { return .failed(CheckVerdict(.l7Response, info: "PostgreSQL error")) }
            guard bytes.count >= 1 + length else { return .needMore }
            // Fields: a type byte and a NUL-terminated text each; `M` is the message.
            var fields = bytes[5..<(1 + length)]
            var message = "PostgreSQL error"
            while let type = fields.first, type != 0 {
                let text = fields.dropFirst().prefix { $0 != 0 }
                if type == UInt8(ascii: "M") { message = String(decoding: text, as: UTF8.self) }
                fields = fields.dropFirst(text.count + 2)
            }
            return .failed(CheckVerdict(.l7Response, info: message))
        default:
            return .failed(CheckVerdict(.l7Status, info: "not a PostgreSQL answer"))
        }
    }

    // MARK: - Text protocols

    /// The first line, without its CRLF, once it is whole.
    static func firstLine(_ bytes: ArraySlice<UInt8>) -> (line: String, rest: ArraySlice<UInt8>)? {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        var line = bytes[bytes.startIndex..<newline]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        return (String(decoding: line, as: UTF8.self), bytes[(newline + 1)...])
    }

    static func redis(_ bytes: [UInt8]) -> Judgement {
        if bytes.starts(with: Array("+PONG".utf8)) { return .passed(code: nil, info: "Redis server is ok") }
        guard let (line, _) = firstLine(bytes[...]) else {
            return bytes.count >= 16_384 ? .failed(CheckVerdict(.l7Status, info: "no answer line")) : .needMore
        }
        return .failed(CheckVerdict(.l7Status, info: line))
    }

    /// `DDD text` or `DDD-text` lines; the reply ends with a line whose fourth character is not `-`.
    static func smtp(_ bytes: [UInt8]) -> Judgement {
        var rest = bytes[...]
        var first: (code: Int, text: String)?
        while let (line, after) = firstLine(rest) {
            let characters = Array(line.utf8)
            guard characters.count >= 3, characters[0...2].allSatisfy({ $0 >= 48 && $0 <= 57 }),
                characters.count == 3 || [UInt8(ascii: " "), UInt8(ascii: "-")].contains(characters[3])
            else {
                return .failed(CheckVerdict(.l7Response, info: line))
            }
            let code = Int(line.prefix(3))!
            let text = String(line.dropFirst(4))
            if first == nil { first = (code, text) }
            rest = after
            if characters.count == 3 || characters[3] == UInt8(ascii: " ") {
                let (code, text) = first!
                guard (200..<300).contains(code) else { return .failed(CheckVerdict(.l7Status, code: code, info: text)) }
                return .passed(code: code, info: text)
            }
        }
        return bytes.count >= 16_384 ? .failed(CheckVerdict(.l7Response, info: "SMTP reply too long")) : .needMore
    }

    // MARK: - LDAP (BER): SEQUENCE { messageID INTEGER, [APPLICATION 1] BindResponse { resultCode ENUMERATED, … } }

    static func berLength(_ bytes: ArraySlice<UInt8>) -> (length: Int, header: Int)?? {
        guard let first = bytes.first else { return .some(nil) }
        if first < 0x80 { return .some((Int(first), 1)) }
        let count = Int(first & 0x7F)
        guard count >= 1, count <= 3 else { return nil }
        guard bytes.count > count else { return .some(nil) }
        var length = 0
        for byte in bytes.dropFirst().prefix(count) { length = length << 8 | Int(byte) }
        return .some((length, 1 + count))
    }

    static func ldap(_ bytes: [UInt8]) -> Judgement {
        let notLDAP = Judgement.failed(CheckVerdict(.l7Response, info: "Not LDAPv3 protocol"))
        guard let first = bytes.first else { return .needMore }
        guard first == 0x30 else { return notLDAP }
        guard let outer = berLength(bytes.dropFirst()) else { return notLDAP }
        guard let (length, header) = outer else { return .needMore }
        guard length <= 16_384 else { return notLDAP }
        guard bytes.count >= 1 + header + length else { return .needMore }
        var body = bytes[(1 + header)..<(1 + header + length)]
        // messageID
        guard body.first == 0x02, let idLength = berLength(body.dropFirst()), let (id, idHeader) = idLength else { return notLDAP }
        body = body.dropFirst(1 + idHeader + id)
        guard body.first == 0x61, let responseLength = berLength(body.dropFirst()), let (_, responseHeader) = responseLength else { return notLDAP }
        body = body.dropFirst(1 + responseHeader)
        guard body.count >= 3, body[body.startIndex] == 0x0A, body[body.startIndex + 1] == 1 else { return notLDAP }
        let result = Int(body[body.startIndex + 2])
        guard result == 0 else { return .failed(CheckVerdict(.l7Status, code: result, info: "LDAP bind failed (resultCode \(result))")) }
        return .passed(code: nil, info: "Success")
    }
}
