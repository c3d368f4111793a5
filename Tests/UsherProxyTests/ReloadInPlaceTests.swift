import Foundation
import NIOConcurrencyHelpers
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Reload in place (SIGUSR2/SIGHUP to a running usher): the same process reads its files again and
/// swaps its configuration while connections live. Real processes, real sockets.
@Suite(.serialized) struct ReloadInPlaceTests {
    /// A TCP frontend tunnelling to an echo server, an HTTP frontend answering `answer`, and a
    /// runtime API socket; `extraFrontends` are appended.
    static func configuration(
        tcpPort: Int, httpPort: Int, echo: Int, answer: String, socket: String, global: String = "", extraFrontends: String = ""
    ) -> String {
        """
        global
            stats socket \(socket) level admin
        \(global)
        defaults
            timeout connect 2s
            timeout client 30s
            timeout server 30s
        frontend tunnels
            mode tcp
            bind 127.0.0.1:\(tcpPort)
            default_backend echo
        backend echo
            mode tcp
            server e1 127.0.0.1:\(echo)
        frontend web
            mode http
            bind 127.0.0.1:\(httpPort)
            http-request return status 200 content-type text/plain string "\(answer)"
        \(extraFrontends)

        """
    }

    /// A client connection through the TCP frontend that stays open: each `ping` must come back
    /// from the echo server.
    final class Tunnel {
        let client: RawClient
        init(port: Int) throws { client = try RawClient(port: port, timeout: 5) }

        /// Whether `word` comes back echoed, whole.
        func ping(_ word: String) -> Bool {
            do {
                try client.send(word)
                var received = ""
                let deadline = Date().addingTimeInterval(5)
                while !received.hasSuffix(word), Date() < deadline {
                    let bytes = try client.receive()
                    if bytes.isEmpty { return false }
                    received += String(decoding: bytes, as: UTF8.self)
                }
                return received.hasSuffix(word)
            } catch {
                return false
            }
        }
    }

    struct Fixture {
        let directory: ScratchDirectory
        let echo: TCPBackend
        let tcpPort: Int
        let httpPort: Int
        let socket: String
        let file: String
        let usher: UsherProcess

        init(global: String = "", extraFrontends: String = "") throws {
            directory = try ScratchDirectory()
            echo = try TCPBackend(name: "e1", behaviour: .echo, group: testGroup)
            tcpPort = freePort()
            httpPort = freePort()
            socket = directory.path + "/admin.sock"
            file = try directory.write("usher.cfg", ReloadInPlaceTests.configuration(
                tcpPort: tcpPort, httpPort: httpPort, echo: echo.port, answer: "one", socket: socket, global: global, extraFrontends: extraFrontends))
            let process = try UsherProcess(["-db", "-f", file])
            usher = process
            let accepting = ClientSocket.waitUntilAccepting(httpPort, timeout: 10, alive: { process.isRunning })
            #expect(accepting, "\(process.error)")
            RuntimeAPIClient.waitForSocket(socket)
        }

        func rewrite(answer: String, global: String = "", extraFrontends: String = "", echoPort: Int? = nil) throws {
            _ = try directory.write("usher.cfg", ReloadInPlaceTests.configuration(
                tcpPort: tcpPort, httpPort: httpPort, echo: echoPort ?? echo.port, answer: answer, socket: socket, global: global,
                extraFrontends: extraFrontends))
        }

        /// Sends `signal` and waits for the `count`-th outcome line of a reload (done or refused).
        func reload(_ signal: Int32 = SIGUSR2, expectingOutcomes count: Int) -> Bool {
            usher.signal(signal)
            return CommandLineTests.waitUntil(timeout: 15) { outcomes >= count || !usher.isRunning } && outcomes >= count
        }

        var outcomes: Int {
            let text = usher.error
            return text.components(separatedBy: "reloaded in place").count - 1 + text.components(separatedBy: "reload refused").count - 1
        }

        func answer() -> String? {
            guard let response = try? httpGet(port: httpPort) else { return nil }
            return response.components(separatedBy: "\r\n\r\n").dropFirst().joined()
        }

        func stop() {
            usher.stop()
            echo.stop()
        }
    }

    /// Open tunnels keep their server across reloads; the same listening sockets serve the new
    /// configuration (no process change, no refused connection); a new bind opens, a removed one closes.
    @Test func tunnelsAndListenersLiveThroughReloads() throws {
        let fixture = try Fixture()
        defer { fixture.stop() }
        let pid = fixture.usher.pid
        let tunnels = try (0..<10).map { _ in try Tunnel(port: fixture.tcpPort) }
        for tunnel in tunnels { #expect(tunnel.ping("hello")) }
        #expect(fixture.answer() == "one")

        let extraPort = freePort()
        try fixture.rewrite(answer: "two", extraFrontends: """
            frontend more
                mode http
                bind 127.0.0.1:\(extraPort)
                http-request return status 200 content-type text/plain string "more"
            """)
        #expect(fixture.reload(expectingOutcomes: 1), "\(fixture.usher.error)")
        #expect(fixture.usher.error.contains("reloaded in place (configuration 2): 2 listener(s) kept, 1 opened, 0 closed"), "\(fixture.usher.error)")
        #expect(fixture.answer() == "two")
        #expect((try? httpGet(port: extraPort))?.hasSuffix("more") == true)
        for tunnel in tunnels { #expect(tunnel.ping("still there")) }
        // New tunnels through the kept socket too.
        #expect(try Tunnel(port: fixture.tcpPort).ping("new"))

        try fixture.rewrite(answer: "three")
        #expect(fixture.reload(SIGHUP, expectingOutcomes: 2), "\(fixture.usher.error)")
        #expect(fixture.answer() == "three")
        #expect(!waitUntilListening(extraPort, timeout: 0.3), "the removed bind still listens")
        for tunnel in tunnels { #expect(tunnel.ping("and again")) }
        #expect(fixture.usher.pid == pid && fixture.usher.isRunning)
        // `show info` still answers, from the same process, and counts the connections of both configurations.
        let info = try RuntimeAPIClient.ask(fixture.socket, "show info")
        #expect(info.contains("Pid: \(pid)"), "\(info)")
        #expect(info.contains("CurrConns: 10") || info.contains("CurrConns: 11"), "\(info)")
    }

    /// A file with an error, a file that has disappeared, and a bind on a port another program
    /// holds: each reload is refused with its reason, and the running configuration goes on whole.
    @Test func refusedReloadsKeepTheRunningConfiguration() throws {
        let fixture = try Fixture()
        defer { fixture.stop() }
        let tunnel = try Tunnel(port: fixture.tcpPort)
        #expect(tunnel.ping("a"))

        _ = try fixture.directory.write("usher.cfg", "global\n    frobnicate yes\n")
        #expect(fixture.reload(expectingOutcomes: 1))
        #expect(fixture.usher.error.contains("usher.cfg:2: unknown keyword 'frobnicate'"), "\(fixture.usher.error)")
        #expect(fixture.answer() == "one")

        try FileManager.default.removeItem(atPath: fixture.file)
        #expect(fixture.reload(expectingOutcomes: 2))
        #expect(fixture.usher.error.contains("Cannot open configuration file/directory \(fixture.file)"), "\(fixture.usher.error)")
        #expect(fixture.answer() == "one")

        // Another program holds the new bind's port: refused, nothing of the new file applied.
        let holder = try TCPBackend(name: "holder", behaviour: .announce, group: testGroup)
        defer { holder.stop() }
        try fixture.rewrite(answer: "two", extraFrontends: """
            frontend taken
                mode http
                bind 127.0.0.1:\(holder.port)
            """)
        #expect(fixture.reload(expectingOutcomes: 3))
        #expect(fixture.usher.error.contains("reload refused: frontend 'taken' cannot bind 127.0.0.1:\(holder.port)"), "\(fixture.usher.error)")
        #expect(fixture.answer() == "one")
        #expect(tunnel.ping("b"))
        #expect(try RuntimeAPIClient.ask(fixture.socket, "show info").contains("Name: "))

        // Once the file is right again, it is taken.
        try fixture.rewrite(answer: "two")
        #expect(fixture.reload(expectingOutcomes: 4))
        #expect(fixture.answer() == "two")
        #expect(tunnel.ping("c"))
    }

    /// A tunnel whose server the new file moves elsewhere is on a changed route: it is closed when
    /// `hard-stop-after` expires; a tunnel on an unchanged route in the same process is not.
    @Test func tunnelsOnChangedRoutesEndAtHardStopAfter() throws {
        let other = try TCPBackend(name: "e2", behaviour: .echo, group: testGroup)
        defer { other.stop() }
        let fixture = try Fixture(global: "    hard-stop-after 500ms")
        defer { fixture.stop() }
        let moved = try Tunnel(port: fixture.tcpPort)
        #expect(moved.ping("x"))
        // Same frontend and backend, server e1 now at another address.
        try fixture.rewrite(answer: "one", global: "    hard-stop-after 500ms", echoPort: other.port)
        #expect(fixture.reload(expectingOutcomes: 1))
        #expect(fixture.usher.error.contains("1 connection(s) on changed routes"), "\(fixture.usher.error)")
        let fresh = try Tunnel(port: fixture.tcpPort)
        #expect(fresh.ping("y"))
        #expect(moved.client.isClosedByPeer(within: 5))
        // The new tunnel goes to the server's new address, and outlives the deadline.
        usleep(700_000)
        #expect(fresh.ping("z"))
        #expect(other.connectionCount == 1)
    }

    /// Reloads faster than they finish (a storm), then 200 in a row: the process serves
    /// throughout, and its descriptors and memory come back to where they were.
    @Test func reloadStormAndTwoHundredReloadsLeaveNothingBehind() throws {
        let fixture = try Fixture()
        defer { fixture.stop() }
        let pid = fixture.usher.pid
        let tunnel = try Tunnel(port: fixture.tcpPort)
        #expect(tunnel.ping("start"))
        for _ in 0..<20 { fixture.usher.signal(SIGUSR2) }
        #expect(CommandLineTests.waitUntil(timeout: 15) { fixture.outcomes >= 1 })
        usleep(300_000)
        #expect(fixture.usher.isRunning)
        #expect(fixture.answer() == "one")

        // Warm up, then measure over 200 reloads alternating two files.
        func reloadOnce(_ answer: String) throws {
            try fixture.rewrite(answer: answer)
            let before = fixture.outcomes
            #expect(fixture.reload(expectingOutcomes: before + 1))
        }
        for index in 0..<20 { try reloadOnce(index % 2 == 0 ? "two" : "one") }
        let baseFDs = Self.descriptorCount(pid)
        let baseRSS = MemoryBoundTests.residentBytes(pid: pid) ?? 0
        for index in 0..<200 { try reloadOnce(index % 2 == 0 ? "two" : "one") }
        #expect(fixture.answer() == "one")
        #expect(tunnel.ping("end"))
        let fds = Self.descriptorCount(pid)
        let rss = MemoryBoundTests.residentBytes(pid: pid) ?? 0
        #expect(!fixture.usher.error.contains("reload refused"), "\(fixture.usher.error.suffix(2000))")
        #expect(fds <= baseFDs + 2, "descriptors \(baseFDs) → \(fds)")
        // A reload allocates a new configuration; 200 of them leaking would be tens of MiB.
        #expect(SanitizedRun.residentGrowthIsWithin(rss - baseRSS, 8 << 20), "RSS \(baseRSS >> 10) KiB → \(rss >> 10) KiB")
        print("200 reloads: fds \(baseFDs) → \(fds), RSS \(baseRSS >> 10) KiB → \(rss >> 10) KiB")
    }

    /// Operator changes and table entries carry over by name: a server put in maintenance stays
    /// there, a stick table keeps its entries (declared the same way), counters keep counting.
    @Test func runtimeStateCarriesOver() throws {
        let fixture = try Fixture(extraFrontends: """
            backend limits
                stick-table type ip size 1k expire 1m store http_req_cnt
            frontend counted
                mode http
                bind 127.0.0.1:0
                http-request track-sc0 src table limits
            """)
        defer { fixture.stop() }
        _ = try RuntimeAPIClient.ask(fixture.socket, "set table limits key 10.1.2.3 data.http_req_cnt 42")
        _ = try RuntimeAPIClient.ask(fixture.socket, "disable server echo/e1")
        #expect(fixture.answer() == "one")
        let requestsBefore = try Self.frontendRequests(fixture.socket, "web")
        // The table's line moves (an extra comment line above it): still the same declaration.
        try fixture.rewrite(answer: "two", extraFrontends: """
            # a comment that moves the lines below
            backend limits
                stick-table type ip size 1k expire 1m store http_req_cnt
            frontend counted
                mode http
                bind 127.0.0.1:0
                http-request track-sc0 src table limits
            """)
        #expect(fixture.reload(expectingOutcomes: 1))
        let table = try RuntimeAPIClient.ask(fixture.socket, "show table limits")
        #expect(table.contains("key=10.1.2.3") && table.contains("http_req_cnt=42"), "\(table)")
        let servers = try RuntimeAPIClient.ask(fixture.socket, "show servers state echo")
        // srv_admin_state 1: maintenance forced by an operator.
        #expect(servers.split(separator: "\n").contains { $0.contains(" e1 ") && $0.split(separator: " ").count > 6 && $0.split(separator: " ")[6] == "1" }, "\(servers)")
        #expect(fixture.answer() == "two")
        #expect(try Self.frontendRequests(fixture.socket, "web") >= requestsBefore + 1)
    }

    /// `-W`: the master asks its worker to reload in place (the same worker process serves on).
    @Test func masterReloadsItsWorkerInPlace() throws {
        let directory = try ScratchDirectory()
        let port = freePort()
        let socket = directory.path + "/admin.sock"
        func write(_ answer: String) throws -> String {
            try directory.write("usher.cfg", MasterWorkerTests.configuration(port: port, answer: answer, extra: "    stats socket \(socket) level admin"))
        }
        let file = try write("one")
        let pidfile = directory.path + "/usher.pid"
        let usher = try UsherProcess(["-W", "-f", file, "-p", pidfile])
        defer { usher.stop() }
        let master = try #require(MasterWorkerTests.pid(in: pidfile))
        #expect(ClientSocket.waitUntilAccepting(port, timeout: 10, alive: { usher.isRunning }))
        let worker = MasterWorkerTests.children(of: master)
        #expect(worker.count == 1)
        _ = try write("two")
        kill(master, SIGUSR2)
        #expect(CommandLineTests.waitUntil(timeout: 10) { (try? httpGet(port: port))?.hasSuffix("two") == true })
        #expect(MasterWorkerTests.children(of: master) == worker, "in place: the same worker")
        RuntimeAPIClient.waitForSocket(socket)
        #expect(try RuntimeAPIClient.ask(socket, "show info").contains("Pid: \(worker.first ?? 0)"))
    }

    /// `-W` with `USHER_RELOAD=process` (as for an upgraded binary): each reload starts a new worker.
    /// Its `stats socket` answers after the old worker has left (the old one used to remove the
    /// new one's socket file), and `mworker-max-reloads 1` stops an old worker that outlives two
    /// reloads while it still holds a tunnel.
    @Test func reloadsByNewWorkerProcesses() throws {
        let directory = try ScratchDirectory()
        let echo = try TCPBackend(name: "e1", behaviour: .echo, group: testGroup)
        defer { echo.stop() }
        let port = freePort()
        let socket = directory.path + "/admin.sock"
        func write(_ generation: Int) throws -> String {
            try directory.write("usher.cfg", """
                global
                    stats socket \(socket) level admin
                    mworker-max-reloads 1
                    # configuration \(generation)
                defaults
                    mode tcp
                    timeout connect 2s
                    timeout client 30s
                    timeout server 30s
                frontend tunnels
                    bind 127.0.0.1:\(port)
                    default_backend echo
                backend echo
                    server e1 127.0.0.1:\(echo.port)

                """)
        }
        let file = try write(1)
        let pidfile = directory.path + "/usher.pid"
        let usher = try UsherProcess(["-W", "-f", file, "-p", pidfile], environment: ["USHER_RELOAD": "process"])
        defer { usher.stop() }
        let master = try #require(MasterWorkerTests.pid(in: pidfile))
        #expect(ClientSocket.waitUntilAccepting(port, timeout: 10, alive: { usher.isRunning }))
        RuntimeAPIClient.waitForSocket(socket)
        let first = MasterWorkerTests.children(of: master)
        #expect(first.count == 1)
        let tunnelOne = try Tunnel(port: port)
        #expect(tunnelOne.ping("one"))

        func reload(_ generation: Int, from previous: [pid_t]) throws -> pid_t? {
            _ = try write(generation)
            kill(master, SIGUSR2)
            var newest: pid_t?
            _ = CommandLineTests.waitUntil(timeout: 15) {
                newest = MasterWorkerTests.children(of: master).first { !previous.contains($0) }
                return newest != nil && usher.error.contains("took over from")
            }
            return newest
        }
        let second = try #require(try reload(2, from: first))
        #expect(CommandLineTests.waitUntil(timeout: 10) { (try? RuntimeAPIClient.ask(socket, "show info"))?.contains("Pid: \(second)") == true },
            "the new worker's stats socket answers")
        let tunnelTwo = try Tunnel(port: port)
        #expect(tunnelTwo.ping("two"))
        #expect(tunnelOne.ping("one still"), "the first worker finishes its tunnel")

        let third = try #require(try reload(3, from: first + [second]))
        // The first worker has outlived two reloads: stopped. The second (one reload) goes on.
        #expect(CommandLineTests.waitUntil(timeout: 10) { !MasterWorkerTests.children(of: master).contains(first[0]) })
        #expect(tunnelOne.client.isClosedByPeer(within: 5))
        #expect(tunnelTwo.ping("two still"))
        #expect(MasterWorkerTests.children(of: master).contains(second))
        #expect(usher.error.contains("outlived 2 reloads ('mworker-max-reloads')"), "\(usher.error)")
        #expect(CommandLineTests.waitUntil(timeout: 10) { (try? RuntimeAPIClient.ask(socket, "show info"))?.contains("Pid: \(third)") == true })
    }

    static func descriptorCount(_ pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// The `req_tot` of a frontend in `show stat`.
    static func frontendRequests(_ socket: String, _ frontend: String) throws -> Int {
        let table = statTable(try RuntimeAPIClient.ask(socket, "show stat"))
        return Int(table["\(frontend)/FRONTEND"]?["req_tot"] ?? "") ?? -1
    }
}
