import Testing

@testable import UsherRouting
import UsherTestSupport

@Suite("ClientHelloParser")
struct ClientHelloParserTests {
    let parser = ClientHelloParser()

    // MARK: Helpers

    /// The first prefix length in `lengths` for which the parser does not answer `.needMoreData`.
    private func firstDecidedPrefix(
        of bytes: [UInt8],
        lengths: some Sequence<Int>,
        parser: ClientHelloParser = ClientHelloParser()
    ) -> Int? {
        lengths.first { parser.parse(Array(bytes[..<$0])) != .needMoreData }
    }

    /// Checks that the answers for growing prefixes never contradict each other: once an answer
    /// is definitive, every longer prefix gives the same one.
    private func expectMonotone(
        _ bytes: [UInt8],
        parser: ClientHelloParser = ClientHelloParser(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let final = parser.parse(bytes)
        var decided: ClientHelloParseResult? = nil
        for length in 0...bytes.count {
            let result = parser.parse(Array(bytes[..<length]))
            if let decided {
                guard result == decided else {
                    Issue.record("prefix \(length) changed the answer \(decided) to \(result)", sourceLocation: sourceLocation)
                    return
                }
            } else if result != .needMoreData {
                #expect(result == final, "prefix \(length) contradicts the full input", sourceLocation: sourceLocation)
                decided = result
            }
        }
    }

    private func expectHello(
        _ result: ClientHelloParseResult,
        serverNames: [String],
        alpn: [String] = [],
        supportedVersions: [UInt16] = [0x0304, 0x0303],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard case .clientHello(let hello) = result else {
            Issue.record("expected a ClientHello, got \(result)", sourceLocation: sourceLocation)
            return
        }
        #expect(hello.serverNames == serverNames, sourceLocation: sourceLocation)
        #expect(hello.alpnProtocols == alpn, sourceLocation: sourceLocation)
        #expect(hello.supportedVersions == supportedVersions, sourceLocation: sourceLocation)
        #expect(hello.handshakeType == 1, sourceLocation: sourceLocation)
        #expect(!hello.isSSLv2Compatible, sourceLocation: sourceLocation)
    }

    /// Offset, in `builder.bytes()`, of the first extension (just after the extensions length).
    private func firstExtensionOffset(_ builder: ClientHelloBuilder) -> Int {
        5 + 4 + 2 + 32 + 1 + builder.sessionID.count + 2 + 2 * (builder.cipherSuites.count + (builder.grease ? 1 : 0))
            + 1 + builder.compressionMethods.count + 2
    }

    private func patching(_ bytes: [UInt8], at offset: Int, with patch: [UInt8]) -> [UInt8] {
        var bytes = bytes
        bytes.replaceSubrange(offset..<(offset + patch.count), with: patch)
        return bytes
    }

    // MARK: Well-formed hellos

    @Test func everyPrefixNeedsMoreDataThenTheWholeHelloParses() {
        let bytes = ClientHelloBuilder().bytes()
        #expect(self.firstDecidedPrefix(of: bytes, lengths: 0..<bytes.count) == nil)
        guard case .clientHello(let hello) = self.parser.parse(bytes) else {
            Issue.record("no ClientHello in \(bytes)")
            return
        }
        #expect(
            hello
                == ClientHello(
                    recordVersion: 0x0301,
                    legacyVersion: 0x0303,
                    serverNames: ["example.com"],
                    supportedVersions: [0x0304, 0x0303],
                    sessionID: Array(repeating: 0x5A, count: 32),
                    signatureAlgorithms: [0x0403, 0x0804]
                )
        )
        #expect(hello.serverName == "example.com")
    }

    @Test func bytesAfterTheHelloAreIgnored() {
        let bytes = ClientHelloBuilder().bytes()
        let expected = self.parser.parse(bytes)
        #expect(self.parser.parse(bytes + [0x14, 0x03, 0x03, 0x00, 0x01, 0x01]) == expected)
        #expect(self.parser.parse(bytes + Array("GET / HTTP/1.1\r\n".utf8)) == expected)
    }

    @Test(arguments: [2, 3, 7, 40])
    func helloSplitOverRecords(records: Int) {
        let builder = ClientHelloBuilder(alpnProtocols: ["h2", "http/1.1"])
        let bytes = builder.bytes(inRecords: records)
        #expect(self.firstDecidedPrefix(of: bytes, lengths: 0..<bytes.count) == nil)
        self.expectHello(self.parser.parse(bytes), serverNames: ["example.com"], alpn: ["h2", "http/1.1"])
    }

    @Test func helloWithOneByteRecords() {
        let message = ClientHelloBuilder().handshakeMessage()
        let bytes = ClientHelloBuilder.records(message, maximumFragmentLength: 1)
        #expect(bytes.count == message.count * 6)
        #expect(self.firstDecidedPrefix(of: bytes, lengths: 0..<bytes.count) == nil)
        self.expectHello(self.parser.parse(bytes), serverNames: ["example.com"])
    }

    @Test func handshakeHeaderSplitOverRecords() {
        let message = ClientHelloBuilder().handshakeMessage()
        for lengths in [[1, 3, message.count - 4], [2, 1, 1, message.count - 4], [3, message.count - 3]] {
            let bytes = ClientHelloBuilder.records(message, fragmentLengths: lengths)
            #expect(self.firstDecidedPrefix(of: bytes, lengths: 0..<bytes.count) == nil)
            self.expectHello(self.parser.parse(bytes), serverNames: ["example.com"])
        }
    }

    @Test func browserSizedHelloWithPostQuantumKeyShare() {
        var builder = ClientHelloBuilder(alpnProtocols: ["h2", "http/1.1"], grease: true, keyShareLength: 1216)
        builder.paddedBodyLength = 1_790
        let bytes = builder.bytes()
        #expect(bytes.count == 1_799)
        #expect(self.firstDecidedPrefix(of: bytes, lengths: 0..<bytes.count) == nil)
        self.expectHello(self.parser.parse(bytes), serverNames: ["example.com"], alpn: ["h2", "http/1.1"])
        // The same hello as a client limited to 512-byte records would send it.
        let split = ClientHelloBuilder.records(builder.handshakeMessage(), maximumFragmentLength: 512)
        #expect(self.firstDecidedPrefix(of: split, lengths: 0..<split.count) == nil)
        self.expectHello(self.parser.parse(split), serverNames: ["example.com"], alpn: ["h2", "http/1.1"])
    }

    @Test(arguments: [1, 2, 3])
    func tenKilobyteHello(records: Int) {
        var builder = ClientHelloBuilder(serverNames: ["big.example"])
        builder.paddedBodyLength = 10_000
        let bytes = builder.bytes(inRecords: records)
        let prefixes = Array(stride(from: 0, to: bytes.count, by: 61)) + Array((bytes.count - 200)..<bytes.count)
        #expect(self.firstDecidedPrefix(of: bytes, lengths: prefixes) == nil)
        self.expectHello(self.parser.parse(bytes), serverNames: ["big.example"])
    }

    @Test func helloWithoutServerName() {
        let bytes = ClientHelloBuilder(serverNames: nil).bytes()
        self.expectHello(self.parser.parse(bytes), serverNames: [])
        if case .clientHello(let hello) = self.parser.parse(bytes) {
            #expect(hello.serverName == nil)
        }
    }

    @Test func helloWithoutExtensions() {
        var builder = ClientHelloBuilder(legacyVersion: 0x0300)
        builder.hasExtensionsBlock = false
        builder.recordVersion = 0x0300
        #expect(
            self.parser.parse(builder.bytes())
                == .clientHello(ClientHello(recordVersion: 0x0300, legacyVersion: 0x0300, sessionID: Array(repeating: 0x5A, count: 32)))
        )
    }

    @Test func severalHostNamesKeepTheirOrderAndCase() {
        let names = ["WWW.Example.com", "b.example", "c.example"]
        self.expectHello(self.parser.parse(ClientHelloBuilder(serverNames: names).bytes()), serverNames: names)
    }

    @Test func otherNameTypesAreSkipped() {
        // name_type 7 with a 3-byte name, then a host_name.
        let list: [UInt8] = [7, 0, 3, 1, 2, 3, 0, 0, 5] + Array("a.com".utf8)
        var builder = ClientHelloBuilder(serverNames: nil)
        builder.extraExtensions = [(0, ClientHelloBuilder.lengthPrefixed16(list))]
        self.expectHello(self.parser.parse(builder.bytes()), serverNames: ["a.com"])
    }

    @Test func greaseIsSkippedAndRemovedFromSupportedVersions() {
        let builder = ClientHelloBuilder(alpnProtocols: ["h2"], supportedVersions: [0x0304, 0x0303], grease: true)
        self.expectHello(self.parser.parse(builder.bytes()), serverNames: ["example.com"], alpn: ["h2"])
        #expect(ClientHelloParser.isGREASE(0x0A0A))
        #expect(ClientHelloParser.isGREASE(0xFAFA))
        #expect(!ClientHelloParser.isGREASE(0x0A1A))
        #expect(!ClientHelloParser.isGREASE(0x0304))
    }

    @Test func largestPossibleServerName() {
        let name = String(repeating: "a", count: 65_000)
        let parser = ClientHelloParser(maximumHelloSize: 1 << 17)
        let bytes = ClientHelloBuilder(serverNames: [name]).bytes()
        self.expectHello(parser.parse(bytes), serverNames: [name])
        #expect(self.parser.parse(bytes) == .notClientHello(.tooLarge))
    }

    /// Captured from `openssl s_client -connect 127.0.0.1:PORT -servername example.com
    /// -alpn h2,http/1.1` (OpenSSL 3.0.19) against `nc -l 127.0.0.1 PORT`.
    static let opensslClientHello = ClientHelloBuilder.bytes(hex: """
        160301014a01000146030366245f35500bc61ff39183423fa645e4e39f5d2efcfcea42b4f7c75595be9d1620e1e47e53
        9ff8f11f72f5fd4ba6a866b0546a8e30a2c9102b5d02892bcf79cbe5003e130213031301c02cc030009fcca9cca8ccaa
        c02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d009c003d003c0035002f00ff010000bf
        00000010000e00000b6578616d706c652e636f6d000b000403000102000a00160014001d0017001e0019001801000101
        010201030104002300000010000e000c02683208687474702f312e310016000000170000000d002a0028040305030603
        080708080809080a080b080408050806040105010601030303010302040205020602002b000908030403030302030100
        2d00020101003300260024001d0020793646ad92c99bd2220b20108c3b1be948913f5a14e68ec5adb71d91b0b47d64
        """)

    @Test func realOpenSSLClientHello() {
        let bytes = Self.opensslClientHello
        #expect(bytes.count == 335)
        #expect(self.firstDecidedPrefix(of: bytes, lengths: 0..<bytes.count) == nil)
        #expect(
            self.parser.parse(bytes)
                == .clientHello(
                    ClientHello(
                        recordVersion: 0x0301,
                        legacyVersion: 0x0303,
                        serverNames: ["example.com"],
                        alpnProtocols: ["h2", "http/1.1"],
                        supportedVersions: [0x0304, 0x0303, 0x0302, 0x0301],
                        // After the record header (5), the message header (4), the version (2), the random
                        // (32) and the id's length byte.
                        sessionID: Array(bytes[44..<76]),
                        signatureAlgorithms: [
                            0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080A, 0x080B, 0x0804, 0x0805, 0x0806,
                            0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602,
                        ]
                    )
                )
        )
        #expect(self.parser.helloType(bytes) == .value(1))
        #expect(self.parser.sslVersion(bytes) == .value(0x30003))
        // Re-fragmented the way another client could send it.
        let message = Array(bytes[5...])
        self.expectHello(
            self.parser.parse(ClientHelloBuilder.records(message, maximumFragmentLength: 100)),
            serverNames: ["example.com"],
            alpn: ["h2", "http/1.1"],
            supportedVersions: [0x0304, 0x0303, 0x0302, 0x0301]
        )
    }

    // MARK: SSLv2-compatible hellos

    @Test func sslv2CompatibleHello() {
        let bytes = ClientHelloBuilder.sslv2Hello(version: 0x0301, sessionIDLength: 16, challengeLength: 32)
        #expect(self.firstDecidedPrefix(of: bytes, lengths: 0..<bytes.count) == nil)
        #expect(
            self.parser.parse(bytes)
                == .clientHello(
                    ClientHello(recordVersion: 0x0002, legacyVersion: 0x0301, isSSLv2Compatible: true)
                )
        )
        #expect(self.parser.helloType(bytes) == .noValue)
        #expect(self.parser.sslVersion(bytes) == .value(0x30001))
        #expect(self.parser.sslVersion(ClientHelloBuilder.sslv2Hello(version: 0x0002)) == .value(0x00002))
    }

    @Test func malformedSSLv2Hellos() {
        var wrongLength = ClientHelloBuilder.sslv2Hello()
        wrongLength[1] &+= 1
        #expect(self.parser.parse(wrongLength) == .notClientHello(.malformed))
        #expect(self.parser.parse(ClientHelloBuilder.sslv2Hello(sessionIDLength: 5)) == .notClientHello(.malformed))
        #expect(self.parser.parse(ClientHelloBuilder.sslv2Hello(challengeLength: 15)) == .notClientHello(.malformed))
        #expect(self.parser.parse([0x80, 0x05, 0x01]) == .notClientHello(.malformed))
        #expect(self.parser.parse([0x80, 0x2E, 0x04]) == .notClientHello(.notClientHelloMessage))
        #expect(self.parser.parse([0xFF, 0xFF, 0x01]) == .notClientHello(.tooLarge))
        #expect(self.parser.sslVersion(wrongLength) == .noValue)
    }

    // MARK: Not a ClientHello

    @Test func nonTLSBytesAreRejectedFromTheFirstByte() {
        #expect(self.parser.parse([]) == .needMoreData)
        #expect(self.parser.parse(Array("G".utf8)) == .notClientHello(.notHandshakeRecord))
        #expect(self.parser.parse(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)) == .notClientHello(.notHandshakeRecord))
        #expect(self.parser.parse(Array("SSH-2.0-OpenSSH_9.6\r\n".utf8)) == .notClientHello(.notHandshakeRecord))
        #expect(self.parser.parse([0x16]) == .needMoreData)
        #expect(self.parser.parse([0x16, 0x02]) == .notClientHello(.notHandshakeRecord))
        #expect(self.parser.parse([0x17, 0x03, 0x03, 0x00, 0x10]) == .notClientHello(.notHandshakeRecord))
        #expect(self.parser.helloType(Array("GET /".utf8)) == .noValue)
        #expect(self.parser.sslVersion(Array("GET /".utf8)) == .noValue)
    }

    @Test func otherHandshakeMessageIsNotAClientHello() {
        let serverHello = ClientHelloBuilder.records(
            ClientHelloBuilder.handshakeMessage(type: 2, body: [0x03, 0x03] + Array(repeating: 1, count: 40)),
            maximumFragmentLength: 16_384
        )
        #expect(self.parser.parse(Array(serverHello[..<6])) == .notClientHello(.notClientHelloMessage))
        #expect(self.parser.parse(serverHello) == .notClientHello(.notClientHelloMessage))
        #expect(self.parser.helloType(Array(serverHello[..<20])) == .needMoreData)
        #expect(self.parser.helloType(serverHello) == .value(2))
        #expect(self.parser.sslVersion(serverHello) == .noValue)
    }

    @Test func oversizedHandshakeLengthIsTooLargeFromItsHeader() {
        let header: [UInt8] = [0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0xFF, 0xFF, 0xFF]
        #expect(self.parser.parse(Array(header[..<8])) == .needMoreData)
        #expect(self.parser.parse(header) == .notClientHello(.tooLarge))
        #expect(self.parser.helloType(header) == .noValue)
        let justOver = [0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00, 0x50, 0x01] as [UInt8]
        #expect(self.parser.parse(justOver) == .notClientHello(.tooLarge))
        let small = ClientHelloParser(maximumHelloSize: 100)
        #expect(small.parse(Array(ClientHelloBuilder().bytes()[..<9])) == .notClientHello(.tooLarge))
    }

    @Test func badRecordFraming() {
        // Zero-length and over-long records.
        #expect(self.parser.parse([0x16, 0x03, 0x01, 0x00, 0x00]) == .notClientHello(.malformed))
        #expect(self.parser.parse([0x16, 0x03, 0x01, 0x40, 0x01]) == .notClientHello(.malformed))
        // A hello cut by a non-handshake record, or by a record of another major version.
        let message = ClientHelloBuilder().handshakeMessage()
        let first = ClientHelloBuilder.records(Array(message[..<50]), maximumFragmentLength: 50)
        let rest = Array(message[50...])
        for contentType: UInt8 in [20, 21, 23, 0] {
            let bytes = first + ClientHelloBuilder.recordHeader(contentType: contentType, length: rest.count) + rest
            #expect(self.parser.parse(bytes) == .notClientHello(.malformed))
            #expect(self.parser.parse(Array(bytes[...first.count])) == .notClientHello(.malformed))
        }
        let wrongVersion = first + ClientHelloBuilder.recordHeader(contentType: 22, version: 0x0203, length: rest.count) + rest
        #expect(self.parser.parse(wrongVersion) == .notClientHello(.malformed))
        // A record length shorter than the message: the next "record header" is hello bytes.
        var shortRecord = ClientHelloBuilder().bytes()
        shortRecord[3] = 0
        shortRecord[4] = 20
        #expect(self.parser.parse(shortRecord) == .notClientHello(.malformed))
    }

    // MARK: Lying lengths

    @Test func serverNameLength65535() {
        let builder = ClientHelloBuilder()
        let bytes = builder.bytes()
        let sni = self.firstExtensionOffset(builder)
        #expect(Array(bytes[sni..<(sni + 2)]) == [0, 0])  // server_name comes first
        // Name length, list length, extension length.
        for offset in [sni + 7, sni + 4, sni + 2] {
            let lying = self.patching(bytes, at: offset, with: [0xFF, 0xFF])
            #expect(self.parser.parse(lying) == .notClientHello(.malformed))
            self.expectMonotone(lying)
        }
        // The same with a parser that would accept a hello as big as the lie.
        let roomy = ClientHelloParser(maximumHelloSize: 1 << 20)
        #expect(roomy.parse(self.patching(bytes, at: sni + 7, with: [0xFF, 0xFF])) == .notClientHello(.malformed))
        // And a 64 KiB extensions block whose lengths all fit, except the name's, which claims
        // 65535 bytes where its list leaves 65526.
        var body = Array(builder.body()[..<(sni - 9 - 2)])
        body += [0xFF, 0xFF, 0x00, 0x00, 0xFF, 0xFB, 0xFF, 0xF9, 0x00, 0xFF, 0xFF]
        body += Array(repeating: UInt8(ascii: "a"), count: 0xFFF6)
        let huge = ClientHelloBuilder.records(ClientHelloBuilder.handshakeMessage(type: 1, body: body), maximumFragmentLength: 16_384)
        #expect(roomy.parse(huge) == .notClientHello(.malformed))
    }

    @Test func lyingLengthsInsideTheHello() {
        let builder = ClientHelloBuilder(alpnProtocols: ["h2"])
        let bytes = builder.bytes()
        let extensionsLength = self.firstExtensionOffset(builder) - 2
        let cipherSuitesLength = 5 + 4 + 2 + 32 + 1 + 32
        func uint16(at offset: Int) -> Int { Int(bytes[offset]) << 8 | Int(bytes[offset + 1]) }
        let messageLength = Int(bytes[6]) << 16 | uint16(at: 7)
        let shortMessage = messageLength - 10
        let shortExtensions = uint16(at: extensionsLength) - 1
        let cases: [(String, Int, [UInt8])] = [
            ("session id length 33", 43, [33]),
            ("session id length 255", 43, [255]),
            ("cipher suites length 65535", cipherSuitesLength, [0xFF, 0xFF]),
            ("odd cipher suites length", cipherSuitesLength, [0x00, 0x09]),
            ("no cipher suites", cipherSuitesLength, [0x00, 0x00]),
            ("extensions length 65535", extensionsLength, [0xFF, 0xFF]),
            ("extensions length short by one", extensionsLength, [UInt8(shortExtensions >> 8), UInt8(shortExtensions & 0xFF)]),
            ("handshake length short by ten", 6, [UInt8(shortMessage >> 16), UInt8((shortMessage >> 8) & 0xFF), UInt8(shortMessage & 0xFF)]),
        ]
        for (name, offset, patch) in cases {
            let lying = self.patching(bytes, at: offset, with: patch)
            #expect(self.parser.parse(lying) == .notClientHello(.malformed), "\(name)")
            self.expectMonotone(lying)
        }
    }

    @Test func malformedExtensions() {
        func parse(_ extensions: [(type: UInt16, data: [UInt8])]) -> ClientHelloParseResult {
            var builder = ClientHelloBuilder(serverNames: nil, supportedVersions: nil)
            builder.extraExtensions = extensions
            return self.parser.parse(builder.bytes())
        }
        let sni = ClientHelloBuilder.lengthPrefixed16([0, 0, 1, 0x61])
        #expect(parse([(0, sni)]) == parse([]).withServerNames(["a"]))
        let cases: [(String, [(type: UInt16, data: [UInt8])])] = [
            ("empty host name", [(0, ClientHelloBuilder.lengthPrefixed16([0, 0, 0]))]),
            ("empty server name list", [(0, [0, 0])]),
            ("empty server name extension", [(0, [])]),
            ("bytes after the server name list", [(0, sni + [0])]),
            ("duplicate server name extension", [(0, sni), (0, sni)]),
            ("ALPN name longer than its list", [(16, [0, 3, 5, 0x68, 0x32])]),
            ("empty ALPN name", [(16, [0, 1, 0])]),
            ("empty ALPN list", [(16, [0, 0])]),
            ("duplicate ALPN", [(16, [0, 3, 2, 0x68, 0x32]), (16, [0, 3, 2, 0x68, 0x32])]),
            ("odd supported_versions", [(43, [3, 3, 4, 3])]),
            ("supported_versions longer than its extension", [(43, [6, 3, 4])]),
            ("duplicate supported_versions", [(43, [2, 3, 4]), (43, [2, 3, 3])]),
        ]
        for (name, extensions) in cases {
            #expect(parse(extensions) == .notClientHello(.malformed), "\(name)")
        }
    }

    // MARK: Sample fetches

    @Test func helloTypeAndSSLVersionWaitForTheWholeMessage() {
        let bytes = ClientHelloBuilder().bytes(inRecords: 3)
        for length in [0, 1, 5, 9, 11, bytes.count - 1] {
            #expect(self.parser.helloType(Array(bytes[..<length])) == .needMoreData)
            #expect(self.parser.sslVersion(Array(bytes[..<length])) == .needMoreData)
        }
        #expect(self.parser.helloType(bytes) == .value(1))
        #expect(self.parser.sslVersion(bytes) == .value(0x30003))
        #expect(self.parser.sslVersion(ClientHelloBuilder(legacyVersion: 0x0301).bytes()) == .value(0x30001))
        #expect(ClientHelloParser.haproxyVersion(0x0300) == 0x30000)
    }

    @Test func helloTypeDoesNotCheckTheBody() {
        // As in HAProxy, a complete but malformed ClientHello is still hello type 1.
        let bytes = ClientHelloBuilder.records(ClientHelloBuilder.handshakeMessage(type: 1, body: [3]), maximumFragmentLength: 100)
        #expect(self.parser.parse(bytes) == .notClientHello(.malformed))
        #expect(self.parser.helloType(bytes) == .value(1))
        #expect(self.parser.sslVersion(bytes) == .noValue)
    }

    // MARK: Robustness

    // Inputs that once broke a fuzzer's invariant are kept as `regression-*` files in the fuzzer's
    // corpus (FuzzTesting/Corpus/<Target>/): every CI run replays them with all the invariants
    // (`FuzzTesting/smoke`), and each has a unit test of its own next to the code it broke.

    @Test func randomMutationsNeverCrashOrContradict() {
        var random = SplitMix64(seed: 0x5EED)
        var grease = ClientHelloBuilder(alpnProtocols: ["h2", "http/1.1"], grease: true)
        grease.paddedBodyLength = 600
        let seeds: [[UInt8]] = [
            ClientHelloBuilder().bytes(),
            grease.bytes(),
            grease.bytes(inRecords: 4),
            ClientHelloBuilder.sslv2Hello(),
            Self.opensslClientHello,
        ]
        for _ in 0..<1_500 {
            var bytes = seeds[Int(random.next() % UInt64(seeds.count))]
            for _ in 0..<(1 + random.next() % 4) {
                let position = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 5 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes[position] = [0x00, 0xFF, 0x01, 0x7F][Int(random.next() % 4)]
                case 2: bytes[position] ^= 1 << UInt8(random.next() % 8)
                case 3: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
                default: bytes.removeSubrange(position..<min(bytes.count, position + Int(random.next() % 8) + 1))
                }
                if bytes.isEmpty { bytes = [0x16] }
            }
            let final = self.parser.parse(bytes)
            _ = self.parser.helloType(bytes)
            _ = self.parser.sslVersion(bytes)
            for _ in 0..<8 {
                let length = Int(random.next() % UInt64(bytes.count + 1))
                let result = self.parser.parse(Array(bytes[..<length]))
                #expect(result == .needMoreData || result == final, "prefix \(length) of \(bytes)")
            }
        }
    }
}

private extension ClientHelloParseResult {
    func withServerNames(_ names: [String]) -> ClientHelloParseResult {
        guard case .clientHello(var hello) = self else { return self }
        hello.serverNames = names
        return .clientHello(hello)
    }
}

/// A small deterministic generator, so that a failing mutation can be reproduced.
private struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
