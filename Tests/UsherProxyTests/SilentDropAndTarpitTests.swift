import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `silent-drop` and `tarpit` as a real client sees them, over real sockets on 127.0.0.1, with the
/// log lines usher sends (HAProxy's termination flags: `PR` for a drop, `PT` for a tarpit). What
/// HAProxy 2.6 shows the same client is in `VariableDifferentialTests`.
@Suite(.serialized)
final class SilentDropAndTarpitTests {
    static let defaults = """
        defaults
            log global
            option httplog
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        """

    /// What a client saw within a while after its request.
    enum Seen: Equatable {
        case bytes(Int)
        case closed
        case reset
        case nothing
    }

    static func watch(_ client: RawClient, for seconds: Double) -> Seen {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(client.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) }
        if count > 0 { return .bytes(count) }
        if count == 0 { return .closed }
        return errno == ECONNRESET ? .reset : .nothing
    }

    /// Whether this process may put a TCP socket in repair mode (`CAP_NET_ADMIN`), as usher and
    /// HAProxy need to drop a connection without a FIN or a reset.
    static let tcpRepairAvailable: Bool = {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var one: Int32 = 1
        return setsockopt(fd, Int32(IPPROTO_TCP), 19, &one, socklen_t(MemoryLayout<Int32>.size)) == 0
    }()

    /// What a dropped client sees: nothing at all where repair mode is allowed (the connection
    /// looks established; a byte sent afterwards is answered with a reset, since the socket is
    /// gone), else the reset of a zero linger.
    static func expectDropped(_ client: RawClient, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let seen = watch(client, for: 1)
        if tcpRepairAvailable {
            #expect(seen == .nothing, "no byte, no FIN, no reset", sourceLocation: sourceLocation)
            try? client.send("more\r\n")
            #expect(watch(client, for: 2) == .reset, "the connection is gone on usher's side", sourceLocation: sourceLocation)
        } else {
            #expect(seen == .reset, sourceLocation: sourceLocation)
        }
    }

    @Test func httpRequestSilentDrop() async throws {
        let syslog = try UnixSyslogCollector()
        defer { syslog.stop() }
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }
        let usher = try UsherUnderTest("""
            global
                log unix@\(syslog.path) local0
            \(Self.defaults)
                mode http
            frontend fe
                bind 127.0.0.1:0
                http-request set-var(txn.action) req.hdr(x-action)
                http-request silent-drop if { var(txn.action) -m str drop }
                default_backend be
            backend be
                server s \(origin.address)
            """)
        defer { usher.stop() }
        let client = try RawClient(port: usher.port("fe"))
        try client.send("GET /secret HTTP/1.1\r\nHost: x\r\nX-Action: drop\r\n\r\n")
        try Self.expectDropped(client)
        #expect(origin.totalBytesReceived == 0)
        let line = try #require(try await syslog.waitFor("\"GET /secret HTTP/1.1\""), "\(syslog.received)")
        #expect(line.contains(" fe fe/<NOSRV> -1/-1/-1/-1/"), "\(line)")
        #expect(line.contains(" -1 0 - - PR-- "), "\(line)")

        // The same frontend still serves others.
        let other = try RawClient(port: usher.port("fe"))
        try other.send("GET /fine HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(String(decoding: try other.receiveAll(), as: UTF8.self).hasPrefix("HTTP/1.1 200 "))
    }

    @Test func tcpRequestSilentDrop() async throws {
        let syslog = try UnixSyslogCollector()
        defer { syslog.stop() }
        let backend = try TCPBackend(name: "backend-answer", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let usher = try UsherUnderTest("""
            global
                log unix@\(syslog.path) local0
            \(Self.defaults)
                mode tcp
                option tcplog
            frontend at-connection
                bind 127.0.0.1:0
                tcp-request connection silent-drop
                default_backend be
            frontend on-content
                bind 127.0.0.1:0
                tcp-request inspect-delay 2s
                tcp-request content set-var(txn.first) req.payload(0,4)
                tcp-request content silent-drop if { var(txn.first) -m bin 44524f50 }
                tcp-request content accept if { req.len gt 0 }
                default_backend be
            backend be
                server s 127.0.0.1:\(backend.port)
            """)
        defer { usher.stop() }
        // Nothing is sent first: bytes already queued when the socket is dropped make the kernel
        // answer with a reset even in repair mode, depending on whether they beat the accept.
        let early = try RawClient(port: usher.port("at-connection"))
        try Self.expectDropped(early)

        let content = try RawClient(port: usher.port("on-content"))
        try content.send("DROP me\n")
        try Self.expectDropped(content)
        let line = try #require(try await syslog.waitFor(" on-content on-content/<NOSRV> "), "\(syslog.received)")
        #expect(line.contains(" 0 PR "), "\(line)")
        // A `tcp-request connection` drop is not logged, as HAProxy does not log it.
        #expect(!syslog.received.contains { $0.contains(" at-connection ") }, "\(syslog.received)")

        let fine = try RawClient(port: usher.port("on-content"))
        try fine.send("PASS\n")
        fine.shutdownWrite()
        #expect(String(decoding: try fine.receiveAll(), as: UTF8.self).contains("backend-answer"))
    }

    @Test func tarpitHoldsTheRequestThenAnswers() async throws {
        let syslog = try UnixSyslogCollector()
        defer { syslog.stop() }
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }
        let usher = try UsherUnderTest("""
            global
                log unix@\(syslog.path) local0
            \(Self.defaults)
                mode http
                timeout tarpit 600ms
            frontend fe
                bind 127.0.0.1:0
                http-request tarpit if { path /trap }
                http-request tarpit deny_status 403 if { path /trap403 }
                default_backend be
            backend be
                server s \(origin.address)
            """)
        defer { usher.stop() }
        let client = try RawClient(port: usher.port("fe"))
        let start = Date()
        try client.send("GET /trap HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = try client.receive()
        let waited = Date().timeIntervalSince(start)
        #expect(waited >= 0.55, "answered after \(waited) s")
        #expect(String(decoding: first, as: UTF8.self).hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
        // The connection goes on: the next request is served.
        try client.send("GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let rest = String(decoding: try client.receiveAll(), as: UTF8.self)
        #expect(rest.contains("HTTP/1.1 200 OK"), "\(rest)")
        #expect(origin.requests.map(\.message.startLine) == ["GET /next HTTP/1.1"])
        let line = try #require(try await syslog.waitFor("\"GET /trap HTTP/1.1\""), "\(syslog.received)")
        let timers = try #require(line.range(of: #" -1/(\d+)/-1/-1/(\d+) 500 "#, options: .regularExpression).map { String(line[$0]) }, "\(line)")
        let held = Int(timers.split(separator: "/")[1]) ?? 0
        #expect(held >= 550, "Tw is the time held: \(line)")
        #expect(line.contains(" PT-- "), "\(line)")

        let other = try RawClient(port: usher.port("fe"))
        try other.send("GET /trap403 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(String(decoding: try other.receiveAll(), as: UTF8.self).hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
    }

    /// A client that half-closes (`nc -N`) is answered at once; one that goes away (a reset) is
    /// logged `CT`, the time it was held as `Tw`.
    @Test func tarpitEndsWithTheClient() async throws {
        let syslog = try UnixSyslogCollector()
        defer { syslog.stop() }
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }
        let usher = try UsherUnderTest("""
            global
                log unix@\(syslog.path) local0
            \(Self.defaults)
                mode http
                timeout tarpit 3s
            frontend fe
                bind 127.0.0.1:0
                http-request tarpit
                default_backend be
            backend be
                server s \(origin.address)
            """)
        defer { usher.stop() }
        let halfClosing = try RawClient(port: usher.port("fe"))
        let start = Date()
        try halfClosing.send("GET /half HTTP/1.1\r\nHost: x\r\n\r\n")
        halfClosing.shutdownWrite()
        let answer = String(decoding: try halfClosing.receiveAll(), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 500 "), "\(answer)")
        #expect(Date().timeIntervalSince(start) < 2)

        do {
            let leaving = try RawClient(port: usher.port("fe"))
            try leaving.send("GET /leave HTTP/1.1\r\nHost: x\r\n\r\n")
            try await Task.sleep(for: .milliseconds(300))
            // Closed with a reset when it goes out of scope.
            var reset = linger(l_onoff: 1, l_linger: 0)
            setsockopt(leaving.fd, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
        }
        let line = try #require(try await syslog.waitFor("\"GET /leave HTTP/1.1\"", timeout: 2), "\(syslog.received)")
        #expect(line.contains(" CT-- "), "\(line)")
        #expect(origin.totalBytesReceived == 0)
    }
}
