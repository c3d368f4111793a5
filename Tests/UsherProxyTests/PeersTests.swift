import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Stick tables shared through `peers` sections, between real processes: two usher instances, and
/// usher with HAProxy 2.6 (both directions). Each instance counts requests by client in a table
/// its peers section shares; the rate limit sees the requests made to the other instance.
@Suite(.serialized)
struct PeersTests {
    /// One instance's configuration: peer `local` among `peers`, a frontend on `port` that denies
    /// (429) a client whose request rate goes over three in ten seconds, keyed by `key`.
    /// `serverForm`: HAProxy 2.x's `bind` and `server` lines instead of `peer` lines.
    static func configuration(
        local: String, port: Int, peers: [(name: String, port: Int)], socket: String, key: String = "src", type: String = "ip", serverForm: Bool = false
    ) -> String {
        let peerLines = serverForm
            ? peers.map { $0.name == local ? "    bind 127.0.0.1:\($0.port)\n    server \($0.name)" : "    server \($0.name) 127.0.0.1:\($0.port)" }
            : peers.map { "    peer \($0.name) 127.0.0.1:\($0.port)" }
        return """
        global
            stats socket \(socket) level admin
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        peers mesh
        \(peerLines.joined(separator: "\n"))
        frontend fe
            bind 127.0.0.1:\(port)
            stick-table type \(type) size 100k expire 60s store http_req_cnt,http_req_rate(10s),gpc0 peers mesh
            http-request track-sc0 \(key)
            http-request deny deny_status 429 if { sc_http_req_rate(0) gt 3 }
            http-request return status 200 content-type text/plain string ok

        """
    }

    /// The `show table fe` line of `key`, on the runtime API at `socket` ("" if none).
    static func entry(_ socket: String, key: String) -> String {
        guard let answer = try? RuntimeAPIClient.ask(socket, "show table fe") else { return "" }
        return answer.split(separator: "\n").map(String.init).first { $0.contains("key=\(key) ") } ?? ""
    }

    static func requestCount(_ socket: String, key: String) -> Int? {
        let line = entry(socket, key: key)
        guard let range = line.range(of: "http_req_cnt=") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    /// Whether every peer acknowledged every local change of table `fe` (`show peers`).
    static func allAcknowledged(_ socket: String) -> Bool {
        guard let answer = try? RuntimeAPIClient.ask(socket, "show peers"),
              let table = answer.range(of: "table=fe id=1 local_update="),
              let local = Int(answer[table.upperBound...].prefix { $0.isNumber }) else { return false }
        let acked = answer.components(separatedBy: " acked=").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        return !acked.isEmpty && acked.allSatisfy { $0 == local }
    }

    /// Whether HAProxy's peer acknowledged every local change of its table (`show peers`: the
    /// shared table's `update=` against the table's `localupdate=`).
    static func haproxyAllAcknowledged(_ socket: String) -> Bool {
        guard let answer = try? RuntimeAPIClient.ask(socket, "show peers") else { return false }
        func numbers(after marker: String) -> [Int] {
            answer.components(separatedBy: marker).dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        }
        // The remote peer is listed first (before the local one), its shared table's `update=`
        // before its table's.
        guard let acknowledged = numbers(after: " update=").first, let local = numbers(after: "localupdate=").first else { return false }
        return acknowledged == local
    }

    static func status(_ port: Int, client: String? = nil) -> String {
        let response = (try? httpGet(port: port, headers: client.map { "X-Client: \($0)\r\n" } ?? "")) ?? ""
        return String(response.prefix(12))
    }

    static func waitUntil(_ timeout: Double = 20, _ condition: () -> Bool) -> Bool {
        CommandLineTests.waitUntil(timeout: timeout, condition)
    }

    /// The issue's must-show: a client rate-limited by one usher is limited by the other.
    @Test func rateLimitSharedBetweenTwoUshers() throws {
        let directory = try ScratchDirectory()
        let (peerA, peerB, portA, portB) = (freePort(), freePort(), freePort(), freePort())
        let (socketA, socketB) = (directory.path + "/a.sock", directory.path + "/b.sock")
        let peers = [("a", peerA), ("b", peerB)]
        let a = try UsherProcess(["-db", "-L", "a", "-f", try directory.write("a.cfg", Self.configuration(local: "a", port: portA, peers: peers, socket: socketA))])
        defer { a.stop() }
        let b = try UsherProcess(["-db", "-L", "b", "-f", try directory.write("b.cfg", Self.configuration(local: "b", port: portB, peers: peers, socket: socketB))])
        defer { b.stop() }
        #expect(Self.waitUntil { CommandLineTests.isAccepting(portA) && CommandLineTests.isAccepting(portB) }, "\(a.error)\n\(b.error)")

        // Three requests through A: within the limit there.
        for _ in 0..<3 { #expect(Self.status(portA) == "HTTP/1.1 200") }
        // B learns of them… (and has every change of A's: a late one crossing B's own update
        // would overwrite it, peers being last-writer-wins as in HAProxy.)
        #expect(Self.waitUntil { Self.requestCount(socketB, key: "127.0.0.1") == 3 && Self.allAcknowledged(socketA) }, "B: \(Self.entry(socketB, key: "127.0.0.1"))\n\(b.error)")
        // …so the client's first request to B is its fourth: over the limit.
        #expect(Self.status(portB) == "HTTP/1.1 429")
        // And A learns of that one: the client is limited there too.
        #expect(Self.waitUntil { Self.requestCount(socketA, key: "127.0.0.1") == 4 }, """
            A: \(Self.entry(socketA, key: "127.0.0.1")) B: \(Self.entry(socketB, key: "127.0.0.1"))
            \((try? RuntimeAPIClient.ask(socketA, "show peers")) ?? "")\((try? RuntimeAPIClient.ask(socketB, "show peers")) ?? "")
            A: \(a.error)
            B: \(b.error)
            """)
        #expect(Self.status(portA) == "HTTP/1.1 429")
        #expect(a.isRunning && b.isRunning)
        // The runtime API's `show peers` tells the session's state.
        let peersA = (try? RuntimeAPIClient.ask(socketA, "show peers")) ?? ""
        #expect(peersA.contains("[mesh] local=a") && peersA.contains("peer=b addr=127.0.0.1:\(peerB) state=ESTA"), "\(peersA)")
        #expect(peersA.contains("table=fe id=1"), "\(peersA)")
        let info = (try? RuntimeAPIClient.ask(socketA, "show info")) ?? ""
        #expect(info.contains("ActivePeers: 1\n") && info.contains("ConnectedPeers: 1\n"), "\(info)")
    }

    /// A restarted instance asks its peer for everything (a resync) and learns the table.
    @Test func restartedPeerLearnsTheTable() throws {
        let directory = try ScratchDirectory()
        let (peerA, peerB, portA, portB) = (freePort(), freePort(), freePort(), freePort())
        let (socketA, socketB) = (directory.path + "/a.sock", directory.path + "/b.sock")
        let peers = [("a", peerA), ("b", peerB)]
        let fileA = try directory.write("a.cfg", Self.configuration(local: "a", port: portA, peers: peers, socket: socketA))
        let fileB = try directory.write("b.cfg", Self.configuration(local: "b", port: portB, peers: peers, socket: socketB))
        let a = try UsherProcess(["-db", "-L", "a", "-f", fileA])
        defer { a.stop() }
        var b = try UsherProcess(["-db", "-L", "b", "-f", fileB])
        defer { b.stop() }
        #expect(Self.waitUntil { CommandLineTests.isAccepting(portA) && CommandLineTests.isAccepting(portB) })
        for _ in 0..<2 { #expect(Self.status(portA) == "HTTP/1.1 200") }
        #expect(Self.waitUntil { Self.requestCount(socketB, key: "127.0.0.1") == 2 }, "B: \(Self.entry(socketB, key: "127.0.0.1"))")

        b.stop()
        b = try UsherProcess(["-db", "-L", "b", "-f", fileB])
        #expect(Self.waitUntil { CommandLineTests.isAccepting(portB) })
        // A already pushed that entry to the first B (and had it acknowledged): only the resync
        // the new B asks for brings it back.
        #expect(Self.waitUntil { Self.requestCount(socketB, key: "127.0.0.1") == 2 }, "B: \(Self.entry(socketB, key: "127.0.0.1"))\n\(b.error)")
        #expect(Self.status(portB) == "HTTP/1.1 200")
        #expect(Self.status(portB) == "HTTP/1.1 429")
    }

    /// A peer that speaks something else is answered with an error status and closed; the
    /// instance goes on serving. (Its peers section is written in the `bind`/`server` form.)
    @Test func badHelloIsRefused() throws {
        let directory = try ScratchDirectory()
        let (peerA, portA) = (freePort(), freePort())
        let socketA = directory.path + "/a.sock"
        let a = try UsherProcess(["-db", "-L", "a", "-f", try directory.write("a.cfg", Self.configuration(local: "a", port: portA, peers: [("a", peerA), ("b", freePort())], socket: socketA, serverForm: true))])
        defer { a.stop() }
        #expect(Self.waitUntil { CommandLineTests.isAccepting(portA) && CommandLineTests.isAccepting(peerA) })
        for (hello, status) in [("GET / HTTP/1.1\r\n\r\n", "501"), ("HAProxyS 2.1\na\nmallory 1 1\n", "504"), ("HAProxyS 2.1\nz\nb 1 1\n", "503"), ("HAProxyS 9.9\n", "502")] {
            let client = try RawClient(port: peerA)
            try client.send(hello)
            let answer = String(decoding: try client.receiveAll(), as: UTF8.self)
            #expect(answer == status + "\n", "\(hello)")
        }
        #expect(Self.status(portA) == "HTTP/1.1 200")
    }

    /// HAProxy 2.6 as the other peer: requests through either are counted by both, and a client
    /// over the limit on one is refused by the other.
    @Test(.enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
    func interoperatesWithHAProxy() throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this test")
        let directory = try ScratchDirectory()
        let (peerH, peerU, portH, portU) = (freePort(), freePort(), freePort(), freePort())
        let (socketH, socketU) = (directory.path + "/h.sock", directory.path + "/u.sock")
        let peers = [("h", peerH), ("u", peerU)]
        let haproxyFile = try directory.write("h.cfg", Self.configuration(local: "h", port: portH, peers: peers, socket: socketH, key: "req.hdr(x-client)", type: "string"))
        let haproxy = try ExternalProcess.start(["haproxy", "-db", "-L", "h", "-f", haproxyFile], logFile: directory.path + "/haproxy.log")
        defer { if haproxy.isRunning { haproxy.terminate() } }
        let usher = try UsherProcess(["-db", "-L", "u", "-f", try directory.write("u.cfg", Self.configuration(local: "u", port: portU, peers: peers, socket: socketU, key: "req.hdr(x-client)", type: "string"))])
        defer { usher.stop() }
        let log = { (try? String(contentsOfFile: directory.path + "/haproxy.log", encoding: .utf8)) ?? "" }
        #expect(Self.waitUntil { CommandLineTests.isAccepting(portH) && CommandLineTests.isAccepting(portU) }, "\(log())\n\(usher.error)")

        // HAProxy to usher: alice's three requests through HAProxy put her over the limit on usher.
        for _ in 0..<3 { #expect(Self.status(portH, client: "alice") == "HTTP/1.1 200") }
        #expect(Self.waitUntil { Self.requestCount(socketU, key: "alice") == 3 && Self.haproxyAllAcknowledged(socketH) },
                "usher: \(Self.entry(socketU, key: "alice"))\n\(usher.error)")
        #expect(Self.status(portU, client: "alice") == "HTTP/1.1 429")

        // usher to HAProxy: bob's three requests through usher put him over the limit on HAProxy.
        for _ in 0..<3 { #expect(Self.status(portU, client: "bob") == "HTTP/1.1 200") }
        #expect(Self.waitUntil { Self.requestCount(socketH, key: "bob") == 3 }, "haproxy: \(Self.entry(socketH, key: "bob"))\n\(log())")
        #expect(Self.status(portH, client: "bob") == "HTTP/1.1 429")
        // And alice's refused request on usher reached HAProxy too.
        #expect(Self.waitUntil { Self.requestCount(socketH, key: "alice") == 4 }, "haproxy: \(Self.entry(socketH, key: "alice"))")
        #expect(usher.isRunning && haproxy.isRunning)
    }

    /// A restarted usher learns HAProxy's table from it (a resync from HAProxy), and HAProxy
    /// learns a restarted HAProxy's from usher.
    @Test(.enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
    func resyncWithHAProxy() throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this test")
        let directory = try ScratchDirectory()
        let (peerH, peerU, portH, portU) = (freePort(), freePort(), freePort(), freePort())
        let (socketH, socketU) = (directory.path + "/h.sock", directory.path + "/u.sock")
        let peers = [("h", peerH), ("u", peerU)]
        let haproxyFile = try directory.write("h.cfg", Self.configuration(local: "h", port: portH, peers: peers, socket: socketH))
        let usherFile = try directory.write("u.cfg", Self.configuration(local: "u", port: portU, peers: peers, socket: socketU))
        var haproxy = try ExternalProcess.start(["haproxy", "-db", "-L", "h", "-f", haproxyFile], logFile: directory.path + "/haproxy.log")
        defer { if haproxy.isRunning { haproxy.terminate() } }
        var usher = try UsherProcess(["-db", "-L", "u", "-f", usherFile])
        defer { usher.stop() }
        #expect(Self.waitUntil { CommandLineTests.isAccepting(portH) && CommandLineTests.isAccepting(portU) })
        for _ in 0..<2 { #expect(Self.status(portH) == "HTTP/1.1 200") }
        #expect(Self.waitUntil { Self.requestCount(socketU, key: "127.0.0.1") == 2 }, "usher: \(Self.entry(socketU, key: "127.0.0.1"))")

        usher.stop()
        usher = try UsherProcess(["-db", "-L", "u", "-f", usherFile])
        #expect(Self.waitUntil { Self.requestCount(socketU, key: "127.0.0.1") == 2 }, "restarted usher: \(Self.entry(socketU, key: "127.0.0.1"))\n\(usher.error)")

        haproxy.terminate()
        haproxy.waitUntilExit()
        haproxy = try ExternalProcess.start(["haproxy", "-db", "-L", "h", "-f", haproxyFile], logFile: directory.path + "/haproxy2.log")
        #expect(Self.waitUntil { Self.requestCount(socketH, key: "127.0.0.1") == 2 }, "restarted haproxy: \(Self.entry(socketH, key: "127.0.0.1"))")
    }
}

extension PeersTests {
    /// A reload by a new worker (`-W`, SIGUSR2) keeps the table: the old worker teaches it to the new one through
    /// the local peer, as HAProxy's old process does.
    @Test func reloadKeepsTheTable() throws {
        let directory = try ScratchDirectory()
        let (peerA, portA) = (freePort(), freePort())
        let socketA = directory.path + "/a.sock"
        let file = try directory.write("a.cfg", Self.configuration(local: "a", port: portA, peers: [("a", peerA)], socket: socketA))
        let pidfile = directory.path + "/usher.pid"
        // A reload by a new worker process (as after an upgrade of the binary): in place, the
        // process keeps its tables without a hand-over (ReloadInPlaceTests.runtimeStateCarriesOver).
        let usher = try UsherProcess(["-W", "-L", "a", "-f", file, "-p", pidfile], environment: ["USHER_RELOAD": "process"])
        defer { usher.stop() }
        let master = try #require(MasterWorkerTests.pid(in: pidfile))
        // (The runtime API's socket is bound after the listeners.)
        #expect(Self.waitUntil { CommandLineTests.isAccepting(portA) && FileManager.default.fileExists(atPath: socketA) }, "\(usher.error)")
        for _ in 0..<3 { #expect(Self.status(portA) == "HTTP/1.1 200") }
        #expect(Self.requestCount(socketA, key: "127.0.0.1") == 3)
        // The master handles signals once it has said its worker started (a signal before that is lost).
        #expect(Self.waitUntil { usher.error.contains("master: worker") && usher.error.contains("started") })
        for _ in 0..<3 where !usher.error.contains("master: reloading") {
            kill(master, SIGUSR2)
            _ = Self.waitUntil(3) { usher.error.contains("master: reloading") }
        }
        // (The runtime API socket is not asked after the reload: a worker's socket does not answer
        // after a -W reload, with or without peers.)
        #expect(Self.waitUntil { usher.error.contains("took over from") }, "\(usher.error)")
        #expect(Self.waitUntil { usher.error.contains("learnt the tables from the previous process") }, "\(usher.error)")
        // The new worker knows the client's three requests: the fourth is over the limit.
        #expect(Self.status(portA) == "HTTP/1.1 429", "\(usher.error)")
        // The old worker has finished: one worker is left.
        #expect(Self.waitUntil { MasterWorkerTests.children(of: master).count == 1 }, "\(MasterWorkerTests.children(of: master))")
    }
}

extension PeersTests {
    /// A table declared in the peers section (`table NAME …`, `mesh/NAME` elsewhere) with a
    /// general purpose counter and a string key of a given length, shared with HAProxy.
    @Test(.enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
    func sectionTableWithHAProxy() throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this test")
        let directory = try ScratchDirectory()
        let (peerH, peerU, portH, portU) = (freePort(), freePort(), freePort(), freePort())
        let (socketH, socketU) = (directory.path + "/h.sock", directory.path + "/u.sock")
        func configuration(_ local: String, _ port: Int, _ socket: String) -> String {
            """
            global
                stats socket \(socket) level admin
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            peers mesh
                peer h 127.0.0.1:\(peerH)
                peer u 127.0.0.1:\(peerU)
                table visits type string len 16 size 1k expire 1m store gpc0,gpc0_rate(1m),http_req_cnt
            frontend fe
                bind 127.0.0.1:\(port)
                http-request track-sc1 req.hdr(x-client) table mesh/visits
                http-request sc-inc-gpc0(1) if { path_beg /admin }
                http-request deny if { sc1_get_gpc0 ge 3 }
                http-request return status 200 content-type text/plain string ok

            """
        }
        let haproxy = try ExternalProcess.start(
            ["haproxy", "-db", "-L", "h", "-f", try directory.write("h.cfg", configuration("h", portH, socketH))], logFile: directory.path + "/haproxy.log")
        defer { if haproxy.isRunning { haproxy.terminate() } }
        let usher = try UsherProcess(["-db", "-L", "u", "-f", try directory.write("u.cfg", configuration("u", portU, socketU))])
        defer { usher.stop() }
        #expect(Self.waitUntil { CommandLineTests.isAccepting(portH) && CommandLineTests.isAccepting(portU) })
        func gpc0(_ socket: String, _ key: String) -> Int? {
            guard let answer = try? RuntimeAPIClient.ask(socket, "show table mesh/visits"),
                  let line = answer.split(separator: "\n").first(where: { $0.contains("key=\(key) ") }),
                  let range = line.range(of: " gpc0=") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        // Two visits to /admin through usher, one through HAProxy: the third is seen on both.
        for _ in 0..<2 { _ = try httpGet(port: portU, path: "/admin", headers: "X-Client: carol\r\n") }
        #expect(Self.waitUntil { gpc0(socketH, "carol") == 2 }, "haproxy: \(gpc0(socketH, "carol") ?? -1)")
        _ = try httpGet(port: portH, path: "/admin", headers: "X-Client: carol\r\n")
        #expect(Self.waitUntil { gpc0(socketU, "carol") == 3 }, "usher: \(gpc0(socketU, "carol") ?? -1)\n\(usher.error)")
        #expect(Self.status(portU, client: "carol") == "HTTP/1.1 403")
    }
}

extension PeersTests {
    /// A reload of an instance connected to another: the old worker closes its sessions with the
    /// other peer and still teaches the new worker, which then talks to the other peer itself.
    @Test func reloadWithARemotePeer() throws {
        let directory = try ScratchDirectory()
        let (peerA, peerB, portA, portB) = (freePort(), freePort(), freePort(), freePort())
        let (socketA, socketB) = (directory.path + "/a.sock", directory.path + "/b.sock")
        let peers = [("a", peerA), ("b", peerB)]
        let fileA = try directory.write("a.cfg", Self.configuration(local: "a", port: portA, peers: peers, socket: socketA))
        let pidfile = directory.path + "/usher.pid"
        let a = try UsherProcess(["-W", "-L", "a", "-f", fileA, "-p", pidfile], environment: ["USHER_RELOAD": "process"])
        defer { a.stop() }
        let b = try UsherProcess(["-db", "-L", "b", "-f", try directory.write("b.cfg", Self.configuration(local: "b", port: portB, peers: peers, socket: socketB))])
        defer { b.stop() }
        let master = try #require(MasterWorkerTests.pid(in: pidfile))
        #expect(Self.waitUntil { CommandLineTests.isAccepting(portA) && CommandLineTests.isAccepting(portB) })
        for _ in 0..<2 { #expect(Self.status(portA) == "HTTP/1.1 200") }
        #expect(Self.waitUntil { Self.requestCount(socketB, key: "127.0.0.1") == 2 }, "B: \(Self.entry(socketB, key: "127.0.0.1"))")
        #expect(Self.waitUntil { a.error.contains("master: worker") && a.error.contains("started") })
        for _ in 0..<3 where !a.error.contains("master: reloading") {
            kill(master, SIGUSR2)
            _ = Self.waitUntil(3) { a.error.contains("master: reloading") }
        }
        #expect(Self.waitUntil { a.error.contains("learnt the tables from the previous process") }, "\(a.error)")
        #expect(Self.waitUntil { a.error.contains("took over from") }, "\(a.error)")
        // The new worker counts on from two, and B hears of it.
        #expect(Self.status(portA) == "HTTP/1.1 200")
        #expect(Self.waitUntil { Self.requestCount(socketB, key: "127.0.0.1") == 3 }, "B: \(Self.entry(socketB, key: "127.0.0.1"))\n\(a.error)")
        #expect(Self.status(portB) == "HTTP/1.1 429")
        #expect(Self.waitUntil { MasterWorkerTests.children(of: master).count == 1 })
    }
}

extension PeersTests {
    /// The number of entries `show table fe` reports in its header (`used:N`).
    static func used(_ socket: String) -> Int? {
        guard let answer = try? RuntimeAPIClient.ask(socket, "show table fe"), let range = answer.range(of: "used:") else { return nil }
        return Int(answer[range.upperBound...].prefix { $0.isNumber })
    }

    /// A table larger than one part of a lesson reaches a restarted peer whole.
    @Test func aLargeTableIsTaughtInParts() throws {
        let directory = try ScratchDirectory()
        let (peerA, peerB, portA, portB) = (freePort(), freePort(), freePort(), freePort())
        let (socketA, socketB) = (directory.path + "/a.sock", directory.path + "/b.sock")
        let peers = [("a", peerA), ("b", peerB)]
        let fileB = try directory.write("b.cfg", Self.configuration(local: "b", port: portB, peers: peers, socket: socketB))
        let a = try UsherProcess(["-db", "-L", "a", "-f", try directory.write("a.cfg", Self.configuration(local: "a", port: portA, peers: peers, socket: socketA))])
        defer { a.stop() }
        var b = try UsherProcess(["-db", "-L", "b", "-f", fileB])
        defer { b.stop() }
        #expect(Self.waitUntil { CommandLineTests.isAccepting(portA) && CommandLineTests.isAccepting(portB) && FileManager.default.fileExists(atPath: socketA) })
        let count = 5000
        for start in stride(from: 0, to: count, by: 250) {
            let commands = (start..<start + 250).map { "set table fe key 10.0.\($0 / 256).\($0 % 256) data.http_req_cnt \($0)" }
            _ = try RuntimeAPIClient.ask(socketA, commands.joined(separator: "; "))
        }
        #expect(Self.used(socketA) == count)
        // Pushed as they were set…
        #expect(Self.waitUntil(30) { Self.used(socketB) == count }, "B has \(Self.used(socketB) ?? -1)\n\(b.error)")
        // …and, B restarted, taught again: A had them acknowledged, only the lesson brings them.
        b.stop()
        b = try UsherProcess(["-db", "-L", "b", "-f", fileB])
        #expect(Self.waitUntil(30) { Self.used(socketB) == count }, "B has \(Self.used(socketB) ?? -1)\n\(b.error)")
        #expect(Self.requestCount(socketB, key: "10.0.19.135") == 4999)
    }
}
