import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `stats socket … expose-fd listeners`: a process started with `-x` takes usher's listening
/// sockets over the runtime API. Checked with a client of our own that receives them, and with
/// HAProxy 2.6 itself taking over a port usher listens on (`haproxy -x`), which it cannot bind
/// otherwise.
@Suite(.serialized) struct ListenerHandOverTests {
    final class Setup {
        let directory: ScratchDirectory
        let port = freePort()
        let socketPath: String
        let usher: UsherProcess

        init() throws {
            directory = try ScratchDirectory()
            socketPath = directory.path + "/admin.sock"
            let configuration = """
            global
              stats socket \(socketPath) level admin expose-fd listeners
            \(TestConfigurations.httpDefaults)
            frontend fe
              bind 127.0.0.1:\(port)
              http-request return status 200 content-type text/plain string "from usher\\n"

            """
            let file = try directory.write("usher.cfg", configuration)
            usher = try UsherProcess(["-db", "-f", file])
            guard ClientSocket.waitUntilAccepting(port, timeout: 10, alive: { [usher] in usher.isRunning }) else {
                throw RuntimeAPIClient.Failure(description: "usher did not start: \(usher.error)")
            }
            RuntimeAPIClient.waitForSocket(socketPath)
        }

        deinit { usher.stop() }
    }

    /// Receives what `_getsocks` sends: the count, then the descriptors.
    static func getSockets(_ path: String) throws -> [Int32] {
        let client = try RuntimeAPIClient(path: path)
        try client.send("_getsocks\n")
        var count: Int32 = 0
        guard recv(client.fd, &count, 4, Int32(MSG_WAITALL)) == 4 else { return [] }
        var received: [Int32] = []
        while received.count < Int(count) {
            var data = [UInt8](repeating: 0, count: 4096)
            var control = [UInt8](repeating: 0, count: 16 + 253 * 4 + 8)
            let got = data.withUnsafeMutableBytes { dataBytes in
                control.withUnsafeMutableBytes { controlBytes -> Int in
                    var vector = iovec(iov_base: dataBytes.baseAddress, iov_len: dataBytes.count)
                    return withUnsafeMutablePointer(to: &vector) { pointer in
                        var message = msghdr()
                        message.msg_iov = pointer
                        message.msg_iovlen = 1
                        message.msg_control = controlBytes.baseAddress
                        message.msg_controllen = controlBytes.count
                        let result = recvmsg(client.fd, &message, 0)
                        guard result > 0, message.msg_controllen >= 16 else { return result }
                        let length = controlBytes.load(fromByteOffset: 0, as: Int.self)
                        for index in 0..<(length - 16) / 4 {
                            received.append(controlBytes.load(fromByteOffset: 16 + index * 4, as: Int32.self))
                        }
                        return result
                    }
                }
            }
            guard got > 0 else { break }
            // Each socket is described by six bytes: no namespace, no interface, four zeros.
            #expect(got == 6 * received.count || received.count % 253 == 0)
        }
        #expect(received.count == Int(count))
        return received
    }

    static func boundPort(_ fd: Int32) -> Int? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0, address.sin_family == sa_family_t(AF_INET) else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func isListening(_ fd: Int32) -> Bool {
        var value: Int32 = 0
        var length = socklen_t(4)
        return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &length) == 0 && value == 1
    }

    @Test func theListeningSocketsArrive() throws {
        let setup = try Setup()
        let sockets = try Self.getSockets(setup.socketPath)
        defer { for fd in sockets { close(fd) } }
        // The frontend's socket and the runtime API's own, both listening.
        #expect(sockets.count == 2)
        #expect(sockets.allSatisfy(Self.isListening))
        #expect(sockets.contains { Self.boundPort($0) == setup.port })
        // A socket without `expose-fd listeners` hands nothing over.
        #expect(try RuntimeAPIClient.ask(setup.socketPath, "show info").contains("Name: usher"))
    }

    @Test(.enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
    func haproxyTakesTheListenersOver() throws {
        try #require(DifferentialSettings.haproxyAvailable, "HAProxy 2.6 (/usr/sbin/haproxy) is required (CI=true)")
        let setup = try Setup()
        #expect(try httpGet(port: setup.port).contains("from usher"))
        let configuration = """
        \(TestConfigurations.httpDefaults)
        frontend fe
          bind 127.0.0.1:\(setup.port)
          http-request return status 200 content-type text/plain string "from haproxy\\n"

        """
        let file = try setup.directory.write("haproxy.cfg", configuration)
        // Without the sockets, HAProxy cannot bind the port usher holds.
        let refused = try ExternalProcess.run(["haproxy", "-db", "-f", file], timeout: 10)
        #expect(refused.status != 0)
        #expect((refused.output + refused.error).contains("cannot bind"))
        // With `-x`, it takes usher's listening socket and serves on it at once.
        let haproxy = try ExternalProcess.start(["haproxy", "-db", "-f", file, "-x", setup.socketPath], logFile: setup.directory.path + "/haproxy.log")
        defer {
            haproxy.terminate()
            haproxy.waitUntilExit()
        }
        Thread.sleep(forTimeInterval: 1)
        let log = (try? String(contentsOfFile: setup.directory.path + "/haproxy.log", encoding: .utf8)) ?? ""
        #expect(haproxy.isRunning, "\(log)")
        // usher stops; no connection is refused in between: the socket never closed.
        setup.usher.signal(SIGTERM)
        _ = setup.usher.waitForExit(timeout: 10)
        #expect(try httpGet(port: setup.port).contains("from haproxy"))
    }
}
