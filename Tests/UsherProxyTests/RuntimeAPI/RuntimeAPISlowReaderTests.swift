import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A runtime API client in `prompt` mode that sends command after command and reads nothing: usher
/// stops reading it once its answers fill the connection, instead of piling them up, and
/// `stats timeout` ends it.
@Suite struct RuntimeAPISlowReaderTests {
    @Test func answersToAClientThatDoesNotReadStayBounded() throws {
        let directory = try ScratchDirectory()
        let socket = directory.path + "/admin.sock"
        let port = freePort()
        let file = try directory.write("usher.cfg", """
        global
          stats socket \(socket) level admin
          stats timeout 3s
        \(TestConfigurations.httpDefaults)
        frontend fe
          bind 127.0.0.1:\(port)
          http-request return status 200

        """)
        let usher = try UsherProcess(["-db", "-f", file])
        defer { usher.stop() }
        #expect(ClientSocket.waitUntilAccepting(port, timeout: 10, alive: { usher.isRunning }))
        RuntimeAPIClient.waitForSocket(socket)
        let baseline = try #require(MemoryBoundTests.residentBytes(pid: usher.pid))
        let client = try RuntimeAPIClient(path: socket, timeout: 30)
        var small: Int32 = 4096
        setsockopt(client.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        // 20,000 `show stat` answers would be tens of megabytes.
        let commands = "prompt\n" + String(repeating: "show stat\n", count: 20_000)
        Thread.detachNewThread { try? client.send(commands) }
        Thread.sleep(forTimeInterval: 2)
        let held = try #require(MemoryBoundTests.residentBytes(pid: usher.pid))
        #expect(SanitizedRun.residentGrowthIsWithin(held - baseline, 16 * 1024 * 1024), "usher grew by \((held - baseline) / 1024) KiB")
        // Nothing read, nothing new accepted: `stats timeout` (3 s) closes the connection.
        #expect(PipelinedBackpressureTests.peerCloses(client.fd, within: 15))
        print("runtime API, prompt client not reading: usher grew by \((held - baseline) / 1024) KiB")
    }
}
