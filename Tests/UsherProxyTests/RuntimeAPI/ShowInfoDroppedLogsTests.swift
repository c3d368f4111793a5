import Foundation
import Testing

/// `show info`'s DroppedLogs counts the log lines usher could not hand to their target (a syslog
/// socket that is missing here), as HAProxy's does.
@Suite struct ShowInfoDroppedLogsTests {
    @Test func droppedLinesAreCounted() throws {
        let directory = try ScratchDirectory()
        let port = freePort()
        let socket = directory.path + "/admin.sock"
        let file = try directory.write("usher.cfg", """
        global
          stats socket \(socket) level admin
        \(TestConfigurations.httpDefaults)
          log unix@\(directory.path)/no-syslog-here local0
          option httplog
        frontend fe
          bind 127.0.0.1:\(port)
          http-request return status 200 content-type text/plain string "ok\\n"

        """)
        let usher = try UsherProcess(["-db", "-f", file])
        defer { usher.stop() }
        #expect(ClientSocket.waitUntilAccepting(port, timeout: 10, alive: { usher.isRunning }))
        RuntimeAPIClient.waitForSocket(socket)
        func dropped() throws -> Int? {
            let info = try RuntimeAPIClient.ask(socket, "show info")
            return info.split(separator: "\n").first { $0.hasPrefix("DroppedLogs:") }
                .flatMap { Int($0.split(separator: " ").last ?? "") }
        }
        let before = try #require(try dropped())
        for _ in 0..<3 { _ = try httpGet(port: port) }
        Thread.sleep(forTimeInterval: 0.3)
        let after = try #require(try dropped())
        #expect(after >= before + 3, "DroppedLogs went from \(before) to \(after)")
    }
}
