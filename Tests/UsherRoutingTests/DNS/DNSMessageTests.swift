import Testing
@testable import UsherRouting

@Suite("DNS messages")
struct DNSMessageTests {
    typealias B = DNSResponseBuilder

    @Test func queryCarriesTheNameTypeAndPayloadSize() throws {
        let bytes = try #require(DNSMessage.query(id: 0xBEEF, name: "www.Example.test.", type: .aaaa, payloadSize: 4096))
        #expect(Array(bytes[0..<12]) == [0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1])
        let name: [UInt8] = [3] + Array("www".utf8) + [7] + Array("Example".utf8) + [4] + Array("test".utf8) + [0]
        #expect(Array(bytes[12..<(12 + name.count)]) == name)
        let rest = Array(bytes[(12 + name.count)...])
        // type AAAA, class IN, then the OPT record: root, type 41, payload 4096.
        #expect(rest == [0, 28, 0, 1, 0, 0, 41, 0x10, 0x00, 0, 0, 0, 0, 0, 0])
    }

    @Test(arguments: ["", ".", "a..b", String(repeating: "a", count: 64) + ".test", Array(repeating: "abcdefghi", count: 26).joined(separator: ".")])
    func unsendableNamesGiveNoQuery(_ name: String) {
        #expect(DNSMessage.query(id: 1, name: name, type: .a, payloadSize: 512) == nil)
    }

    @Test func readsAddresses() throws {
        var builder = B(id: 7, name: "web.test", type: .a)
        builder.answers = [B.a("web.test", "10.0.0.1"), B.a("WEB.test", "10.0.0.2")]
        let response = try DNSMessage.parseResponse(builder.bytes).get()
        #expect(response.id == 7)
        #expect(response.responseCode == .noError)
        #expect(response.questionName == "web.test")
        #expect(response.answers.map(\.name) == ["web.test", "web.test"])
        #expect(response.answers.map(\.data) == [.address(IPAddress("10.0.0.1")!), .address(IPAddress("10.0.0.2")!)])
    }

    @Test func readsCompressedNamesCNAMEsAndSRV() throws {
        // The question's name at offset 12; the answers point at it.
        var builder = B(id: 9, name: "_http._tcp.svc.test", type: .srv)
        let pointer: [UInt8] = [0xC0, 12]
        var srvData: [UInt8] = [0, 10, 0x01, 0x00, 0x1F, 0x90]
        srvData += [4] + Array("web1".utf8) + [0xC0, 12 + 11]  // web1 + "svc.test" inside the question
        builder.answers = [B.record(pointer, type: 33, data: srvData), B.cname("alias.test", "web1.svc.test")]
        let response = try DNSMessage.parseResponse(builder.bytes).get()
        #expect(response.answers[0].name == "_http._tcp.svc.test")
        #expect(response.answers[0].data == .service(priority: 10, weight: 256, port: 8080, target: "web1.svc.test"))
        #expect(response.answers[1].data == .canonicalName("web1.svc.test"))
    }

    @Test func aPointerLoopIsRefused() {
        var builder = B(id: 1, name: "a.test", type: .a)
        // An answer whose name points at itself.
        let selfPointerAt = 12 + B.name("a.test").count + 4
        builder.answers = [B.record([0xC0, UInt8(selfPointerAt)], type: 1, data: [10, 0, 0, 1])]
        #expect(throws: DNSMessage.ParseError.self) { try DNSMessage.parseResponse(builder.bytes).get() }
        // Two labels pointing at each other: a forward pointer, refused too.
        var twoStep = B(id: 1, name: "a.test", type: .a)
        twoStep.answers = [B.record([1, 0x61, 0xC0, UInt8(selfPointerAt + 5)] + [0xC0, UInt8(selfPointerAt)], type: 1, data: [10, 0, 0, 1])]
        #expect(throws: DNSMessage.ParseError.self) { try DNSMessage.parseResponse(twoStep.bytes).get() }
    }

    @Test func namesOver255BytesAreRefused() {
        var builder = B(id: 1, name: "a.test", type: .a)
        // Five labels of 63 bytes: 320 bytes of name, through a chain of backward pointers.
        var owner: [UInt8] = []
        for _ in 0..<5 { owner += [63] + Array(repeating: UInt8(ascii: "x"), count: 63) }
        builder.answers = [B.record(owner + [0], type: 1, data: [10, 0, 0, 1])]
        #expect(throws: DNSMessage.ParseError.self) { try DNSMessage.parseResponse(builder.bytes).get() }
    }

    @Test func truncatedMessagesAreRefusedAtEveryLength() {
        var builder = B(id: 3, name: "_x._tcp.test", type: .srv)
        builder.answers = [B.srv("_x._tcp.test", weight: 1, port: 80, target: "t.test"), B.a("t.test", "10.0.0.9")]
        let whole = builder.bytes
        #expect((try? DNSMessage.parseResponse(whole).get()) != nil)
        for length in 0..<whole.count {
            #expect((try? DNSMessage.parseResponse(Array(whole[0..<length])).get()) == nil, "cut at \(length)")
        }
    }

    @Test func countsThatLieAndGarbageNeverTrap() {
        var builder = B(id: 3, name: "a.test", type: .a)
        builder.answers = [B.a("a.test", "10.0.0.1")]
        builder.claimedAnswerCount = 65535
        #expect((try? DNSMessage.parseResponse(builder.bytes).get()) == nil)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<300, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if bytes.count > 3 { bytes[2] |= 0x80; bytes[2] &= 0x87 }
            _ = DNSMessage.parseResponse(bytes)
        }
    }

    @Test func aQueryIsNotAResponse() throws {
        let query = try #require(DNSMessage.query(id: 1, name: "a.test", type: .a, payloadSize: 512))
        #expect((try? DNSMessage.parseResponse(query).get()) == nil)
    }

    @Test func responseCodesAndTruncation() throws {
        var builder = B(id: 3, name: "a.test", type: .a, responseCode: 3)
        #expect(try DNSMessage.parseResponse(builder.bytes).get().responseCode == .nameError)
        builder = B(id: 3, name: "a.test", type: .a, responseCode: 5)
        #expect(try DNSMessage.parseResponse(builder.bytes).get().responseCode == .refused)
        builder = B(id: 3, name: "a.test", type: .a, responseCode: 2)
        #expect(try DNSMessage.parseResponse(builder.bytes).get().responseCode == .other(2))
        builder.flags |= 0x0200
        #expect(try DNSMessage.parseResponse(builder.bytes).get().isTruncated)
    }
}
