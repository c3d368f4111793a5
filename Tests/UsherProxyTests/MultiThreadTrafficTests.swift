import Foundation
import NIOPosix
import Testing

/// usher with `nbthread 2` (two event loops, in this process) under traffic from several client
/// threads at once — HTTP keep-alive through a tracked stick table to two health-checked servers,
/// TCP tunnels to an echo server — while the runtime API reads the statistics and the table and
/// takes a server out and back. The counts summed across loops must come out exact. Run under
/// ThreadSanitizer (`scripts/sanitize thread`) it is where races between loops would show.
@Suite(.serialized) struct MultiThreadTrafficTests {
    static let clients = 4
    static let requestsPerClient = 40
    static let tunnelsPerClient = 10

    @Test func twoEventLoopsCountEveryRequestOnce() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { try? group.syncShutdownGracefully() }
        let originA = try RecordingOrigin(name: "a", replies: [.ok("from a\n")], group: group)
        let originB = try RecordingOrigin(name: "b", replies: [.ok("from b\n")], group: group)
        let echo = try TCPBackend(name: "echo", behaviour: .echo, group: group)
        defer { echo.stop() }
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let socket = "\(directory.path)/admin.sock"
        let (httpPort, tcpPort) = (freePort(), freePort())
        let usher = try UsherUnderTest(
            """
            global
                nbthread 2
                stats socket \(socket) level admin
            defaults
                mode http
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            frontend fe_http
                bind 127.0.0.1:\(httpPort)
                http-request track-sc0 src table st
                default_backend be_http
            frontend fe_tcp
                mode tcp
                bind 127.0.0.1:\(tcpPort)
                default_backend be_tcp
            backend st
                stick-table type ip size 1k expire 1m store http_req_cnt
            backend be_http
                balance roundrobin
                option httpchk GET /health
                server a 127.0.0.1:\(originA.port) check inter 100ms
                server b 127.0.0.1:\(originB.port) check inter 100ms
            backend be_tcp
                mode tcp
                server echo 127.0.0.1:\(echo.port) check inter 100ms

            """)
        defer { usher.stop() }
        RuntimeAPIClient.waitForSocket(socket)

        let failures = LockedFailures()
        let stop = LockedFlag()
        // The operator's side, on its own thread: statistics, the table, a server out and back.
        let operatorThread = Thread {
            var round = 0
            while !stop.isSet {
                round += 1
                _ = try? RuntimeAPIClient.ask(socket, "show stat")
                _ = try? RuntimeAPIClient.ask(socket, "show table st")
                if round % 5 == 0 {
                    _ = try? RuntimeAPIClient.ask(socket, "set server be_http/b state drain")
                    _ = try? RuntimeAPIClient.ask(socket, "set server be_http/b state ready")
                }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        operatorThread.start()

        DispatchQueue.concurrentPerform(iterations: Self.clients) { client in
            do {
                // Keep-alive requests on one connection, then tunnels, each on its own connection.
                let connection = try RawClient(port: httpPort)
                for number in 0..<Self.requestsPerClient {
                    try connection.send("GET /\(client)/\(number) HTTP/1.1\r\nHost: test\r\n\r\n")
                    let response = try Self.readResponse(connection)
                    guard response.hasPrefix("HTTP/1.1 200"), response.hasSuffix("from a\n") || response.hasSuffix("from b\n") else {
                        failures.add("client \(client) request \(number): \(response)")
                        return
                    }
                }
                for number in 0..<Self.tunnelsPerClient {
                    let tunnel = try RawClient(port: tcpPort)
                    let line = "client \(client) tunnel \(number)\n"
                    try tunnel.send(line)
                    tunnel.shutdownWrite()
                    let echoed = String(decoding: try tunnel.receiveAll(), as: UTF8.self)
                    if echoed != "echo:" + line { failures.add("tunnel \(client)/\(number) echoed \(echoed.debugDescription)") }
                }
            } catch {
                failures.add("client \(client): \(error)")
            }
        }
        stop.set()
        while operatorThread.isExecuting { Thread.sleep(forTimeInterval: 0.01) }

        #expect(failures.all.isEmpty, "\(failures.all)")
        let total = Self.clients * Self.requestsPerClient
        // Both servers took requests (round robin across both loops, b drained now and then).
        let served = originA.requests.filter { !$0.message.startLine.contains("/health") }.count
            + originB.requests.filter { !$0.message.startLine.contains("/health") }.count
        #expect(served == total)
        // The stick table saw every request once, from whichever loop.
        let table = try RuntimeAPIClient.ask(socket, "show table st")
        #expect(table.contains("http_req_cnt=\(total)"), "\(table)")
        // The statistics summed across loops: every request, every tunnel.
        let stats = statTable(try RuntimeAPIClient.ask(socket, "show stat"))
        #expect(stats["fe_http/FRONTEND"]?["req_tot"] == "\(total)")
        #expect(stats["fe_tcp/FRONTEND"]?["stot"] == "\(Self.clients * Self.tunnelsPerClient)")
        #expect(stats["be_tcp/BACKEND"]?["stot"] == "\(Self.clients * Self.tunnelsPerClient)")
    }

    /// One response with a Content-Length body, read from a kept-alive connection.
    static func readResponse(_ client: RawClient) throws -> String {
        var bytes: [UInt8] = []
        while true {
            if let end = HTTPWire.headEnd(bytes[...]), let head = HTTPWire.parseHead(bytes[..<end]) {
                let length = head.fields.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
                if bytes.count >= end + length { return String(decoding: bytes, as: UTF8.self) }
            }
            let more = try client.receive()
            if more.isEmpty { return String(decoding: bytes, as: UTF8.self) }
            bytes += more
        }
    }
}

/// Failures collected from several threads.
final class LockedFailures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ message: String) { lock.withLock { messages.append(message) } }
    var all: [String] { lock.withLock { messages } }
}

/// A flag set by one thread, read by another.
final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
