import Foundation
import NIOConcurrencyHelpers
import Testing
import UsherConfig
import UsherProxy
import UsherTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A connection to a TLS port driven byte by byte: what the proxy sends back and when it closes.
private final class WatchedConnection {
    let socket: ClientSocket
    let opened = Date()
    private(set) var received: [UInt8] = []
    private(set) var closedAfter: Double?

    init(port: Int) throws {
        socket = try ClientSocket(port: port)
    }

    var isClosed: Bool { closedAfter != nil }

    /// Sends `bytes` (a failure to send is the proxy having closed).
    func send(_ bytes: [UInt8]) {
        guard !isClosed else { return }
        do {
            try socket.send(bytes)
        } catch {
            closedAfter = Date().timeIntervalSince(opened)
        }
    }

    /// Reads what arrives for `seconds` at most; true once the proxy has closed.
    @discardableResult
    func watch(for seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !isClosed {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { break }
            var descriptor = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(max(1, left * 1000))) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[0..<count]
            } else {
                // End of stream, or a reset: closed either way.
                closedAfter = Date().timeIntervalSince(opened)
            }
        }
        return isClosed
    }

    /// Sends `bytes` one at a time, `interval` seconds apart, until the proxy closes or
    /// `limit` seconds have passed since the connection was opened.
    func dribble(_ bytes: [UInt8], interval: Double, limit: Double) {
        for byte in bytes {
            send([byte])
            if isClosed || Date().timeIntervalSince(opened) >= limit { return }
            watch(for: interval)
            if isClosed { return }
        }
        watch(for: limit - Date().timeIntervalSince(opened))
    }

    /// What the proxy sent before closing is nothing, or TLS alert records: never plain text
    /// (an HTTP error page written outside TLS).
    var sentOnlyAlerts: Bool {
        var rest = received[...]
        while !rest.isEmpty {
            guard rest.count >= 5, rest[rest.startIndex] == 21 else { return false }
            let length = Int(rest[rest.startIndex + 3]) << 8 | Int(rest[rest.startIndex + 4])
            rest = rest.dropFirst(5 + length)
        }
        return true
    }

    var printable: String {
        String(decoding: received.prefix(80).map { (0x20...0x7E).contains($0) ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
            + " (\(received.count) bytes: \(received.prefix(8).map { String($0, radix: 16) }.joined(separator: " "))…)"
    }
}

/// What a client that is not a TLS client, or a TLS client that misbehaves, gets from a
/// `bind … ssl`: garbage and stalled handshakes are closed (promptly, or by the timeout), client
/// certificates that do not verify are refused, renegotiation is not done, and usher keeps serving
/// the good clients throughout.
@Suite(.serialized, .enabled(if: ExternalProcess.required("openssl") && ExternalProcess.required("curl"), "needs openssl and curl"))
struct TLSTerminationBadInputTests {
    enum Mode: String, CaseIterable, Sendable, CustomStringConvertible {
        case http, tcp
        var description: String { "mode " + rawValue }
    }

    /// A frontend on `certificates.a` in `mode` with `timeouts`, to a recording origin (an HTTP
    /// origin serves mode tcp too: curl's request goes through the plain stream).
    static func configuration(_ certificates: TestCertificates, mode: Mode, timeouts: String = "timeout client 5s", bind: String = "", origin: RecordingOrigin) -> String {
        """
        defaults
            mode \(mode.rawValue)
            timeout connect 2s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:0 ssl crt \(certificates.a) \(bind)
            \(timeouts)
            default_backend bk
        backend bk
            server s1 \(origin.address)
        """
    }

    /// A good client: curl over TLS to `a.test`, answered 200.
    static func servesAGoodClient(port: Int, extra: [String] = [], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let result = try TLSTerminationTests.curl("a.test", port: port, extra: ["--http1.1"] + extra)
        #expect(result.output.hasSuffix("\n200"), "a good client after the bad ones: \(result.output) \(result.error)", sourceLocation: sourceLocation)
    }

    /// A ClientHello as a client sends it, for `a.test`.
    static let hello: [UInt8] = {
        var builder = ClientHelloBuilder()
        builder.serverNames = ["a.test"]
        return builder.bytes()
    }()

    /// Bytes that are not a TLS client's first flight.
    static func garbage() -> [(name: String, bytes: [UInt8])] {
        var random = (0..<200).map { _ in UInt8.random(in: 0...255) }
        // Not a TLS content type (20…24) nor an SSLv2 header (high bit): nothing a TLS stack
        // would wait on for more bytes.
        random[0] = UInt8.random(in: 0x00...0x13)
        return [
            ("random bytes", random),
            // A handshake record announcing 65,535 bytes: more than TLS allows in one record.
            ("record header with a huge length", [22, 3, 1, 0xFF, 0xFF] + (0..<64).map { _ in UInt8.random(in: 0...255) }),
            // A handshake record whose message is a ServerHello (type 2), not a ClientHello.
            ("handshake that is not a ClientHello", [22, 3, 1, 0, 4, 2, 0, 0, 0]),
            // A ClientHello whose body is one byte long.
            ("truncated ClientHello", [22, 3, 1, 0, 5, 1, 0, 0, 1, 0xFF]),
            // An alert (handshake_failure) as the first record.
            ("alert first", [21, 3, 3, 0, 2, 2, 40]),
            // An SSLv2-style header with random bytes after it.
            ("SSLv2-style header", [0x80, 0x2E, 0x01] + (0..<46).map { _ in UInt8.random(in: 0...255) }),
        ]
    }

    @Test(arguments: Mode.allCases)
    func garbageIsClosedPromptlyAndTheNextClientServed(mode: Mode) throws {
        let certificates = try TestCertificates()
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }
        let usher = try UsherUnderTest(Self.configuration(certificates, mode: mode, origin: origin))
        defer { usher.stop() }
        let port = usher.port("fe")

        for (name, bytes) in Self.garbage() {
            let connection = try WatchedConnection(port: port)
            connection.send(bytes)
            // `timeout client` is 5 s: a close within 2 s is the proxy refusing the bytes, not
            // the timeout.
            #expect(connection.watch(for: 2), "\(mode), \(name): still open after 2 s")
            #expect(connection.sentOnlyAlerts, "\(mode), \(name): \(connection.printable)")
        }
        #expect(origin.requests.isEmpty)
        #expect(origin.connectionCount == 0, "garbage reached the server")
        try Self.servesAGoodClient(port: port)
    }

    /// A stalled handshake: the ClientHello one byte every 100 ms (it would take ~20 s), or
    /// nothing at all. Closed by the timeout that bounds the handshake, with nothing sent that is
    /// not TLS.
    ///
    /// In mode http the frontend has `timeout http-request 1s` and `timeout client 2s`: HAProxy
    /// 2.6 bounds the handshake by `timeout client` only (it closed this dribbler after 2 s), usher
    /// by `timeout http-request`: both are "about the timeout", which is all that is asserted.
    @Test(arguments: Mode.allCases, [true, false])
    func aStalledHandshakeIsClosedByTheTimeout(mode: Mode, dribbling: Bool) throws {
        let certificates = try TestCertificates()
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }
        let timeouts = mode == .tcp ? "timeout client 1s" : "timeout http-request 1s\n    timeout client 2s"
        let usher = try UsherUnderTest(Self.configuration(certificates, mode: mode, timeouts: timeouts, origin: origin))
        defer { usher.stop() }
        let port = usher.port("fe")

        let what = "\(mode), \(dribbling ? "a ClientHello dribbled" : "nothing sent")"
        let connection = try WatchedConnection(port: port)
        if dribbling {
            connection.dribble(Self.hello, interval: 0.1, limit: 5)
        } else {
            connection.watch(for: 5)
        }
        #expect(connection.isClosed, "\(what): still open after 5 s")
        if let closedAfter = connection.closedAfter {
            #expect(closedAfter >= 0.5, "\(what): closed after \(closedAfter) s, before the timeout")
        }
        #expect(connection.sentOnlyAlerts, "\(what): \(connection.printable)")
        #expect(origin.connectionCount == 0)
        try Self.servesAGoodClient(port: port)
    }

    /// `openssl s_client -tls1_2` asked to renegotiate (`R` on its input): the proxy does not
    /// (HAProxy's OpenSSL answers no_renegotiation; usher's library closes), the client's session
    /// ends there, nothing reaches the origin, and the next client is served.
    @Test func renegotiationIsRefused() throws {
        let certificates = try TestCertificates()
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }
        let usher = try UsherUnderTest(Self.configuration(certificates, mode: .http, origin: origin))
        defer { usher.stop() }
        let port = usher.port("fe")

        let client = ExternalProcess.makeProcess(["openssl", "s_client", "-tls1_2", "-connect", "127.0.0.1:\(port)", "-servername", "a.test"])
        let input = Pipe(), output = Pipe()
        client.standardInput = input
        client.standardOutput = output
        client.standardError = output
        let printed = NIOLockedValueBox("")
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            printed.withLockedValue { $0 += String(decoding: data, as: UTF8.self) }
        }
        try client.run()
        defer {
            if client.isRunning { client.terminate() }
            client.waitUntilExit()
            output.fileHandleForReading.readabilityHandler = nil
        }
        func wait(_ seconds: Double, until condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if condition() { return true }
                Thread.sleep(forTimeInterval: 0.02)
            }
            return condition()
        }
        // The end of the session's description: the handshake is done.
        let handshaken = wait(5) { printed.withLockedValue { $0.contains("Verify return code") } }
        try #require(handshaken, "s_client did not complete its handshake: \(printed.withLockedValue { $0 })")
        input.fileHandleForWriting.write(Data("R\n".utf8))
        let ended = wait(3) { !client.isRunning }
        if !ended {
            // Renegotiated and still connected: a request would then be answered.
            try? input.fileHandleForWriting.write(contentsOf: Data("GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n".utf8))
            _ = wait(2) { !client.isRunning }
        }
        let transcript = printed.withLockedValue { $0 }
        #expect(transcript.contains("RENEGOTIATING"), "s_client did not try: \(transcript)")
        #expect(ended, "the connection outlived the renegotiation attempt by 3 s: \(transcript)")
        #expect(!transcript.contains("HTTP/1.1 200"), "\(transcript)")
        #expect(origin.requests.isEmpty)
        try Self.servesAGoodClient(port: port)
    }

    /// `verify required`: an expired client certificate (signed by the CA, valid until yesterday)
    /// and one no configured CA signed are refused in the handshake; nothing reaches the origin.
    /// The CA's own good client certificate goes through.
    @Test func clientCertificatesThatDoNotVerifyAreRefused() throws {
        let certificates = try TestCertificates()
        let path = certificates.directory.path
        // `-days -1`: OpenSSL 3.0's x509 has no -not_before/-not_after; this makes a certificate
        // whose validity ended a day ago.
        try TestCertificates.openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-subj", "/CN=expired client", "-keyout", path + "/expired.key", "-out", path + "/expired.csr"])
        try TestCertificates.openssl(["x509", "-req", "-in", path + "/expired.csr", "-CA", certificates.ca, "-CAkey", path + "/ca.key",
            "-CAcreateserial", "-days", "-1", "-out", path + "/expired.pem"])
        try TestCertificates.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=stranger", "-keyout", path + "/stranger.key", "-out", path + "/stranger.pem"])
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }

        for mode in Mode.allCases {
            let before = origin.requests.count
            let usher = try UsherUnderTest(
                Self.configuration(certificates, mode: mode, bind: "ca-file \(certificates.ca) verify required", origin: origin))
            defer { usher.stop() }
            let port = usher.port("fe")
            for (name, certificate, key) in [
                ("expired", path + "/expired.pem", path + "/expired.key"), ("untrusted", path + "/stranger.pem", path + "/stranger.key"),
            ] {
                let result = try TLSTerminationTests.curl("a.test", port: port, extra: ["--http1.1", "--cert", certificate, "--key", key])
                #expect(result.status != 0 && !result.output.hasSuffix("\n200"), "\(mode), \(name) certificate: \(result.output) \(result.error)")
            }
            origin.settle()
            #expect(origin.requests.count == before, "\(mode): \(origin.requests.map(\.message.startLine))")
            try Self.servesAGoodClient(port: port, extra: ["--cert", certificates.clientCertificate, "--key", certificates.clientKey])
            origin.settle()
            #expect(origin.requests.count == before + 1, "\(mode): the good client's request")
        }
    }

    /// 100 good handshakes (curl, in parallel) while 100 other connections bring garbage or stall
    /// their hello: every good one is answered.
    @Test func goodHandshakesAreServedAmongGarbage() throws {
        let certificates = try TestCertificates()
        let origin = try RecordingOrigin(name: "origin")
        defer { origin.stop() }
        let usher = try UsherUnderTest(Self.configuration(certificates, mode: .http, origin: origin))
        defer { usher.stop() }
        let port = usher.port("fe")

        let kinds = Self.garbage().map(\.bytes) + [Array(Self.hello.prefix(40))]
        var bad: [(connection: WatchedConnection, bytes: [UInt8])] = []
        for index in 0..<100 {
            bad.append((try WatchedConnection(port: port), kinds[index % kinds.count]))
        }
        let curl = NIOLockedValueBox<ExternalProcess.Result?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let result = try? ExternalProcess.run(
                ["curl", "-sS", "-k", "--http1.1", "--max-time", "20", "--parallel", "--parallel-immediate", "--parallel-max", "100",
                    "--resolve", "a.test:\(port):127.0.0.1", "-H", "Connection: close", "-w", "#%{http_code}#\n",
                    "https://a.test:\(port)/good/[1-100]"],
                timeout: 30)
            curl.withLockedValue { $0 = result }
            done.signal()
        }
        for (connection, bytes) in bad { connection.send(bytes) }
        done.wait()
        let result = try #require(curl.withLockedValue { $0 })
        let answered = result.output.components(separatedBy: "#200#").count - 1
        #expect(answered == 100, "\(answered) of 100 answered: \(result.error.prefix(2000))")
        origin.settle()
        #expect(origin.requests.count == 100)
        // The garbage was refused meanwhile, not left open (the stalled hellos wait for their
        // timeout: they are not checked).
        let stall = Array(Self.hello.prefix(40))
        for (connection, bytes) in bad where bytes != stall {
            #expect(connection.watch(for: 2), "a garbage connection still open: \(connection.printable)")
        }
        try Self.servesAGoodClient(port: port)
    }
}
