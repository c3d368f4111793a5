import Foundation
import NIOConcurrencyHelpers
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Clients that dribble or abandon what they send: a thousand slowloris heads ended by
/// `timeout http-request`, slow uploads (finished ones arrive intact, abandoned ones are ended by
/// `timeout client`), uploads aborted midway (the server sees each abort). The other clients are
/// served meanwhile; usher's descriptors come back to their baseline and its memory within a bound.
@Suite(.serialized)
final class SlowClientFaultTests {
    static let slowlorisConnections = 1000

    /// What the upload origin saw of each upload.
    struct Upload: Sendable, CustomStringConvertible {
        var received: Int
        var intact: Bool
        /// Nil when the whole body arrived (and was answered); else how its connection ended.
        var abort: StreamEnding?

        var description: String { "\(received) bytes\(intact ? "" : " (altered)")\(abort.map { ", then \($0.rawValue)" } ?? ", complete")" }
    }

    final class UploadLedger: Sendable {
        private let box = NIOLockedValueBox<[Upload]>([])
        private let heads = NIOLockedValueBox(0)
        func add(_ upload: Upload) { box.withLockedValue { $0.append(upload) } }
        var all: [Upload] { box.withLockedValue { $0 } }
        func headArrived() { heads.withLockedValue { $0 += 1 } }
        /// Request heads that reached the origin.
        var headCount: Int { heads.withLockedValue { $0 } }
    }

    /// An origin that reads an upload of `Content-Length` bytes, checks it against the pattern,
    /// and answers `ok` once it is whole; an upload that ends before is recorded as aborted.
    static func uploadOrigin(_ ledger: UploadLedger) throws -> ScriptedOrigin {
        try ScriptedOrigin(timeout: 30) { connection in
            let (head, rest) = try connection.receiveHead()
            ledger.headArrived()
            let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            var received = rest.count
            var intact = rest.withUnsafeBytes { BytePattern.matches($0, offset: 0) }
            while received < length {
                let (chunk, ending) = connection.receiveOrEnding()
                if let ending {
                    ledger.add(Upload(received: received, intact: intact, abort: ending))
                    return
                }
                if !chunk.withUnsafeBytes({ BytePattern.matches($0, offset: received) }) { intact = false }
                received += chunk.count
            }
            ledger.add(Upload(received: received, intact: intact, abort: nil))
            try connection.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            _ = connection.receiveUntilEnd()
        }
    }

    // MARK: - Slowloris

    /// A thousand connections, each sending its head a byte at a time: `timeout http-request` ends
    /// every one (with a 408), while a well-behaved client on the same listener is served.
    @Test func slowlorisAtAThousandConnections() throws {
        // The test holds a thousand sockets, usher a thousand more: both need the room.
        try #require(ensureOpenFileLimit(4 * Self.slowlorisConnections), "the open-file limit (ulimit -n) is too low for this test")
        let good = try BulkHTTPOrigin(group: testGroup)
        defer { good.stop() }
        let port = freePort()
        let configuration = FaultConfiguration.http(
            port: port, faulty: "127.0.0.1:\(good.port)", good: "127.0.0.1:\(good.port)",
            timeouts: ["timeout connect 2s", "timeout client 30s", "timeout server 30s", "timeout http-request 3s"])
        let proxy = try FaultProxy(configuration: configuration, listening: [port])
        defer { proxy.stop() }
        let head = Array("GET /fault/slowloris HTTP/1.1\r\nHost: slow.test\r\nUser-Agent: a-very-slow-client-indeed\r\nX-Padding: \(String(repeating: "p", count: 200))\r\n\r\n".utf8)
        // Twice: what the first round leaves in the allocator is reused by the second, so a
        // second round that grows again would be a leak.
        var rounds: [FaultFigures] = []
        for round in 1...2 {
            var endings: [String: Int] = [:]
            rounds.append(try proxy.measure("slowloris, \(Self.slowlorisConnections) connections, round \(round)", bound: .burst) {
                for _ in 0..<3 { try WellBehavedClient.download(port: port) }
            } during: {
                endings = try Self.slowloris(port: port, head: head)
            })
            print("slowloris endings, round \(round): \(endings)")
            #expect(endings.keys.allSatisfy { $0.hasPrefix("HTTP/1.1 408") && !$0.hasSuffix("timedOut") }, "every slow head is answered 408 and closed: \(endings)")
        }
        #expect(SanitizedRun.residentGrowthIsWithin(rounds[1].after.residentBytes - rounds[0].after.residentBytes, FootprintBound.repeated.residentBytes + 1),
            "a second round leaves no more behind than the first: \(rounds[0].after) then \(rounds[1].after)")
    }

    /// Opens `slowlorisConnections` connections to `port` and dribbles `head` to them a byte at a
    /// time, a well-behaved client served meanwhile; returns how they ended ("HTTP/1.1 408 then
    /// closed": count).
    static func slowloris(port: Int, head: [UInt8]) throws -> [String: Int] {
        var clients: [RawClient] = []
        for _ in 0..<slowlorisConnections {
            clients.append(try RawClient(port: port, timeout: 15))
        }
        let others = ServedMeanwhile { try WellBehavedClient.download(port: port) }
        // A byte to each connection every 100 ms: the head would take 25 s to arrive whole.
        var open = Array(repeating: true, count: clients.count)
        var offset = 0
        while open.contains(true) && offset < head.count - 4 {
            for (index, client) in clients.enumerated() where open[index] {
                if (try? client.send([head[offset]])) == nil { open[index] = false }
            }
            offset += 1
            Thread.sleep(forTimeInterval: 0.1)
        }
        var endings: [String: Int] = [:]
        for client in clients {
            let (bytes, ending) = client.receiveUntilEnd()
            let status = bytes.isEmpty ? "nothing" : String(decoding: bytes.prefix(12), as: UTF8.self)
            endings["\(status) then \(ending.rawValue)", default: 0] += 1
        }
        let (served, failures) = others.stop()
        #expect(failures.isEmpty, "the other clients are served during the slowloris: \(failures.prefix(3))")
        #expect(served > 0)
        return endings
    }

    // MARK: - Slow POST

    /// Uploads dribbled ten bytes at a time: those that keep going arrive whole and intact; those
    /// that stop midway are ended by `timeout client`, and the server sees them end.
    @Test func slowPost() throws {
        let ledger = UploadLedger()
        let origin = try Self.uploadOrigin(ledger)
        defer { origin.stop() }
        let good = try BulkHTTPOrigin(group: testGroup)
        defer { good.stop() }
        let port = freePort()
        let configuration = FaultConfiguration.http(
            port: port, faulty: origin.address, good: "127.0.0.1:\(good.port)",
            timeouts: ["timeout connect 2s", "timeout client 2s", "timeout server 30s", "timeout http-request 5s"])
        let proxy = try FaultProxy(configuration: configuration, listening: [port])
        defer { proxy.stop() }
        let clients = 60, length = 1500
        var answers: [String] = []
        try proxy.measure("slow POST ×\(clients)", bound: .few) {
            for _ in 0..<3 { try WellBehavedClient.download(port: port) }
        } during: {
            let others = ServedMeanwhile { try WellBehavedClient.download(port: port) }
            let results = concurrently(clients) { index -> String in
                let client = try RawClient(port: port, timeout: 20)
                try client.send("POST /fault/upload HTTP/1.1\r\nHost: slow.test\r\nContent-Length: \(length)\r\n\r\n")
                let body = BytePattern.bytes(count: length)
                // Even clients send it all, ten bytes every 20 ms (3 s in all, longer than
                // `timeout client`, which counts inactivity); odd ones stop at half.
                let stop = index.isMultiple(of: 2) ? length : length / 2
                var sent = 0
                while sent < stop {
                    try client.send(Array(body[sent..<min(stop, sent + 10)]))
                    sent += 10
                    Thread.sleep(forTimeInterval: 0.02)
                }
                let (bytes, ending) = client.receiveUntilEnd()
                let status = String(decoding: bytes.prefix(12), as: UTF8.self)
                return index.isMultiple(of: 2) ? "whole: \(status) then \(ending.rawValue)" : "abandoned: \(status.isEmpty ? "nothing" : status) then \(ending.rawValue)"
            }
            answers = results.map { result in
                switch result {
                case .success(let answer): return answer
                case .failure(let error): return "\(error)"
                }
            }
            let (served, failures) = others.stop()
            #expect(failures.isEmpty, "the other clients are served during the slow uploads: \(failures.prefix(3))")
            #expect(served > 0)
        }
        let summary = Dictionary(answers.map { ($0, 1) }, uniquingKeysWith: +)
        print("slow POST, what the clients saw: \(summary)")
        #expect(answers.filter { $0.hasPrefix("whole: HTTP/1.1 200") }.count == clients / 2, "\(summary)")
        #expect(answers.filter { $0.hasPrefix("abandoned:") && !$0.hasSuffix("timedOut") }.count == clients / 2, "\(summary)")
        #expect(CommandLineTests.waitUntil(timeout: 10) { ledger.all.count == clients }, "the server sees every upload end")
        let uploads = ledger.all
        #expect(uploads.filter { $0.abort == nil && $0.received == length && $0.intact }.count == clients / 2, "\(uploads)")
        #expect(uploads.filter { $0.abort != nil && $0.abort != .timedOut && $0.received <= length / 2 && $0.intact }.count == clients / 2, "\(uploads)")
    }

    // MARK: - Client abort mid-upload

    /// Clients that announce 8 MiB, send 1 MiB and go away (half with a FIN, half with a reset):
    /// the server sees every upload end short of its length, with the bytes it got intact.
    @Test func clientAbortMidUpload() throws {
        let ledger = UploadLedger()
        let origin = try Self.uploadOrigin(ledger)
        defer { origin.stop() }
        let good = try BulkHTTPOrigin(group: testGroup)
        defer { good.stop() }
        let port = freePort()
        let proxy = try FaultProxy(configuration: FaultConfiguration.http(port: port, faulty: origin.address, good: "127.0.0.1:\(good.port)"), listening: [port])
        defer { proxy.stop() }
        let clients = 40, announced = 8 << 20, sent = 1 << 20
        try proxy.measure("client abort mid-upload ×\(clients)", bound: .few) {
            for _ in 0..<3 { try WellBehavedClient.download(port: port) }
        } during: {
            let others = ServedMeanwhile { try WellBehavedClient.download(port: port) }
            for index in 0..<clients {
                let client = try RawClient(port: port, timeout: 20)
                try client.send("POST /fault/upload HTTP/1.1\r\nHost: abort.test\r\nContent-Length: \(announced)\r\n\r\n")
                try client.sendPattern(count: sent)
                // The upload has reached the server before the client goes: it must see it end.
                #expect(CommandLineTests.waitUntil(timeout: 10) { ledger.headCount == index + 1 })
                if index.isMultiple(of: 2) { client.resetOnClose() }
            }
            #expect(CommandLineTests.waitUntil(timeout: 15) { ledger.all.count == clients }, "the server sees every upload end: \(ledger.all.count) of \(clients)")
            let (served, failures) = others.stop()
            #expect(failures.isEmpty, "the other clients are served during the aborts: \(failures.prefix(3))")
            #expect(served > 0)
        }
        #expect(origin.errors.isEmpty, "\(origin.errors.prefix(3))")
        let uploads = ledger.all
        print("client abort mid-upload, what the server saw: \(Dictionary(uploads.map { ($0.abort?.rawValue ?? "complete", 1) }, uniquingKeysWith: +))")
        #expect(uploads.allSatisfy { $0.abort != nil && $0.abort != .timedOut && $0.received <= sent && $0.intact }, "\(uploads)")
    }
}
