import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every runtime API command over a real socket, with HAProxy 2.6's answers (captured from
/// HAProxy 2.6.12: the texts below are its bytes).
@Suite(.serialized)
struct RuntimeAPICommandTests {
    @Test func helpIsTheSameAtEveryLevelAndUnknownCommandsGetSuggestions() throws {
        let fixture = try RuntimeAPIFixture()
        defer { fixture.stop() }
        let admin = try fixture.ask("help")
        #expect(admin.hasPrefix("The following commands are valid at this level:\n"))
        #expect(admin.hasSuffix("  quit                                    : disconnect\n\n"))
        #expect(try RuntimeAPIClient.ask(fixture.user, "help") == admin)
        #expect(try RuntimeAPIClient.ask(port: fixture.apiPort, "help") == admin)
        let unknown = try fixture.ask("foo")
        #expect(unknown.hasPrefix("Unknown command, but maybe one of the following ones is a better match:\n"))
        #expect(unknown.hasSuffix("  prompt                                  : toggle interactive mode with prompt\n  quit                                    : disconnect\n\n"))
        #expect(try fixture.ask("").hasPrefix("Unknown command. Please enter one of the following commands only:\n"))
    }

    @Test func promptQuitAndSemicolons() throws {
        let fixture = try RuntimeAPIFixture()
        defer { fixture.stop() }
        let client = try RuntimeAPIClient(path: fixture.admin)
        try client.send("prompt\n")
        #expect(try client.receive(until: "> ") == "\n> ")
        try client.send("show backend\n")
        #expect(try client.receive(until: "> ") == "# name\nbe_app\nbe_tcp\n\n> ")
        try client.send("show cli level;operator;show cli level\n")
        #expect(try client.receive(until: "operator\n\n> ") == "admin\n\n> \n> operator\n\n> ")
        try client.send("quit\n")
        #expect(try client.receiveAll() == "")
        #expect(try fixture.ask("show backend;show backend") == "# name\nbe_app\nbe_tcp\n\n# name\nbe_app\nbe_tcp\n\n")
        #expect(try fixture.ask("quit") == "")
    }

    @Test func showInfoHasHAProxysFields() throws {
        let fixture = try RuntimeAPIFixture()
        defer { fixture.stop() }
        _ = try httpGet(port: fixture.httpPort)
        let info = try fixture.ask("show info")
        #expect(info.hasSuffix("\n\n"))
        let fields = Dictionary(info.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let colon = line.range(of: ": ") else { return nil }
            return (String(line[..<colon.lowerBound]), String(line[colon.upperBound...]))
        }, uniquingKeysWith: { first, _ in first })
        #expect(fields["Name"] == "usher")
        #expect(fields["Pid"] == "\(getpid())")
        #expect(Int(fields["CumConns"] ?? "") ?? 0 >= 1)
        #expect(Int(fields["CumReq"] ?? "") ?? 0 >= 1)
        #expect(fields["Uptime"]?.hasPrefix("0d 0h00m") == true)
        let typed = try fixture.ask("show info typed")
        #expect(typed.hasPrefix("0.Name.1:POS:str:usher\n1.Version.1:POS:str:"))
        #expect(typed.contains("\n47.Tasks.1:MGP:u32:"))
        let json = try fixture.ask("show info json")
        #expect(json.hasPrefix("[{\"field\":{\"pos\":0,\"name\":\"Name\"},\"processNum\":1,\"tags\":{\"origin\":\"Product\",\"nature\":\"Output\",\"scope\":\"Service\"},\"value\":{\"type\":\"str\",\"value\":\"usher\"}}"))
        #expect(json.hasSuffix("]\n\n"))
    }

    @Test func showStatWithFiltersAndFormats() throws {
        let fixture = try RuntimeAPIFixture()
        defer { fixture.stop() }
        for _ in 0..<4 { _ = try httpGet(port: fixture.httpPort) }
        let csv = try fixture.ask("show stat")
        #expect(csv.hasPrefix("# pxname,svname,qcur,qmax,scur,smax,slim,stot,"))
        #expect(csv.hasSuffix(",\n\n"))
        let table = statTable(csv)
        #expect(table["fe_main/FRONTEND"]?["stot"] == "4")
        #expect(table["fe_main/FRONTEND"]?["hrsp_2xx"] == "4")
        #expect(table["be_app/s1"]?["stot"] == "2")
        #expect(table["be_app/s2"]?["stot"] == "2")
        #expect(table["be_app/BACKEND"]?["status"] == "UP")
        let backendOnly = try fixture.ask("show stat be_app 2 -1")
        #expect(Array(statTable(backendOnly).keys) == ["be_app/BACKEND"])
        let byID = statTable(try fixture.ask("show stat 3 -1 -1"))
        #expect(Set(byID.keys) == ["be_app/s1", "be_app/s2", "be_app/BACKEND"])
        let serversWithID2 = statTable(try fixture.ask("show stat -1 4 2"))
        #expect(Set(serversWithID2.keys) == ["be_app/s2"])
        #expect(try fixture.ask("show stat nosuch 1 -1") == "No such proxy.\n\n")
        #expect(try fixture.ask("show stat typed -1 8 -1") == "No such proxy.\n\n")
        let typed = try fixture.ask("show stat typed")
        #expect(typed.hasPrefix("F.2.0.0.pxname.1:KNS:str:fe_main\nF.2.0.1.svname.1:KNS:str:FRONTEND\n"))
        #expect(!typed.dropLast(2).contains("\n\n"))
        #expect(typed.hasSuffix("\n\n"))
        let json = try fixture.ask("show stat json")
        #expect(json.hasPrefix("[[{\"objType\":\"Frontend\",\"proxyId\":2,\"id\":0,\"field\":{\"pos\":0,\"name\":\"pxname\"}"))
        #expect(json.hasSuffix("]]\n\n"))
        _ = try fixture.ask("disable server be_app/s2")
        #expect(statTable(try fixture.ask("show stat no-maint"))["be_app/s2"] == nil)
        #expect(statTable(try fixture.ask("show stat -1 -1 -1 up"))["be_app/s2"] == nil)
    }

    @Test func showServersStateAndShowBackend() throws {
        let fixture = try RuntimeAPIFixture()
        defer { fixture.stop() }
        let state = try fixture.ask("show servers state")
        let lines = state.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "1")
        #expect(lines[1] == "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port")
        let s1 = lines[2].split(separator: " ").map(String.init)
        #expect(s1.count == 25)
        #expect(Array(s1[0...8]) == ["3", "be_app", "1", "s1", "127.0.0.1", "2", "0", "1", "1"])
        #expect(s1[18] == "\(fixture.s1.port)")
        #expect(lines[4].hasPrefix("5 be_tcp 1 t1 127.0.0.1 2 0 1 1 "))
        #expect(state.hasSuffix("\n\n"))
        let one = try fixture.ask("show servers state be_tcp")
        #expect(one.split(separator: "\n").count == 3)
        #expect(try fixture.ask("show servers state nosuch") == "Can't find backend.\n\n")
        _ = try fixture.ask("set server be_app/s1 state drain")
        #expect(try fixture.ask("show servers state be_app").contains("\n3 be_app 1 s1 127.0.0.1 2 8 1 1 "))
        _ = try fixture.ask("set server be_app/s1 state maint")
        #expect(try fixture.ask("show servers state be_app").contains("\n3 be_app 1 s1 127.0.0.1 0 1 1 1 "))
        #expect(try fixture.ask("show backend") == "# name\nbe_app\nbe_tcp\n\n")
    }

    @Test func showSessAndShutdownSession() throws {
        let fixture = try RuntimeAPIFixture()
        defer { fixture.stop() }
        // A TCP session that stays open: the origin waits for a request that never completes.
        let client = try RawClient(port: fixture.tcpPort)
        try client.send("GET / HTTP/1.1\r\n")
        var line: Substring?
        for _ in 0..<50 {
            line = try fixture.ask("show sess").split(separator: "\n").first { $0.contains("fe=fe_tcp") }
            if line?.contains("srv=t1") == true { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let session = try #require(line)
        #expect(session.contains(": proto=tcpv4 src=127.0.0.1:"))
        #expect(session.contains(" fe=fe_tcp be=be_tcp srv=t1 ts=00 epoch=0 age="))
        #expect(session.contains(" rq[f="))
        #expect(try fixture.ask("show sess").contains("proto=unix_stream src=unix:1 fe=GLOBAL be=<NONE> srv=<none>"))
        let id = String(session.prefix { $0 != ":" })
        #expect(try fixture.ask("show sess \(id)").hasPrefix(id + ": proto=tcpv4"))
        #expect(try fixture.ask("show sess 0xdeadbeef") == "Session not found.\n\n")
        #expect(try fixture.ask("shutdown session 0xdeadbeef") == "No such session (use 'show sess').\n\n")
        #expect(try fixture.ask("shutdown session") == "Session pointer expected (use 'show sess').\n\n")
        #expect(try fixture.ask("shutdown session zzz") == "Session pointer expected (use 'show sess').\n\n")
        #expect(try fixture.ask("shutdown session \(id)") == "\n")
        #expect(client.isClosedByPeer(within: 3))
        // The registry lets go of the session once its channel has closed, which may come just
        // after the client sees the end.
        var listed = true
        for _ in 0..<100 where listed {
            listed = try fixture.ask("show sess").contains(id + ":")
            if listed { Thread.sleep(forTimeInterval: 0.02) }
        }
        #expect(!listed)
    }

    @Test func shutdownSessionsServer() throws {
        let fixture = try RuntimeAPIFixture()
        defer { fixture.stop() }
        let clients = try (0..<3).map { _ in try RawClient(port: fixture.tcpPort) }
        for client in clients { try client.send("GET / HTTP/1.1\r\n") }
        for _ in 0..<50 where try fixture.ask("show sess").components(separatedBy: "srv=t1").count < 4 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(try fixture.ask("shutdown sessions server be_tcp/t1") == "\n")
        for client in clients { #expect(client.isClosedByPeer(within: 3)) }
        #expect(try fixture.ask("shutdown sessions server be_tcp/nosuch") == "No such server.\n\n")
        #expect(try fixture.ask("shutdown sessions server nosuch/t1") == "No such backend.\n\n")
        #expect(try fixture.ask("shutdown sessions server") == "Require 'backend/server'.\n\n")
        #expect(try fixture.ask("shutdown sessions").hasPrefix("Unknown command, but maybe one of the following ones is a better match:\n  shutdown sessions server <bk>/<srv>     : kill sessions on a server\n"))
    }

    @Test func showEnv() throws {
        let fixture = try RuntimeAPIFixture()
        defer { fixture.stop() }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
        #expect(try fixture.ask("show env HOME") == "HOME=\(home)\n\n")
        #expect(try fixture.ask("show env USHER_NO_SUCH_VARIABLE") == "Variable not found\n\n")
        #expect(try fixture.ask("show env").contains("\nHOME=\(home)\n") || fixture.ask("show env").hasPrefix("HOME="))
    }

    @Test func disableAndEnableServer() throws {
        let fixture = try RuntimeAPIFixture()
        defer { fixture.stop() }
        #expect(try fixture.ask("disable server be_app/s1") == "\n")
        #expect(try fixture.stat("be_app/s1")["status"] == "MAINT")
        for _ in 0..<4 { #expect(origin(of: try httpGet(port: fixture.httpPort)) == "s2") }
        #expect(try fixture.ask("enable server be_app/s1") == "\n")
        #expect(try fixture.stat("be_app/s1")["status"] == "no check")
        #expect(try fixture.ask("disable server be_app/nosuch") == "No such server.\n\n")
        #expect(try fixture.ask("disable server nosuch/s1") == "No such backend.\n\n")
        #expect(try fixture.ask("disable server be_app") == "Require 'backend/server'.\n\n")
        #expect(try fixture.ask("enable server") == "Require 'backend/server'.\n\n")
    }

    @Test func enablingAServerDisabledInTheConfigurationStartsItsChecks() throws {
        let fixture = try RuntimeAPIFixture(extra: """
            backend be_checked
                server c1 127.0.0.1:\(freePort()) check inter 100ms disabled
            """)
        defer { fixture.stop() }
        #expect(try fixture.stat("be_checked/c1")["status"] == "MAINT")
        #expect(try fixture.ask("enable server be_checked/c1") == "\n")
        // Nothing listens there: its checks run and take it down.
        var status = ""
        for _ in 0..<50 {
            status = try fixture.stat("be_checked/c1")["status"] ?? ""
            if status == "DOWN" { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(status == "DOWN")
        #expect(try fixture.stat("be_checked/c1")["check_status"] == "L4CON")
    }

    @Test func setServerState() throws {
        let fixture = try RuntimeAPIFixture()
        defer { fixture.stop() }
        #expect(try fixture.ask("set server be_app/s1 state drain") == "\n")
        #expect(try fixture.stat("be_app/s1")["status"] == "DRAIN")
        for _ in 0..<4 { #expect(origin(of: try httpGet(port: fixture.httpPort)) == "s2") }
        #expect(try fixture.ask("set server be_app/s1 state maint") == "\n")
        #expect(try fixture.stat("be_app/s1")["status"] == "MAINT")
        #expect(try fixture.ask("set server be_app/s1 state ready") == "\n")
        #expect(try fixture.stat("be_app/s1")["status"] == "no check")
        #expect(try fixture.ask("set server be_app/s1 state bogus") == "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n")
        let usage = "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n\n"
        #expect(try fixture.ask("set server be_app/s1") == usage)
        #expect(try fixture.ask("set server be_app/s1 foo") == usage)
        #expect(try fixture.ask("set server be_app/nosuch state ready") == "No such server.\n\n")
        #expect(try fixture.ask("set server nosuch/s1 state ready") == "No such backend.\n\n")
        #expect(try fixture.ask("set server be_app state ready") == "Require 'backend/server'.\n\n")
    }

    @Test func weights() throws {
        let fixture = try RuntimeAPIFixture()
        defer { fixture.stop() }
        #expect(try fixture.ask("get weight be_app/s1") == "1 (initial 1)\n\n")
        #expect(try fixture.ask("set server be_app/s1 weight 50") == "\n")
        #expect(try fixture.ask("get weight be_app/s1") == "50 (initial 1)\n\n")
        #expect(try fixture.stat("be_app/s1")["weight"] == "50")
        #expect(try fixture.ask("set server be_app/s1 weight 50%") == "\n")
        #expect(try fixture.ask("get weight be_app/s1") == "0 (initial 1)\n\n")
        #expect(try fixture.ask("set server be_app/s1 weight 200%") == "\n")
        #expect(try fixture.ask("get weight be_app/s1") == "2 (initial 1)\n\n")
        for bad in ["300", "257", "-1"] {
            #expect(try fixture.ask("set server be_app/s1 weight \(bad)") == "Absolute weight can only be between 0 and 256 inclusive.\n\n")
        }
        #expect(try fixture.ask("set server be_app/s1 weight 256") == "\n")
        #expect(try fixture.ask("set server be_app/s1 weight abc") == "Empty weight string empty or preceded by garbage\n")
        #expect(try fixture.ask("set server be_app/s1 weight") == "Require <weight> or <weight%>.\n\n")
        #expect(try fixture.ask("set weight be_app/s1 10") == "\n")
        #expect(try fixture.ask("get weight be_app/s1") == "10 (initial 1)\n\n")
        #expect(try fixture.ask("set server be_app/s1 weight 0") == "\n")
        for _ in 0..<3 { #expect(origin(of: try httpGet(port: fixture.httpPort)) == "s2") }
        #expect(try fixture.ask("get weight be_app/nosuch") == "No such server.\n\n")
        #expect(try fixture.ask("get weight nosuch/s1") == "No such backend.\n\n")
        #expect(try fixture.ask("get weight be_app") == "Require 'backend/server'.\n\n")
        #expect(try fixture.ask("get weight") == "Require 'backend/server'.\n\n")
    }

    @Test func setServerAddrMovesNewConnections() throws {
        let fixture = try RuntimeAPIFixture()
        defer { fixture.stop() }
        let moved = try RecordingOrigin(name: "moved")
        defer { moved.stop() }
        _ = try fixture.ask("disable server be_app/s2")
        #expect(origin(of: try httpGet(port: fixture.httpPort)) == "s1")
        #expect(try fixture.ask("set server be_app/s1 addr 127.0.0.1 port \(moved.port)")
            == "no need to change the addr, port changed from '\(fixture.s1.port)' to '\(moved.port)' by 'stats socket command'\n\n")
        for _ in 0..<3 { #expect(origin(of: try httpGet(port: fixture.httpPort)) == "moved") }
        #expect(try fixture.stat("be_app/s1")["addr"] == "127.0.0.1:\(moved.port)")
        #expect(try fixture.ask("show servers state be_app").contains(" s1 127.0.0.1 2 0 1 1 "))
        #expect(try fixture.ask("set server be_app/s1 addr 127.0.0.2 port 9999")
            == "IP changed from '127.0.0.1' to '127.0.0.2', port changed from '\(moved.port)' to '9999' by 'stats socket command'\n\n")
        #expect(try fixture.ask("set server be_app/s1 addr 127.0.0.2") == "no need to change the addr by 'stats socket command'\n\n")
        #expect(try fixture.ask("set server be_app/s1 addr 127.0.0.2 port 9999") == "no need to change the addr, no need to change the port by 'stats socket command'\n\n")
        #expect(try fixture.ask("set server be_app/s1 addr 127.0.0.2 port abc") == "no need to change the addr, problem converting port 'abc' to an int by 'stats socket command'\n\n")
        #expect(try fixture.ask("set server be_app/s1 addr 127.0.0.2 port") == "no need to change the addr, problem converting port '' to an int by 'stats socket command'\n\n")
        #expect(try fixture.ask("set server be_app/s1 addr") == "set server <b>/<s> addr requires an address and optionally a port.\n\n")
        #expect(try fixture.ask("set server be_app/s1 addr notanip") == "Invalid addr 'notanip' by 'stats socket command'\n\n")
    }

    @Test func healthChecksFollowANewAddress() throws {
        let fixture = try RuntimeAPIFixture(serverOptions: "check inter 100ms rise 1 fall 1")
        defer { fixture.stop() }
        func status() throws -> String { try fixture.stat("be_app/s1")["status"] ?? "" }
        func waitFor(_ wanted: String) throws -> String {
            var seen = ""
            for _ in 0..<40 {
                seen = try status()
                if seen == wanted { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return seen
        }
        #expect(try waitFor("UP") == "UP")
        let dead = freePort()
        _ = try fixture.ask("set server be_app/s1 addr 127.0.0.1 port \(dead)")
        #expect(try waitFor("DOWN") == "DOWN")
        _ = try fixture.ask("set server be_app/s1 addr 127.0.0.1 port \(fixture.s2.port)")
        #expect(try waitFor("UP") == "UP")
    }

    @Test func setMaxconn() throws {
        let fixture = try RuntimeAPIFixture(global: "    maxconn 500")
        defer { fixture.stop() }
        #expect(try fixture.ask("set maxconn frontend fe_main 100") == "\n")
        #expect(try fixture.stat("fe_main/FRONTEND")["slim"] == "100")
        #expect(try fixture.ask("set maxconn server be_app/s1 10") == "\n")
        #expect(try fixture.stat("be_app/s1")["slim"] == "10")
        #expect(try fixture.ask("set maxconn server be_app/s1 0") == "\n")
        #expect(try fixture.stat("be_app/s1")["slim"] == "")
        #expect(try fixture.ask("set maxconn global 200") == "\n")
        #expect(try fixture.ask("show info").contains("\nMaxconn: 200\nHard_maxconn: 500\n"))
        #expect(try fixture.ask("set maxconn global 100000") == "Value out of range.\n\n")
        #expect(try fixture.ask("set maxconn global") == "Expects an integer value.\n\n")
        #expect(try fixture.ask("set maxconn frontend nosuch 100") == "No such frontend.\n\n")
        #expect(try fixture.ask("set maxconn frontend be_app 100") == "No such frontend.\n\n")
        #expect(try fixture.ask("set maxconn frontend fe_main") == "Integer value expected.\n\n")
        #expect(try fixture.ask("set maxconn frontend fe_main -5") == "Value out of range.\n\n")
        #expect(try fixture.ask("set maxconn frontend") == "A frontend name is expected.\n\n")
        #expect(try fixture.ask("set maxconn server be_app/nosuch 10") == "No such server.\n\n")
        #expect(try fixture.ask("set maxconn server nosuch/s1 10") == "No such backend.\n\n")
        #expect(try fixture.ask("set maxconn server be_app/s1") == "Require <maxconn>.\n\n")
        #expect(try fixture.ask("set maxconn server be_app/s1 abc") == "maxconn string empty or preceded by garbage\n")
        #expect(try fixture.ask("set maxconn server") == "Require 'backend/server'.\n\n")
        #expect(try fixture.ask("set maxconn").hasPrefix("Unknown command, but maybe one of the following ones is a better match:\n  set maxconn frontend"))
        // A frontend limited to one connection: a second client waits until the first leaves.
        #expect(try fixture.ask("set maxconn frontend fe_tcp 1") == "\n")
        let first = try RawClient(port: fixture.tcpPort)
        try first.send("x")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try fixture.stat("fe_tcp/FRONTEND")["scur"] == "1")
    }

    @Test func disableAndEnableFrontend() throws {
        let fixture = try RuntimeAPIFixture()
        defer { fixture.stop() }
        #expect(try fixture.ask("disable frontend fe_main") == "\n")
        #expect(try fixture.stat("fe_main/FRONTEND")["status"] == "PAUSED")
        #expect((try? httpGet(port: fixture.httpPort)).map { $0.isEmpty } ?? true)
        #expect(try fixture.ask("disable frontend fe_main") == "All sockets are already disabled.\n\n")
        #expect(try fixture.ask("enable frontend fe_main") == "\n")
        #expect(origin(of: try httpGet(port: fixture.httpPort)) != nil)
        #expect(try fixture.stat("fe_main/FRONTEND")["status"] == "OPEN")
        #expect(try fixture.ask("enable frontend fe_main") == "All sockets are already enabled.\n\n")
        #expect(try fixture.ask("disable frontend nosuch") == "No such frontend.\n\n")
        #expect(try fixture.ask("disable frontend be_app") == "No such frontend.\n\n")
        #expect(try fixture.ask("disable frontend") == "A frontend name is expected.\n\n")
        #expect(try fixture.ask("enable frontend") == "A frontend name is expected.\n\n")
    }

    @Test func clearCounters() throws {
        let fixture = try RuntimeAPIFixture()
        defer { fixture.stop() }
        for _ in 0..<3 { _ = try httpGet(port: fixture.httpPort) }
        // (A closing connection may still count while the next one opens.)
        #expect(Int(try fixture.stat("fe_main/FRONTEND")["smax"] ?? "") ?? 0 >= 1)
        #expect(try fixture.ask("clear counters") == "\n")
        #expect(try fixture.stat("fe_main/FRONTEND")["smax"] == "0")
        #expect(try fixture.stat("fe_main/FRONTEND")["stot"] == "3")
        #expect(try fixture.ask("clear counters bogus") == "\n")
        // `clear counters` is for operators, `all` for admins.
        #expect(try RuntimeAPIClient.ask(port: fixture.apiPort, "clear counters") == "\n")
        #expect(try RuntimeAPIClient.ask(port: fixture.apiPort, "clear counters all") == "Permission denied\n\n")
        #expect(try fixture.ask("clear counters all") == "\n")
        #expect(try fixture.stat("fe_main/FRONTEND")["stot"] == "0")
        #expect(try fixture.stat("be_app/s1")["lastsess"] == "-1")
    }

    /// HAProxy 2.6's table: what user, operator and admin sockets may run.
    @Test func levelsAreEnforced() throws {
        let fixture = try RuntimeAPIFixture()
        defer { fixture.stop() }
        let denied = "Permission denied\n\n"
        let everyone = ["show info", "show stat", "show servers state", "show backend", "get weight be_app/s1", "help", "show cli level", "show version"]
        let operatorAndUp = ["show sess", "show env HOME", "clear counters"]
        let adminOnly = [
            "clear counters all", "set server be_app/nosuch state ready", "disable server be_app/s1", "enable server be_app/s1",
            "set weight be_app/s1 1", "set server be_app/s1 weight 1", "set maxconn frontend fe_main 10", "set maxconn server be_app/s1 1",
            "set maxconn global 10", "disable frontend fe_main", "enable frontend fe_main", "shutdown session 0x1",
            "shutdown sessions server be_app/s1", "set server be_app/s1 addr 127.0.0.1",
        ]
        for command in everyone {
            #expect(try RuntimeAPIClient.ask(fixture.user, command) != denied, "\(command)")
            #expect(try RuntimeAPIClient.ask(port: fixture.apiPort, command) != denied, "\(command)")
        }
        for command in operatorAndUp {
            #expect(try RuntimeAPIClient.ask(fixture.user, command) == denied, "\(command)")
            #expect(try RuntimeAPIClient.ask(port: fixture.apiPort, command) != denied, "\(command)")
        }
        for command in adminOnly {
            #expect(try RuntimeAPIClient.ask(fixture.user, command) == denied, "\(command)")
            #expect(try RuntimeAPIClient.ask(port: fixture.apiPort, command) == denied, "\(command)")
            #expect(try fixture.ask(command) != denied, "\(command)")
        }
        #expect(try RuntimeAPIClient.ask(fixture.user, "show cli level") == "user\n\n")
        #expect(try RuntimeAPIClient.ask(port: fixture.apiPort, "show cli level") == "operator\n\n")
        #expect(try RuntimeAPIClient.ask(port: fixture.apiPort, "user;clear counters") == "\n" + denied)
    }

    @Test func socketFileModeStaleFileAndRemovalOnStop() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/admin.sock"
        // A stale socket file, as a crashed process leaves it.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
        }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(stale)
        #expect(FileManager.default.fileExists(atPath: path))
        let usher = try UsherUnderTest("""
            global
                stats socket \(path) mode 640 level admin
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
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o640)
        #expect(try RuntimeAPIClient.ask(path, "show backend") == "# name\nbe\n\n")
        usher.stop()
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aSocketInAMissingDirectoryIsAnErrorAtStart() throws {
        #expect(throws: Error.self) {
            _ = try UsherUnderTest("""
                global
                    stats socket /nonexistent-dir/sub/admin.sock
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
        do {
            _ = try UsherUnderTest("global\n    stats socket /nonexistent-dir/sub/admin.sock\ndefaults\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nfrontend fe\n    bind 127.0.0.1:0\n")
        } catch {
            #expect("\(error)".contains("Binding [test.cfg:2] for frontend GLOBAL: cannot bind UNIX socket (No such file or directory) [/nonexistent-dir/sub/admin.sock]"), "\(error)")
        }
    }
}
