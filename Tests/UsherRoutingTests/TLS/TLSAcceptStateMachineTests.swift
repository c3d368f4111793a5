import Testing
import UsherTestSupport
@testable import UsherRouting

/// The start of a terminated TLS connection, without sockets.
@Suite struct TLSAcceptStateMachineTests {
    static let chooser = CertificateChooser(entries: [
        CertificateChooser.Entry(names: ["a.test"]), CertificateChooser.Entry(names: ["*.b.test"]),
    ])

    func decide(_ bytes: [UInt8], chooser: CertificateChooser = chooser) -> (TLSAcceptStateMachine.Action, TLSAcceptStateMachine) {
        var machine = TLSAcceptStateMachine(chooser: chooser)
        let action = bytes.withUnsafeBytes { machine.received($0) }
        return (action, machine)
    }

    @Test func waitsForTheWholeHelloThenChoosesByName() {
        let hello = ClientHelloBuilder(serverNames: ["x.b.test"]).bytes()
        var machine = TLSAcceptStateMachine(chooser: Self.chooser)
        for end in [1, 5, 20, hello.count - 1] {
            #expect(Array(hello[..<end]).withUnsafeBytes { machine.received($0) } == .readMore)
        }
        guard case .handshake(let index, let parsed) = hello.withUnsafeBytes({ machine.received($0) }) else {
            Issue.record("no handshake")
            return
        }
        #expect(index == 1)
        #expect(parsed?.serverName == "x.b.test")
    }

    @Test func unknownOrMissingNameGetsTheFirstCertificate() {
        #expect(decide(ClientHelloBuilder(serverNames: ["other.test"]).bytes()).0.certificate == 0)
        #expect(decide(ClientHelloBuilder(serverNames: nil).bytes()).0.certificate == 0)
    }

    @Test func strictSNIRefusesWithUnrecognizedName() {
        let strict = CertificateChooser(entries: [CertificateChooser.Entry(names: ["a.test"])], strictSNI: true)
        #expect(decide(ClientHelloBuilder(serverNames: ["other.test"]).bytes(), chooser: strict).0 == .refuse(alert: 112))
        #expect(decide(ClientHelloBuilder(serverNames: nil).bytes(), chooser: strict).0 == .refuse(alert: 112))
        #expect(decide(ClientHelloBuilder(serverNames: ["A.TEST"]).bytes(), chooser: strict).0.certificate == 0)
        #expect(TLSAcceptStateMachine.alertRecord(112) == [21, 3, 3, 0, 2, 2, 112])
    }

    /// A hello usher cannot read has no name it could match: `strict-sni` refuses it too.
    @Test func strictSNIRefusesAnUnreadableHello() {
        let strict = CertificateChooser(entries: [CertificateChooser.Entry(names: ["a.test"])], strictSNI: true)
        var builder = ClientHelloBuilder(serverNames: ["a.test"])
        builder.extraExtensions = [(type: 0, data: [0, 0])]
        #expect(decide(builder.bytes(), chooser: strict).0 == .refuse(alert: 112))
    }

    /// TLS 1.3's HelloRetryRequest looks like a ServerHello: the summary waits for the real one.
    @Test func helloRetryRequestIsNotTheServerHello() {
        var machine = TLSAcceptStateMachine(chooser: Self.chooser)
        let hello = ClientHelloBuilder(serverNames: ["a.test"]).bytes()
        _ = hello.withUnsafeBytes { machine.received($0) }
        var retry = Self.serverHello(suite: 0x1301, sessionID: Array(repeating: 0x5A, count: 32), extensions: [(43, [3, 4])])
        retry.replaceSubrange(11..<43, with: ServerHelloSummary.helloRetryRandom)
        #expect(retry.withUnsafeBytes { ServerHelloSummary.isHelloRetryRequest($0) })
        #expect(retry.withUnsafeBytes { machine.sent($0) } == nil)
        let real = Self.serverHello(suite: 0x1301, sessionID: Array(repeating: 0x5A, count: 32), extensions: [(43, [3, 4]), (41, [0, 0])])
        #expect(real.withUnsafeBytes { machine.sent($0) } == ServerHelloSummary(cipherSuite: 0x1301, resumed: true))
    }

    /// A malformed signature_algorithms extension is passed over: the name still routes.
    @Test func malformedSignatureAlgorithmsKeepTheName() {
        var builder = ClientHelloBuilder(serverNames: ["x.b.test"])
        builder.extraExtensions = [(type: 13, data: [0, 3, 4])]
        guard case .clientHello(let hello) = ClientHelloParser().parse(builder.bytes()) else {
            Issue.record("not read as a hello")
            return
        }
        #expect(hello.serverName == "x.b.test")
        #expect(decide(builder.bytes()).0.certificate == 1)
    }

    @Test func plainTextIsClosedAndBrokenHellosGoToTheLibrary() {
        #expect(decide(Array("GET / HTTP/1.1\r\n".utf8)).0 == .close)
        // A second server_name extension: a hello usher cannot read, for the library to refuse.
        var builder = ClientHelloBuilder(serverNames: ["a.test"])
        builder.extraExtensions = [(type: 0, data: [0, 0])]
        let broken = builder.bytes()
        if case .handshake(_, let hello) = decide(broken).0 { #expect(hello == nil) } else { Issue.record("\(decide(broken).0)") }
    }

    @Test func serverHelloGivesCipherAndResumption() {
        let sessionID = Array(repeating: UInt8(0x5A), count: 32)
        // TLS 1.3: supported_versions, no pre_shared_key: a full handshake.
        let full = Self.serverHello(suite: 0x1301, sessionID: sessionID, extensions: [(43, [3, 4]), (51, Array(repeating: 0, count: 36))])
        let summary = full.withUnsafeBytes { ServerHelloSummary.parse($0, clientSessionID: sessionID) }
        #expect(summary == ServerHelloSummary(cipherSuite: 0x1301, resumed: false))
        #expect(summary?.cipher?.name == "TLS_AES_128_GCM_SHA256")
        let resumed = Self.serverHello(suite: 0x1302, sessionID: sessionID, extensions: [(43, [3, 4]), (41, [0, 0])])
        #expect(resumed.withUnsafeBytes { ServerHelloSummary.parse($0, clientSessionID: sessionID) }?.resumed == true)
        // TLS 1.2: the echoed session id is the resumption.
        let echoed = Self.serverHello(suite: 0xC02F, sessionID: sessionID, extensions: [])
        #expect(echoed.withUnsafeBytes { ServerHelloSummary.parse($0, clientSessionID: sessionID) }?.resumed == true)
        let fresh = Self.serverHello(suite: 0xC02F, sessionID: Array(repeating: 1, count: 32), extensions: [])
        let freshSummary = fresh.withUnsafeBytes { ServerHelloSummary.parse($0, clientSessionID: sessionID) }
        #expect(freshSummary?.resumed == false)
        #expect(freshSummary?.cipher?.name == "ECDHE-RSA-AES128-GCM-SHA256")
        #expect(Array(full.prefix(20)).withUnsafeBytes { ServerHelloSummary.parse($0, clientSessionID: sessionID) } == nil)
    }

    static func serverHello(suite: UInt16, sessionID: [UInt8], extensions: [(UInt16, [UInt8])]) -> [UInt8] {
        var body: [UInt8] = [3, 3] + Array(repeating: 7, count: 32) + [UInt8(sessionID.count)] + sessionID
        body += [UInt8(suite >> 8), UInt8(suite & 0xFF), 0]
        var list: [UInt8] = []
        for (type, data) in extensions {
            list += [UInt8(type >> 8), UInt8(type & 0xFF), UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
        }
        if !extensions.isEmpty { body += [UInt8(list.count >> 8), UInt8(list.count & 0xFF)] + list }
        let message: [UInt8] = [2, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
        return [22, 3, 3, UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
    }
}

extension TLSAcceptStateMachine.Action {
    var certificate: Int? {
        if case .handshake(let index, _) = self { return index }
        return nil
    }
}
