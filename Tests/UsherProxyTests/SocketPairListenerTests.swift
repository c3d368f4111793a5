import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `bind sockpair@N`: another process passes the connections it accepted over a socket pair (one
/// descriptor per message). The same script against usher and HAProxy 2.6.
@Suite(.serialized, .enabled(if: ExternalProcess.required("haproxy"), "needs haproxy")) struct SocketPairListenerTests {
    static func socketPair() throws -> (Int32, Int32) {
        var pair: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else { throw RawClient.Failure(description: "socketpair: \(errno)") }
        return (pair[0], pair[1])
    }

    /// Sends `descriptor` over `channel` with a byte of data, as HAProxy's `send_fd_uxst` does.
    static func pass(_ descriptor: Int32, over channel: Int32) -> Bool {
        var byte: UInt8 = 0
        let space = MemoryLayout<cmsghdr>.size + MemoryLayout<Int32>.size
        var control = [UInt8](repeating: 0, count: (space + 7) & ~7)
        control.withUnsafeMutableBytes { bytes in
            var header = cmsghdr()
            header.cmsg_len = space
            header.cmsg_level = SOL_SOCKET
            header.cmsg_type = Int32(SCM_RIGHTS)
            bytes.storeBytes(of: header, as: cmsghdr.self)
            bytes.storeBytes(of: descriptor, toByteOffset: MemoryLayout<cmsghdr>.size, as: Int32.self)
        }
        let sent = withUnsafeMutablePointer(to: &byte) { bytePointer -> Int in
            var vector = iovec(iov_base: UnsafeMutableRawPointer(bytePointer), iov_len: 1)
            return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                control.withUnsafeMutableBytes { controlBytes in
                    var message = msghdr()
                    message.msg_iov = vectorPointer
                    message.msg_iovlen = 1
                    message.msg_control = controlBytes.baseAddress
                    message.msg_controllen = controlBytes.count
                    return sendmsg(channel, &message, 0)
                }
            }
        }
        return sent == 1
    }

    /// Starts `program` with one end of a socket pair as descriptor 3 and `bind sockpair@3`, passes
    /// it three connections in turn, and returns what each client received.
    static func answers(_ program: String) throws -> [String] {
        let directory = try ScratchDirectory()
        let file = try directory.write("proxy.cfg", """
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind sockpair@3
                http-request return status 200 content-type text/plain string "via-pair"

            """)
        let (ours, theirs) = try socketPair()
        defer { close(ours) }
        let process = try UsherProcess(program: program, ["-db", "-f", file], inheriting: theirs, as: 3)
        close(theirs)
        defer { process.stop() }
        var answers: [String] = []
        for index in 0..<3 {
            let (client, served) = try socketPair()
            #expect(pass(served, over: ours), "\(program): pass \(index)")
            close(served)
            let connection = RawClient(descriptor: client, timeout: 10)
            try connection.send("GET /\(index) HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            answers.append(String(decoding: (try? connection.receiveAll()) ?? [], as: UTF8.self))
        }
        return answers
    }

    @Test func connectionsPassedOverASocketPairAreServed() throws {
        let usher = try Self.answers(UsherExecutable.path)
        let haproxy = try Self.answers("/usr/sbin/haproxy")
        for (ours, theirs) in zip(usher, haproxy) {
            #expect(ours.hasPrefix("HTTP/1.1 200") && ours.hasSuffix("via-pair"), "\(ours)")
            #expect(theirs.hasPrefix("HTTP/1.1 200") && theirs.hasSuffix("via-pair"), "\(theirs)")
        }
        #expect(usher.count == 3 && haproxy.count == 3)
    }

    @Test func sockpairIsOnlyForBindLines() throws {
        let directory = try ScratchDirectory()
        let file = try directory.write("proxy.cfg", """
            defaults
                mode tcp
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            listen app
                bind sockpair@x
                server s1 sockpair@4

            """)
        let result = try UsherProcess.run(["-c", "-f", file])
        #expect(result.status == 1)
        #expect(result.error.contains("proxy.cfg:7") && result.error.contains("'sockpair@x' expects a file descriptor number after 'sockpair@', such as sockpair@3"), "\(result.error)")
        #expect(result.error.contains("proxy.cfg:8") && result.error.contains("a socket pair ('sockpair@') can only be listened on"), "\(result.error)")
    }
}
