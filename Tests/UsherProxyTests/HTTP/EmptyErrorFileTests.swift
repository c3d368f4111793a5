import Foundation
import Testing

/// `errorfile CODE /dev/null`: an empty page means "answer nothing and close", as HAProxy does
/// (its errorfiles reg-test expects the close), even for a status that would keep the
/// connection open with a page (403).
@Suite(.serialized)
struct EmptyErrorFileTests {
    @Test func emptyErrorfileClosesWithoutAnAnswer() throws {
        let directory = try ScratchDirectory()
        let empty = try directory.write("empty.http", "")
        let page = try directory.write("403.http", "HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nx-page: custom\r\n\r\n")
        let usher = try UsherUnderTest("""
            defaults
                mode http
                timeout connect 5s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:0
                errorfile 403 \(page)
                errorfile 500 \(empty)
                http-request deny deny_status 403 if { path /403 }
                http-request deny deny_status 500 if { path /500 }
            """)
        defer { usher.stop() }
        let port = usher.port("fe")

        let silent = try RawClient(port: port, timeout: 5)
        try silent.send("GET /500 HTTP/1.1\r\nhost: test\r\n\r\n")
        #expect(try silent.receiveAll().isEmpty, "nothing is sent for an empty errorfile")

        // A page that is not empty is still sent, and the connection stays usable.
        let answered = try RawClient(port: port, timeout: 5)
        try answered.send("GET /403 HTTP/1.1\r\nhost: test\r\n\r\n")
        let reply = String(decoding: try answered.receive(), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 403") && reply.contains("x-page: custom"), "\(reply)")
        #expect(!answered.isClosedByPeer(within: 0.3))
    }
}
