import Foundation
import NIOCore
import Testing
import UsherTestSupport

/// The seed's :443 rules against raw clients that control every byte: a ClientHello cut into TCP
/// segments or spread over several TLS records, a 1.8 KB hello, a silent client, non-TLS bytes, and
/// many clients at once. The backends record what reaches them, so every test also checks that the
/// client's bytes arrive unchanged.
@Suite(.serialized)
final class SNIRoutingTests {
    let web: TCPBackend
    let webTLS: TCPBackend
    let pump: TCPBackend
    let usher: UsherUnderTest
    let syslog: SyslogCollector

    init() throws {
        syslog = try SyslogCollector(group: testGroup)
        web = try TCPBackend(name: "web", behaviour: .announce, group: testGroup)
        webTLS = try TCPBackend(name: "web-tls", behaviour: .announce, group: testGroup)
        pump = try TCPBackend(name: "pump", behaviour: .announce, group: testGroup)
        usher = try UsherUnderTest(SeedFixture.configuration(.init(
            webServer: web.port, webServerTLS: webTLS.port, pumpIO: pump.port, syslog: syslog.port, inspectDelay: "1s"
        )))
    }

    deinit {
        syslog.stop()
        usher.stop()
        web.stop()
        webTLS.stop()
        pump.stop()
    }

    var port: Int { usher.port("https-in") }

    static func hello(_ name: String?, keyShareLength: Int = 32) -> [UInt8] {
        var builder = ClientHelloBuilder()
        builder.serverNames = name.map { [$0] }
        builder.keyShareLength = keyShareLength
        return builder.bytes()
    }

    /// Sends `bytes` in the given way and returns the name of the backend that answered.
    func backendReached(_ bytes: [UInt8], segment: Int? = nil) throws -> String {
        let client = try RawClient(port: port)
        if let segment {
            // Well inside the 1s inspect delay, however small the segments.
            let segments = (bytes.count + segment - 1) / segment
            try client.sendInSegments(bytes, size: segment, pause: min(0.02, 0.4 / Double(segments)))
        } else {
            try client.send(bytes)
        }
        return try client.receiveLine()
    }

    @Test func helloInOneSegment() throws {
        #expect(try backendReached(Self.hello("pump2.thisshitistemp.com")) == "pump")
        #expect(try backendReached(Self.hello("example.org")) == "web-tls")
    }

    @Test(arguments: [1, 2, 5, 17, 100])
    func helloCutIntoTCPSegments(size: Int) throws {
        let hello = Self.hello("pump2.thisshitistemp.com")
        #expect(try backendReached(hello, segment: size) == "pump")
        #expect(pump.receivedPerConnection.last == hello, "the server must receive the hello byte for byte")
    }

    @Test(arguments: [2, 3, 7])
    func helloSpreadOverSeveralTLSRecords(records: Int) throws {
        var builder = ClientHelloBuilder()
        builder.serverNames = ["PUMP2.thisshitistemp.com"]
        let bytes = builder.bytes(inRecords: records)
        #expect(try backendReached(bytes) == "pump")
        #expect(pump.receivedPerConnection.last == bytes)
    }

    @Test func helloSpreadOverRecordsAndSegments() throws {
        var builder = ClientHelloBuilder()
        builder.serverNames = ["pump2.thisshitistemp.com"]
        let bytes = builder.bytes(inRecords: 4)
        #expect(try backendReached(bytes, segment: 33) == "pump")
    }

    @Test func postQuantumSizedHelloOf1800Bytes() throws {
        var builder = ClientHelloBuilder()
        builder.serverNames = ["pump2.thisshitistemp.com"]
        builder.keyShareLength = 1216
        builder.paddedBodyLength = 1800 - 9
        let bytes = builder.bytes()
        #expect(bytes.count >= 1800)
        #expect(try backendReached(bytes) == "pump")
        #expect(try backendReached(bytes, segment: 536) == "pump")
        #expect(pump.receivedPerConnection.last == bytes)
    }

    @Test func silentClientGoesToTheDefaultBackendOnceTheInspectDelayExpires() async throws {
        let client = try RawClient(port: port)
        // Nothing is sent: the rules wait for a ClientHello until the 1s inspect-delay expires, then
        // decide on what arrived (nothing): the default backend.
        try await Task.sleep(for: .milliseconds(1300))
        try client.send("late bytes")
        #expect(try client.receiveLine() == "web-tls")
        client.shutdownWrite()
        _ = try client.receiveAll()
        let line = try #require(try await syslog.waitFor(" https-in servers-ssl/server-ssl1 "))
        // Tw, the time before a server was chosen, covers the whole inspect delay (as in HAProxy).
        let timers = line.split(separator: " ").first { $0.split(separator: "/").count == 3 && $0.first?.isNumber == true }
        let waited = Int(timers?.split(separator: "/").first ?? "") ?? -1
        #expect(waited >= 1000 && waited < 1300, "\(line)")
        #expect(webTLS.receivedPerConnection.contains(Array("late bytes".utf8)))
        #expect(!pump.receivedPerConnection.contains { !$0.isEmpty })
    }

    @Test func nonTLSBytesGoToTheDefaultBackendAtOnce() throws {
        let started = Date()
        #expect(try backendReached(Array("GET / HTTP/1.0\r\n\r\n".utf8)) == "web-tls")
        #expect(Date().timeIntervalSince(started) < 0.9, "non-TLS bytes are decided without waiting for the inspect delay")
        #expect(webTLS.receivedPerConnection.last == Array("GET / HTTP/1.0\r\n\r\n".utf8))
    }

    @Test func helloWithoutServerName() throws {
        #expect(try backendReached(Self.hello(nil)) == "web-tls")
    }

    @Test func twoHundredConcurrentClientsWithMixedNames() async throws {
        let port = self.port
        let names = (0..<200).map { $0 % 3 == 0 ? "pump2.thisshitistemp.com" : ($0 % 3 == 1 ? "PUMP2.thisshitistemp.COM" : "site\($0).example") }
        let results = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, name) in names.enumerated() {
                group.addTask {
                    let client = try RawClient(port: port, timeout: 20)
                    try client.send(Self.hello(name))
                    return (index, try client.receiveLine())
                }
            }
            var answers = [String](repeating: "", count: names.count)
            for try await (index, answer) in group { answers[index] = answer }
            return answers
        }
        for (index, name) in names.enumerated() {
            let expected = name.lowercased() == "pump2.thisshitistemp.com" ? "pump" : "web-tls"
            #expect(results[index] == expected, "client \(index) (\(name))")
        }
    }
}
