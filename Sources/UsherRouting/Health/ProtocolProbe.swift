/// The bytes the protocol checks send, built from each protocol's description.
public enum ProtocolProbe {
    /// MySQL's HandshakeResponse (4.1 and later) or its older form, logging in as `user` without a
    /// password, as packet 1; then COM_QUIT as packet 0 of a new command, so the server logs a
    /// clean disconnection rather than an aborted connection.
    public static func mysqlLogin(user: String, post41: Bool) -> [UInt8] {
        var payload: [UInt8] = []
        let name = Array(user.utf8)
        if post41 {
            // CLIENT_LONG_PASSWORD | CLIENT_LONG_FLAG | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION
            let capabilities: UInt32 = 0x0001 | 0x0004 | 0x0200 | 0x8000
            payload += littleEndian(capabilities, bytes: 4)
            payload += littleEndian(16_777_216, bytes: 4)  // max packet size
            payload.append(0x21)  // character set: utf8_general_ci
            payload += [UInt8](repeating: 0, count: 23)
            payload += name + [0]
            payload.append(0)  // an empty authentication response
        } else {
            // CLIENT_LONG_PASSWORD | CLIENT_LONG_FLAG
            payload += littleEndian(0x0001 | 0x0004, bytes: 2)
            payload += littleEndian(16_777_215, bytes: 3)
            payload += name + [0]
        }
        let login = littleEndian(UInt32(payload.count), bytes: 3) + [1] + payload
        let quit: [UInt8] = [1, 0, 0, 0, 0x01]
        return login + quit
    }

    /// PostgreSQL's StartupMessage (protocol 3.0) for `user`.
    public static func pgsqlStartup(user: String) -> [UInt8] {
        var body: [UInt8] = [0x00, 0x03, 0x00, 0x00]
        body += Array("user".utf8) + [0] + Array(user.utf8) + [0]
        body.append(0)
        let length = UInt32(body.count + 4)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + body
    }

    /// An LDAPv3 anonymous simple BindRequest, message 1.
    public static let ldapBind: [UInt8] = [
        0x30, 0x0C,  // SEQUENCE
        0x02, 0x01, 0x01,  // messageID 1
        0x60, 0x07,  // [APPLICATION 0] BindRequest
        0x02, 0x01, 0x03,  // version 3
        0x04, 0x00,  // name ""
        0x80, 0x00,  // authentication: simple ""
    ]

    static func littleEndian(_ value: UInt32, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
