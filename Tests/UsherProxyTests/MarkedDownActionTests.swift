import Foundation
import Testing

/// `on-marked-down shutdown-sessions`: an established TCP session to a server is cut when its
/// check marks it down; without it, the session lives on. The same with HAProxy 2.6.
@Suite(.serialized)
final class MarkedDownActionTests {
    static func configuration(data: Int, health: Int, port: Int, option: String) -> String {
        """
        defaults
            mode tcp
            timeout connect 500ms
            timeout client 10s
            timeout server 10s
        listen app
            bind 127.0.0.1:\(port)
            server s1 127.0.0.1:\(data) check port \(health) inter 100ms fall 1 rise 1 \(option)

        """
    }

    /// An echo server for the traffic, a listener for the checks; once a session is up, the check
    /// listener closes (checks get L4CON) and `closed` says whether the client's session ended.
    static func sessionIsCut(option: String, start: (String) throws -> (port: Int, stop: () -> Void)) async throws -> Bool {
        let data = try ScriptedOrigin(timeout: 10) { c in
            while true {
                let chunk = try c.receive(maximum: 1024)
                if chunk.isEmpty { return }
                try c.send(chunk)
            }
        }
        defer { data.stop() }
        let health = try ScriptedOrigin(timeout: 10) { c in _ = c.isClosedByPeer(within: 5) }
        let proxy = try start(configuration(data: data.port, health: health.port, port: freePort(), option: option))
        defer { proxy.stop() }
        try await Task.sleep(for: .milliseconds(400))
        let client = try RawClient(port: proxy.port, timeout: 5)
        try client.send("hello")
        #expect(String(decoding: try client.receive(), as: UTF8.self) == "hello")
        health.stop()
        return client.isClosedByPeer(within: 2)
    }

    static func usher(_ text: String) throws -> (port: Int, stop: () -> Void) {
        let usher = try UsherUnderTest(text)
        return (usher.port("app"), { usher.stop() })
    }

    static func haproxy(_ text: String) throws -> (port: Int, stop: () -> Void) {
        let directory = try ScratchDirectory()
        let file = try directory.write("haproxy.cfg", text)
        let process = try ExternalProcess.start(["haproxy", "-db", "-f", file], logFile: directory.path + "/haproxy.log")
        let port = Int(text.split(separator: "bind 127.0.0.1:")[1].prefix { $0.isNumber })!
        _ = ClientSocket.waitUntilAccepting(port, timeout: 5, alive: { process.isRunning })
        return (port, {
            process.terminate()
            process.waitUntilExit()
            _ = directory
        })
    }

    @Test func sessionIsCutWhenTheServerGoesDown() async throws {
        #expect(try await Self.sessionIsCut(option: "on-marked-down shutdown-sessions", start: Self.usher))
    }

    @Test func sessionLivesOnWithoutTheOption() async throws {
        #expect(try await !Self.sessionIsCut(option: "", start: Self.usher))
    }

    @Test(.enabled(if: ExternalProcess.required("haproxy")))
    func haproxyCutsItToo() async throws {
        #expect(try await Self.sessionIsCut(option: "on-marked-down shutdown-sessions", start: Self.haproxy))
        #expect(try await !Self.sessionIsCut(option: "", start: Self.haproxy))
    }
}
