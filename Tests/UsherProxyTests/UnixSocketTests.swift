import Foundation
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `bind` and `server` on UNIX and abstract sockets, end to end: clients through socket listeners,
/// socket servers behind TCP listeners, the PROXY protocol over both, the socket file's mode and
/// owner, a stale file at start, removal at stop, checks, and HAProxy's `unix:ID` in the logs.
@Suite(.serialized)
final class UnixSocketTests {
    let directory: SocketDirectory

    init() throws {
        directory = try SocketDirectory()
    }

    static func configuration(syslog: Int, mode: String = "tcp", frontend: [String], backend: [String]) -> String {
        """
        global
            log 127.0.0.1:\(syslog) local2
        defaults
            log global
            mode \(mode)
            option \(mode == "http" ? "httplog" : "tcplog")
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
        \(frontend.map { "    " + $0 }.joined(separator: "\n"))
            default_backend be
        backend be
        \(backend.map { "    " + $0 }.joined(separator: "\n"))
        """
    }

    // MARK: - Clients on a UNIX socket

    /// A raw client through a socket listener whose file has the bind's mode and owner; the server
    /// behind it is told, as HAProxy tells it, that the client has no address; the log says
    /// `unix:2` (the second listener of the frontend); the file goes away on stop.
    @Test(arguments: [
        ("send-proxy", Array("PROXY UNKNOWN\r\n".utf8)),
        ("send-proxy-v2", [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00]),
    ] as [(String, [UInt8])])
    func rawClientThroughASocketListener(proxyOption: String, header: [UInt8]) async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let backend = try TCPBackend(name: "tcp-backend", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let path = directory.file("fe-\(proxyOption).sock")
        let usher = try UsherUnderTest(Self.configuration(
            syslog: syslog.port,
            frontend: ["bind 127.0.0.1:0", "bind \(path) mode 640 user nobody gid 4242"],
            backend: ["server s 127.0.0.1:\(backend.port) \(proxyOption)"]
        ))

        let info = try #require(fileStatus(path))
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o7777 == 0o640, "mode \(String(info.st_mode & 0o7777, radix: 8))")
        #expect(info.st_uid == getpwnam("nobody").pointee.pw_uid)
        #expect(info.st_gid == 4242)

        let client = try UnixRawClient(.path(path))
        try client.send("ping")
        client.shutdownWrite()
        #expect(try client.receiveAll() == "tcp-backend\n")
        let received = try #require(backend.receivedPerConnection.first)
        #expect(received == header + Array("ping".utf8), "\(String(decoding: received, as: UTF8.self).debugDescription)")

        let line = try #require(try await syslog.waitFor(" fe be/s "))
        #expect(line.contains("]: unix:2 ["), "\(line)")

        usher.stop()
        #expect(fileStatus(path) == nil, "the socket file is removed on stop")
    }

    /// The same configuration through HAProxy 2.6 and usher, a client on the socket listener:
    /// the server receives the same bytes (header included), the logs the same fields, the socket
    /// file the same mode.
    @Test(.enabled(if: ExternalProcess.required("haproxy")), arguments: ["send-proxy", "send-proxy-v2"])
    func sameBytesAndLogLineAsHAProxy(option: String) async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let backend = try TCPBackend(name: "tcp-backend", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        func configuration(_ path: String) -> String {
            Self.configuration(
                syslog: syslog.port, frontend: ["bind 127.0.0.1:\(freePort())", "bind \(path) mode 600"],
                backend: ["server s 127.0.0.1:\(backend.port) \(option)"]
            ) + "\n"
        }
        func exchange(_ path: String) throws -> String {
            let client = try UnixRawClient(.path(path))
            try client.send("ping")
            client.shutdownWrite()
            return try client.receiveAll()
        }

        let usherPath = directory.file("usher.sock")
        let usher = try UsherUnderTest(configuration(usherPath))
        #expect(try exchange(usherPath) == "tcp-backend\n")
        let usherLine = try #require(try await syslog.waitFor("usher["))
        let usherMode = fileStatus(usherPath).map { $0.st_mode & 0o7777 }
        usher.stop()

        let haproxyPath = directory.file("haproxy.sock")
        try configuration(haproxyPath).write(toFile: directory.file("haproxy.cfg"), atomically: true, encoding: .utf8)
        let haproxy = try ExternalProcess.start(["haproxy", "-db", "-f", directory.file("haproxy.cfg")], logFile: directory.file("haproxy.log"))
        defer {
            haproxy.terminate()
            haproxy.waitUntilExit()
        }
        // Wait for the file rather than probing the socket: a probe would be a logged session.
        let deadline = ContinuousClock.now + .seconds(5)
        while fileStatus(haproxyPath).map({ $0.st_mode & S_IFMT == S_IFSOCK }) != true && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(try exchange(haproxyPath) == "tcp-backend\n")
        let haproxyLine = try #require(try await syslog.waitFor("haproxy["))

        let received = backend.receivedPerConnection
        #expect(received.count == 2)
        if received.count == 2 {
            #expect(received[0] == received[1], "usher sent \(received[0]), HAProxy \(received[1])")
        }
        #expect(usherMode == fileStatus(haproxyPath).map { $0.st_mode & 0o7777 })
        let usherFields = TCPLogTests.comparableFields(usherLine)
        let haproxyFields = TCPLogTests.comparableFields(haproxyLine)
        #expect(usherFields == haproxyFields, "usher: \(usherLine)\nhaproxy: \(haproxyLine)")
        // The client field whole, port included: HAProxy's `unix:ID`.
        func client(_ line: String) -> String? { line.range(of: "]: ").map { String(line[$0.upperBound...].prefix(while: { $0 != " " })) } }
        #expect(client(usherLine) == "unix:2")
        #expect(client(usherLine) == client(haproxyLine), "usher: \(usherLine)\nhaproxy: \(haproxyLine)")
    }

    /// curl over the socket to an HTTP frontend; the log says `unix:1`.
    @Test(.enabled(if: ExternalProcess.required("curl")))
    func curlThroughASocketListenerInHTTPMode() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let origin = try RecordingOrigin(name: "origin", replies: [.ok("hello over a socket")])
        defer { origin.stop() }
        let path = directory.file("http.sock")
        let usher = try UsherUnderTest(Self.configuration(
            syslog: syslog.port, mode: "http", frontend: ["bind unix@\(path)"], backend: ["server s \(origin.address)"]
        ))
        defer { usher.stop() }
        let result = try ExternalProcess.run(["curl", "-sS", "--max-time", "10", "--unix-socket", path, "http://usher.test/hello"])
        #expect(result.status == 0, "curl: \(result.error)")
        #expect(result.output == "hello over a socket")
        #expect(origin.requests.count == 1)
        let line = try #require(try await syslog.waitFor(" fe be/s "))
        #expect(line.contains("]: unix:1 ["), "\(line)")
        #expect(line.contains("\"GET /hello HTTP/1.1\""), "\(line)")
    }

    /// `log-format` over sockets, as HAProxy 2.6.12 writes it for a UNIX client of a UNIX server:
    /// `%ci:%cp` and `%fi:%fp` are `unix:` and the listener's id, `%si:%sp` is `unix:0`.
    @Test func logFormatAddressesOverSockets() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let serverPath = directory.file("lf-server.sock")
        let peer = try UnixSocketPeer(name: "socket-app", at: .path(serverPath))
        defer { peer.stop() }
        let path = directory.file("lf.sock")
        let usher = try UsherUnderTest(Self.configuration(
            syslog: syslog.port,
            frontend: ["bind 127.0.0.1:0", "bind 127.0.0.1:0", "bind \(path)", #"log-format "F %ci:%cp %fi:%fp %si:%sp %b/%s""#],
            backend: ["server s unix@\(serverPath)"]
        ))
        defer { usher.stop() }
        let client = try UnixRawClient(.path(path))
        try client.send("ping")
        client.shutdownWrite()
        #expect(try client.receiveAll() == "socket-app\n")
        let line = try #require(try await syslog.waitFor(" be/s"))
        #expect(line.contains("]: F unix:3 unix:3 unix:0 be/s"), "\(line)")
    }

    /// `accept-proxy` on a socket listener: the header's addresses replace the (absent) ones of the
    /// UNIX client, in the log and for the server.
    @Test func acceptProxyOnASocketListener() async throws {
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let backend = try TCPBackend(name: "tcp-backend", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let path = directory.file("proxied.sock")
        let usher = try UsherUnderTest(Self.configuration(
            syslog: syslog.port, frontend: ["bind \(path) accept-proxy"], backend: ["server s 127.0.0.1:\(backend.port) send-proxy"]
        ))
        defer { usher.stop() }
        let client = try UnixRawClient(.path(path))
        try client.send("PROXY TCP4 192.0.2.10 192.0.2.20 40000 443\r\nping")
        client.shutdownWrite()
        #expect(try client.receiveAll() == "tcp-backend\n")
        let received = String(decoding: try #require(backend.receivedPerConnection.first), as: UTF8.self)
        #expect(received == "PROXY TCP4 192.0.2.10 192.0.2.20 40000 443\r\nping")
        let line = try #require(try await syslog.waitFor(" fe be/s "))
        #expect(line.contains("]: 192.0.2.10:40000 ["), "\(line)")
    }

    /// A socket file left behind by a process that died (nothing listens on it any more) is
    /// replaced at start, as HAProxy replaces it.
    @Test func staleSocketFileIsReplaced() throws {
        let path = directory.file("stale.sock")
        // A socket bound and closed without unlinking: the file stays, connecting to it is refused.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = TestUnixAddress.path(path).sockaddr
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        close(stale)
        #expect(fileStatus(path) != nil)
        #expect(throws: UnixRawClient.Failure.self) { try UnixRawClient(.path(path)) }

        let backend = try TCPBackend(name: "tcp-backend", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let usher = try UsherUnderTest(Self.configuration(
            syslog: 9, frontend: ["bind \(path)"], backend: ["server s 127.0.0.1:\(backend.port)"]
        ))
        defer { usher.stop() }
        let client = try UnixRawClient(.path(path))
        try client.send("ping")
        client.shutdownWrite()
        #expect(try client.receiveAll() == "tcp-backend\n")
        // Nothing left over from the temporary name the listener was bound under.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    /// A path usher cannot bind (its directory does not exist) stops the start with a message
    /// naming the frontend, the socket and the line; nothing is left behind.
    @Test func unbindablePathIsAStartError() throws {
        let path = directory.file("missing-dir/fe.sock")
        do {
            let usher = try UsherUnderTest(Self.configuration(syslog: 9, frontend: ["bind \(path)"], backend: ["server s 127.0.0.1:9"]))
            usher.stop()
            Issue.record("usher started with an unbindable socket path")
        } catch {
            let message = "\(error)"
            #expect(message.contains("frontend 'fe'"), "\(message)")
            #expect(message.contains(path), "\(message)")
            #expect(message.contains("test.cfg:11"), "\(message)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    /// The longest path the configuration accepts (97 bytes) binds, whether or not the temporary
    /// name (path, pid, `.tmp`) fits in `sun_path` too, and gets its mode.
    @Test func longestAcceptedPathBinds() throws {
        let path = directory.path + "/" + String(repeating: "s", count: 97 - directory.path.utf8.count - 1)
        #expect(path.utf8.count == 97)
        let backend = try TCPBackend(name: "tcp-backend", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let usher = try UsherUnderTest(Self.configuration(
            syslog: 9, frontend: ["bind \(path) mode 604"], backend: ["server s 127.0.0.1:\(backend.port)"]
        ))
        defer { usher.stop() }
        #expect(fileStatus(path).map { $0.st_mode & 0o7777 } == 0o604)
        let client = try UnixRawClient(.path(path))
        try client.send("ping")
        client.shutdownWrite()
        #expect(try client.receiveAll() == "tcp-backend\n")
    }

    // MARK: - Servers on a UNIX socket

    /// A TCP client to a server listening on a socket path, with a v2 PROXY header the server
    /// reads back: the client's TCP addresses, not the UNIX link's.
    @Test func tcpClientToASocketServerWithSendProxyV2() throws {
        let path = directory.file("app.sock")
        let peer = try UnixSocketPeer(name: "socket-app", at: .path(path))
        defer { peer.stop() }
        let usher = try UsherUnderTest(Self.configuration(
            syslog: 9, frontend: ["bind 127.0.0.1:0"], backend: ["server app unix@\(path) send-proxy-v2"]
        ))
        defer { usher.stop() }
        let port = usher.port("fe")
        let client = try RawClient(port: port)
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(client.fd, $0, &length) } }
        let clientPort = Int(UInt16(bigEndian: local.sin_port))
        try client.send("ping")
        #expect(try client.receiveLine() == "socket-app")

        let bytes = try #require(peer.waitForBytes(28 + 4))
        #expect(Array(bytes[0..<12]) == [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A])
        #expect(bytes[12] == 0x21, "version 2, PROXY command")
        #expect(bytes[13] == 0x11, "TCP over IPv4")
        #expect(Int(bytes[14]) << 8 | Int(bytes[15]) == 12)
        #expect(Array(bytes[16..<20]) == [127, 0, 0, 1])
        #expect(Array(bytes[20..<24]) == [127, 0, 0, 1])
        #expect(Int(bytes[24]) << 8 | Int(bytes[25]) == clientPort)
        #expect(Int(bytes[26]) << 8 | Int(bytes[27]) == port)
        #expect(Array(bytes[28...]) == Array("ping".utf8))
    }

    /// Connect checks reach a socket server: up while it listens, down once nothing does.
    @Test func healthChecksConnectToASocketServer() async throws {
        let path = directory.file("checked.sock")
        let peer = try UnixSocketPeer(name: "checked", at: .path(path))
        let usher = try UsherUnderTest(Self.configuration(
            syslog: 9, frontend: ["bind 127.0.0.1:0"], backend: ["server app \(path) check inter 100ms rise 1 fall 1"]
        ))
        defer { usher.stop() }
        let server = try #require(usher.server.runtime.backends.first?.servers.first)
        try await Task.sleep(for: .milliseconds(400))
        #expect(server.isUp)
        #expect(peer.receivedPerConnection.count >= 2, "checks connected: \(peer.receivedPerConnection.count)")
        peer.stop()
        let deadline = ContinuousClock.now + .seconds(3)
        while server.isUp && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!server.isUp)
    }

    // MARK: - Abstract sockets

    /// `abns@` on both sides: a client on an abstract listener, a server on an abstract socket.
    @Test func abstractSocketsBothWays() throws {
        let tag = UUID().uuidString.prefix(8)
        let peer = try UnixSocketPeer(name: "abstract-app", at: .abstract("usher-test-app-\(tag)"))
        defer { peer.stop() }
        let usher = try UsherUnderTest(Self.configuration(
            syslog: 9, frontend: ["bind abns@usher-test-fe-\(tag)"], backend: ["server app abns@usher-test-app-\(tag) send-proxy"]
        ))
        defer { usher.stop() }
        let client = try UnixRawClient(.abstract("usher-test-fe-\(tag)"))
        try client.send("ping")
        client.shutdownWrite()
        #expect(try client.receiveAll() == "abstract-app\n")
        let bytes = try #require(peer.waitForBytes(4))
        #expect(String(decoding: bytes, as: UTF8.self) == "PROXY UNKNOWN\r\nping")
        // A short-length abstract address (what `socat ABSTRACT:` uses) is another socket.
        #expect(throws: UnixRawClient.Failure.self) { try UnixRawClient(.abstract("usher-test-fe-\(tag)"), shortLength: true) }
    }
}
