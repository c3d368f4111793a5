import Foundation
import NIOConcurrencyHelpers
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A server that goes silent — before its answer, or after the head of it — holds a client until
/// `timeout server`, and no longer: before the head the client gets a 504 (HAProxy's answer), after
/// it the connection is closed with the body cut short. The server sees its connection closed, the
/// other clients are served meanwhile, and usher's memory and descriptors come back.
@Suite(.serialized)
final class SilentServerFaultTests {
    static let clients = 50

    /// How each silent server connection ended, seen by the server.
    final class Endings: Sendable {
        private let box = NIOLockedValueBox<[StreamEnding]>([])
        func add(_ ending: StreamEnding) { box.withLockedValue { $0.append(ending) } }
        var all: [StreamEnding] { box.withLockedValue { $0 } }
    }

    /// A server that reads a request, sends `answer` (maybe nothing), then waits in silence until
    /// its connection ends.
    static func silentOrigin(after answer: [UInt8], endings: Endings) throws -> ScriptedOrigin {
        try ScriptedOrigin(timeout: 30) { connection in
            _ = try connection.receiveHead()
            if !answer.isEmpty { try connection.send(answer) }
            endings.add(connection.receiveUntilEnd().ending)
        }
    }

    func runSilentServer(answer: [UInt8], fault: String, check: @escaping @Sendable ([UInt8], StreamEnding) -> String?) throws {
        let endings = Endings()
        let origin = try Self.silentOrigin(after: answer, endings: endings)
        defer { origin.stop() }
        let good = try BulkHTTPOrigin(group: testGroup)
        defer { good.stop() }
        let port = freePort()
        let configuration = FaultConfiguration.http(
            port: port, faulty: origin.address, good: "127.0.0.1:\(good.port)",
            timeouts: ["timeout connect 2s", "timeout client 30s", "timeout server 1s", "timeout http-request 5s"])
        let proxy = try FaultProxy(configuration: configuration, listening: [port])
        defer { proxy.stop() }
        var problems: [String] = []
        try proxy.measure("\(fault) ×\(Self.clients)", bound: .few) {
            for _ in 0..<3 { try WellBehavedClient.download(port: port) }
        } during: {
            let others = ServedMeanwhile { try WellBehavedClient.download(port: port) }
            let results = concurrently(Self.clients) { _ -> String? in
                let client = try RawClient(port: port, timeout: 20)
                try client.send("GET /fault HTTP/1.1\r\nHost: fault.test\r\n\r\n")
                let (bytes, ending) = client.receiveUntilEnd()
                return check(bytes, ending)
            }
            problems = results.compactMap { result in
                switch result {
                case .success(let problem): return problem
                case .failure(let error): return "\(error)"
                }
            }
            let (served, failures) = others.stop()
            #expect(failures.isEmpty, "the other clients are served while the server is silent: \(failures.prefix(3))")
            #expect(served > 0)
        }
        #expect(problems.isEmpty, "\(problems.count) clients: \(problems.prefix(3))")
        #expect(CommandLineTests.waitUntil(timeout: 10) { endings.all.count == Self.clients }, "the server sees each connection closed")
        #expect(!endings.all.contains(.timedOut), "usher closed every silent server connection: \(endings.all)")
    }

    @Test func serverSilentBeforeItsAnswerGets504() throws {
        try runSilentServer(answer: [], fault: "server silent before its head") { bytes, ending in
            let text = String(decoding: bytes, as: UTF8.self)
            guard text.hasPrefix("HTTP/1.1 504"), ending != .timedOut else { return "\(HTTPWire.printable(bytes.prefix(80))) then \(ending)" }
            return nil
        }
    }

    @Test func serverSilentAfterItsHeadIsClosed() throws {
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
        let answer = Array(head.utf8) + BytePattern.bytes(count: 1000)
        try runSilentServer(answer: answer, fault: "server silent after its head") { bytes, ending in
            // The head is out: nothing but a close can end it; the body must stay cut short.
            let body = bytes.firstRange(of: [13, 10, 13, 10]).map { Array(bytes[$0.upperBound...]) }
            guard bytes.starts(with: Array("HTTP/1.1 200".utf8)), body == BytePattern.bytes(count: 1000), ending != .timedOut else {
                return "\(bytes.count) bytes (\(HTTPWire.printable(bytes.prefix(40)))) then \(ending)"
            }
            return nil
        }
    }
}
