import Foundation
import Testing

/// Clients that misbehave on the runtime API socket: silence, floods, a line longer than the buffer.
/// The server closes them and keeps serving the others.
@Suite(.serialized)
struct RuntimeAPIBadInputTests {
    func start(_ directory: TemporaryDirectory, global: String) throws -> UsherUnderTest {
        try UsherUnderTest("""
            global
                stats socket \(directory.path)/admin.sock level admin
            \(global)
            defaults
                timeout connect 1s
                timeout client 1s
                timeout server 1s
            frontend fe
                bind 127.0.0.1:0
                default_backend be
            backend be
                server s 127.0.0.1:1
            """)
    }

    @Test func aClientThatNeverSendsANewlineIsClosedAfterStatsTimeout() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let usher = try start(directory, global: "    stats timeout 500ms")
        defer { usher.stop() }
        let silent = try RuntimeAPIClient(path: directory.path + "/admin.sock")
        try silent.send("show info")
        let started = Date()
        #expect(silent.isClosedByPeer(within: 5))
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.3 && waited < 3, "closed after \(waited)s")
        // An interactive session that goes quiet is closed the same way.
        let quiet = try RuntimeAPIClient(path: directory.path + "/admin.sock")
        try quiet.send("prompt\n")
        #expect(try quiet.receive(until: "> ") == "\n> ")
        #expect(quiet.isClosedByPeer(within: 5))
        #expect(try RuntimeAPIClient.ask(directory.path + "/admin.sock", "show backend") == "# name\nbe\n\n")
    }

    @Test func connectionsBeyondStatsMaxconnAreClosedAtOnce() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let usher = try start(directory, global: "    stats maxconn 2\n    stats timeout 30s")
        defer { usher.stop() }
        let path = directory.path + "/admin.sock"
        // Two sessions held open in interactive mode.
        let held = try (0..<2).map { _ in try RuntimeAPIClient(path: path) }
        for client in held {
            try client.send("prompt\n")
            #expect(try client.receive(until: "> ") == "\n> ")
        }
        // A flood beyond the limit: each is closed without an answer.
        let flood = try (0..<50).map { _ in try RuntimeAPIClient(path: path, timeout: 5) }
        for client in flood {
            try? client.send("show info\n")
        }
        for client in flood {
            #expect((try? client.receiveAll()) ?? "" == "")
        }
        // The held sessions still work.
        try held[0].send("show backend\n")
        #expect(try held[0].receive(until: "> ") == "# name\nbe\n\n> ")
        // Once one leaves, a newcomer is served.
        try held[1].send("quit\n")
        #expect(held[1].isClosedByPeer(within: 3))
        var answer = ""
        for _ in 0..<20 {
            answer = (try? RuntimeAPIClient.ask(path, "show backend")) ?? ""
            if !answer.isEmpty { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(answer == "# name\nbe\n\n")
    }

    @Test func aLineLongerThanTheBufferClosesTheConnection() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let usher = try start(directory, global: "")
        defer { usher.stop() }
        let path = directory.path + "/admin.sock"
        let client = try RuntimeAPIClient(path: path)
        try? client.send(String(repeating: "a", count: 20_000))
        #expect(client.isClosedByPeer(within: 5))
        let withNewline = try RuntimeAPIClient(path: path)
        try? withNewline.send("show " + String(repeating: "b", count: 17_000) + "\n")
        #expect(((try? withNewline.receiveAll()) ?? "") == "")
        // `tune.bufsize` sets the limit.
        #expect(try RuntimeAPIClient.ask(path, "show " + String(repeating: "c", count: 15_000)).hasPrefix("Unknown command"))
    }
}
