/// The probe `option ssl-hello-chk` sends: a minimal SSLv3 ClientHello. Any server speaking SSL or
/// TLS answers it with a handshake record or an alert, which proves its TLS layer is alive.
enum SSLHelloProbe {
    /// Builds the probe; `unixTime` fills the start of the client random as SSLv3 specifies.
    static func bytes(unixTime: UInt32) -> [UInt8] {
        // A spread of common suites, so servers of every age find one they know.
        let suites: [UInt16] = [
            0x002F, 0x0035, 0x000A, 0x0005, 0x0004, 0x0033, 0x0039, 0x0016, 0x003C, 0x003D, 0x009C, 0x009D,
            0xC013, 0xC014, 0xC02F, 0xC030, 0xC009, 0xC00A, 0xC02B, 0xC02C, 0x00FF,
        ]
        var body: [UInt8] = [0x03, 0x00]  // client_version SSL 3.0
        body += [UInt8(unixTime >> 24), UInt8(unixTime >> 16 & 0xFF), UInt8(unixTime >> 8 & 0xFF), UInt8(unixTime & 0xFF)]
        for index in 0..<28 { body.append(UInt8(truncatingIfNeeded: index &* 37 &+ 11)) }
        body.append(0)  // no session id
        let suiteBytes = suites.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        body += [UInt8(suiteBytes.count >> 8), UInt8(suiteBytes.count & 0xFF)] + suiteBytes
        body += [1, 0]  // compression: null only
        var handshake: [UInt8] = [0x01, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF)]
        handshake += body
        return [0x16, 0x03, 0x00, UInt8(handshake.count >> 8), UInt8(handshake.count & 0xFF)] + handshake
    }

    /// Whether the first byte of the answer is an SSL/TLS handshake (22) or alert (21) record.
    static func isValidResponse(firstByte: UInt8) -> Bool {
        firstByte == 0x16 || firstByte == 0x15
    }
}
