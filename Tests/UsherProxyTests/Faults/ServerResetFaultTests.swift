import Foundation
import NIOConcurrencyHelpers
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A server that resets its connection in the middle of a response body (HTTP) or of its stream
/// (TCP): the client gets the bytes sent before the reset, unaltered, and then sees its connection
/// end — the body is cut short, never completed with anything else — while the other clients are
/// served, and usher's memory and descriptors come back to where they were.
@Suite(.serialized)
final class ServerResetFaultTests {
    /// What the server sends before its reset, of a body it announces as `announced` bytes.
    static let sentBeforeReset = 256 << 10
    static let announced = 4 << 20
    /// Resets per test, to show nothing is left behind by each.
    static let rounds = 40

    /// The misbehaving server: reads the request head, answers a head announcing `announced`
    /// bytes, sends part of them, waits for them to be read, and resets.
    static func resettingHTTPOrigin() throws -> ScriptedOrigin {
        try ScriptedOrigin { connection in
            _ = try connection.receiveHead()
            try connection.send("HTTP/1.1 200 OK\r\nContent-Length: \(announced)\r\n\r\n")
            try connection.sendPattern(count: sentBeforeReset)
            Thread.sleep(forTimeInterval: 0.2)
            connection.reset()
        }
    }

    /// What a client saw of one reset response.
    struct Outcome: Equatable, CustomStringConvertible {
        var status: String
        var bodyBytes: Int
        var bodyIsThePattern: Bool
        var ending: StreamEnding

        var description: String { "\(status), \(bodyBytes) body bytes (\(bodyIsThePattern ? "the server's" : "altered")), then \(ending.rawValue)" }
    }

    static func fetchResetResponse(port: Int) throws -> Outcome {
        let client = try RawClient(port: port, timeout: 15)
        try client.send("GET /fault HTTP/1.1\r\nHost: fault.test\r\n\r\n")
        let (bytes, ending) = client.receiveUntilEnd()
        guard let end = bytes.firstRange(of: [13, 10, 13, 10]) else {
            return Outcome(status: HTTPWire.printable(bytes.prefix(60)), bodyBytes: 0, bodyIsThePattern: true, ending: ending)
        }
        let status = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? ""
        let body = Array(bytes[end.upperBound...])
        return Outcome(
            status: status, bodyBytes: body.count, bodyIsThePattern: body.withUnsafeBytes { BytePattern.matches($0, offset: 0) }, ending: ending)
    }

    @Test func httpServerResetMidBody() throws {
        let origin = try Self.resettingHTTPOrigin()
        defer { origin.stop() }
        let good = try BulkHTTPOrigin(group: testGroup)
        defer { good.stop() }
        let port = freePort()
        let proxy = try FaultProxy(configuration: FaultConfiguration.http(port: port, faulty: origin.address, good: "127.0.0.1:\(good.port)"), listening: [port])
        defer { proxy.stop() }
        var outcomes: [Outcome] = []
        try proxy.measure("HTTP server reset mid-body ×\(Self.rounds)", bound: .few) {
            for _ in 0..<3 { try WellBehavedClient.download(port: port) }
        } during: {
            let others = ServedMeanwhile { try WellBehavedClient.download(port: port) }
            for _ in 0..<Self.rounds { outcomes.append(try Self.fetchResetResponse(port: port)) }
            let (served, failures) = others.stop()
            #expect(failures.isEmpty, "the other clients are served during the resets: \(failures.prefix(3))")
            #expect(served > 0)
        }
        for outcome in outcomes {
            // The head went out before the reset: the client must see the body cut short (never
            // completed) and its connection end, with every byte it got the server's.
            #expect(outcome.status == "HTTP/1.1 200 OK", "\(outcome)")
            #expect(outcome.bodyBytes < Self.announced, "\(outcome)")
            #expect(outcome.bodyIsThePattern, "\(outcome)")
            #expect(outcome.ending != .timedOut, "\(outcome)")
        }
        print("HTTP reset mid-body, usher: \(Set(outcomes.map(\.description)).sorted())")
    }

    /// The TCP server: reads the client's first bytes, sends part of a stream, waits for it to be
    /// read, and resets.
    static func resettingTCPOrigin() throws -> ScriptedOrigin {
        try ScriptedOrigin { connection in
            _ = try connection.receive()
            try connection.sendPattern(count: sentBeforeReset)
            Thread.sleep(forTimeInterval: 0.2)
            connection.reset()
        }
    }

    @Test func tcpServerResetMidStream() throws {
        let origin = try Self.resettingTCPOrigin()
        defer { origin.stop() }
        let good = try TCPBackend(name: "good", behaviour: .bulkReply(replyBytes: 16_384), group: testGroup)
        defer { good.stop() }
        let port = freePort(), goodPort = freePort()
        let proxy = try FaultProxy(
            configuration: FaultConfiguration.tcp(port: port, goodPort: goodPort, faulty: origin.address, good: "127.0.0.1:\(good.port)"),
            listening: [port, goodPort])
        defer { proxy.stop() }
        var outcomes: [(count: Int, intact: Bool, ending: StreamEnding)] = []
        try proxy.measure("TCP server reset mid-stream ×\(Self.rounds)", bound: .few) {
            for _ in 0..<3 { try WellBehavedClient.tcpExchange(port: goodPort, count: 16_384) }
        } during: {
            let others = ServedMeanwhile { try WellBehavedClient.tcpExchange(port: goodPort, count: 16_384) }
            for _ in 0..<Self.rounds {
                let client = try RawClient(port: port, timeout: 15)
                try client.send("go")
                let (bytes, ending) = client.receiveUntilEnd()
                outcomes.append((bytes.count, bytes.withUnsafeBytes { BytePattern.matches($0, offset: 0) }, ending))
            }
            let (served, failures) = others.stop()
            #expect(failures.isEmpty, "the other clients are served during the resets: \(failures.prefix(3))")
            #expect(served > 0)
        }
        for outcome in outcomes {
            // The server waited for its bytes to be read before resetting: all of them reach the
            // client, unaltered, and then the connection ends.
            #expect(outcome.count == Self.sentBeforeReset && outcome.intact, "\(outcome)")
            #expect(outcome.ending != .timedOut, "\(outcome)")
        }
        print("TCP reset mid-stream, usher: \(Set(outcomes.map { "\($0.count) bytes then \($0.ending.rawValue)" }).sorted())")
    }

    /// The same script through HAProxy 2.6 and usher: what the client sees.
    @Test(.enabled(if: ExternalProcess.required("haproxy")))
    func httpResetSeenAsHAProxyShowsIt() throws {
        var seen: [ProxyKind: Outcome] = [:]
        for kind in [ProxyKind.haproxy, .usher] {
            let origin = try Self.resettingHTTPOrigin()
            defer { origin.stop() }
            let port = freePort()
            let proxy = try FaultProxy(kind, configuration: FaultConfiguration.http(port: port, faulty: origin.address, good: origin.address), listening: [port])
            defer { proxy.stop() }
            seen[kind] = try Self.fetchResetResponse(port: port)
        }
        print("HTTP reset mid-body: HAProxy: \(seen[.haproxy]!); usher: \(seen[.usher]!)")
        #expect(seen[.usher]?.status == seen[.haproxy]?.status)
        #expect(seen[.usher]?.bodyBytes == seen[.haproxy]?.bodyBytes, "every byte the server sent before its reset, as HAProxy forwards them")
        #expect(seen[.usher]?.bodyIsThePattern == true)
        #expect(seen[.usher]?.ending == seen[.haproxy]?.ending)
    }

    @Test(.enabled(if: ExternalProcess.required("haproxy")))
    func tcpResetSeenAsHAProxyShowsIt() throws {
        var seen: [ProxyKind: String] = [:]
        for kind in [ProxyKind.haproxy, .usher] {
            let origin = try Self.resettingTCPOrigin()
            defer { origin.stop() }
            let port = freePort()
            let configuration = FaultConfiguration.tcp(port: port, goodPort: freePort(), faulty: origin.address, good: origin.address)
            let proxy = try FaultProxy(kind, configuration: configuration, listening: [port])
            defer { proxy.stop() }
            let client = try RawClient(port: port, timeout: 15)
            try client.send("go")
            let (bytes, ending) = client.receiveUntilEnd()
            seen[kind] = "\(bytes.count) bytes (\(bytes.withUnsafeBytes { BytePattern.matches($0, offset: 0) } ? "the server's" : "altered")), then \(ending.rawValue)"
        }
        print("TCP reset mid-stream: HAProxy: \(seen[.haproxy]!); usher: \(seen[.usher]!)")
        #expect(seen[.usher] == seen[.haproxy])
    }

    // MARK: - Chunked

    /// The body a client got of a chunked response: the data of its chunks, and whether the last
    /// chunk (size 0) came — it must not, after a reset, or a cut body would pass for a whole one.
    static func dechunk(_ bytes: [UInt8]) -> (data: [UInt8], sawLastChunk: Bool) {
        var data: [UInt8] = []
        var index = 0
        while let lineEnd = bytes[index...].firstRange(of: [13, 10]) {
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { break }
            if size == 0 { return (data, true) }
            let start = lineEnd.upperBound
            let end = min(bytes.count, start + size)
            data += bytes[start..<end]
            guard end + 2 <= bytes.count else { break }
            index = end + 2
        }
        return (data, false)
    }

    @Test(.enabled(if: ExternalProcess.required("haproxy")))
    func chunkedResponseResetMidBodyIsNeverCompleted() throws {
        var seen: [ProxyKind: String] = [:]
        for kind in [ProxyKind.haproxy, .usher] {
            let origin = try ScriptedOrigin { connection in
                _ = try connection.receiveHead()
                try connection.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(String(Self.sentBeforeReset, radix: 16))\r\n")
                try connection.sendPattern(count: Self.sentBeforeReset)
                try connection.send("\r\n")
                Thread.sleep(forTimeInterval: 0.2)
                connection.reset()
            }
            defer { origin.stop() }
            let port = freePort()
            let proxy = try FaultProxy(kind, configuration: FaultConfiguration.http(port: port, faulty: origin.address, good: origin.address), listening: [port])
            defer { proxy.stop() }
            let client = try RawClient(port: port, timeout: 15)
            try client.send("GET /fault HTTP/1.1\r\nHost: fault.test\r\n\r\n")
            let (bytes, ending) = client.receiveUntilEnd()
            let bodyStart = bytes.firstRange(of: [13, 10, 13, 10])?.upperBound ?? bytes.count
            let (data, sawLastChunk) = Self.dechunk(Array(bytes[bodyStart...]))
            let intact = data.withUnsafeBytes { BytePattern.matches($0, offset: 0) }
            seen[kind] = "\(data.count) bytes of chunk data (\(intact ? "the server's" : "altered")), \(sawLastChunk ? "with" : "without") a last chunk, then \(ending.rawValue)"
            if kind == .usher {
                #expect(!sawLastChunk, "a body cut by the server's reset must not be completed")
                #expect(intact && ending != .timedOut)
            }
        }
        print("chunked reset mid-body: HAProxy: \(seen[.haproxy]!); usher: \(seen[.usher]!)")
        #expect(seen[.usher] == seen[.haproxy])
    }
}
