import Foundation
import Testing
@testable import UsherProxy

/// The same `server-template` configuration run by HAProxy 2.6 and by usher against one dnsmasq:
/// the stats CSV must show the same servers, statuses, weights and addresses. Under `CI=true` a
/// missing haproxy or dnsmasq fails the suite.
@Suite(.serialized, .enabled(if: Dnsmasq.isRequired && StatsTestSupport.haproxyRequired, "needs dnsmasq and haproxy"))
struct DNSDiscoveryDifferentialTests {
    static func configuration(dnsPort: Int, frontendPort: Int, socket: String) -> String {
        """
        global
            stats socket \(socket) level admin
        resolvers dns
            nameserver local 127.0.0.1:\(dnsPort)
            hold valid 200ms
            timeout retry 200ms
            timeout resolve 200ms
        defaults
            mode tcp
            timeout connect 1s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:\(frontendPort)
            default_backend be
        backend be
            server-template web 3 _app._tcp.svc.test resolvers dns init-addr none
            server plain 127.0.0.1:\(dnsPort) disabled

        """
    }

    /// `name status weight addr` of each server row of `show stat`.
    static func serverRows(_ csv: String) -> [String] {
        let lines = csv.split(separator: "\n")
        guard let header = lines.first?.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false) else { return [] }
        let column = { (name: String) in header.firstIndex { $0 == name }! }
        let (sv, status, weight, addr) = (column("svname"), column("status"), column("weight"), column("addr"))
        return lines.dropFirst().compactMap { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count > addr, fields[0] == "be", fields[sv] != "BACKEND" else { return nil }
            return "\(fields[sv]) \(fields[status]) \(fields[weight]) \(fields[addr])"
        }
    }

    /// The rows' `status weight addr`, sorted. An emptied slot keeps the weight its record gave.
    static func withoutNames(_ rows: [String]) -> [String] {
        rows.map { $0.split(separator: " ", maxSplits: 1).dropFirst().joined() }.sorted()
    }

    static func waitForRows(_ socket: String, count up: Int) -> [String] {
        var rows: [String] = []
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            rows = serverRows((try? RuntimeAPIClient.ask(socket, "show stat")) ?? "")
            if rows.filter({ $0.contains(" no check ") }).count == up { return rows }
            usleep(100_000)
        }
        return rows
    }

    @Test func templatedServersShowAsHAProxyShowsThem() throws {
        let one = try TCPBackend(name: "one", behaviour: .announce, group: testGroup)
        defer { one.stop() }
        let two = try TCPBackend(name: "two", behaviour: .announce, group: testGroup)
        defer { two.stop() }
        // Weights 512 and 10 tell apart the ways of mapping an SRV weight (0-65535) to a server's (0-256).
        let dns = try Dnsmasq(hosts: ["127.0.0.1 one.test", "127.0.0.1 two.test"], services: [
            "_app._tcp.svc.test,one.test,\(one.port),0,512", "_app._tcp.svc.test,two.test,\(two.port),0,10",
        ])
        defer { dns.stop() }
        let scratch = try ScratchDirectory()

        let haproxySocket = scratch.path + "/haproxy.sock"
        let haproxyConfig = try scratch.write("haproxy.cfg", Self.configuration(dnsPort: dns.port, frontendPort: freePort(), socket: haproxySocket))
        let haproxy = try ExternalProcess.start(["haproxy", "-db", "-f", haproxyConfig], logFile: scratch.path + "/haproxy.log")
        defer { killAndReap(haproxy.processIdentifier) }
        RuntimeAPIClient.waitForSocket(haproxySocket)
        let expectedRows = Self.waitForRows(haproxySocket, count: 2)

        let usherSocket = scratch.path + "/usher.sock"
        let usher = try UsherUnderTest(Self.configuration(dnsPort: dns.port, frontendPort: 0, socket: usherSocket))
        defer { usher.stop() }
        let usherRows = Self.waitForRows(usherSocket, count: 2)

        let haproxyLog = (try? String(contentsOfFile: scratch.path + "/haproxy.log", encoding: .utf8)) ?? ""
        #expect(expectedRows.count == 4, "haproxy: \(expectedRows); its log: \(haproxyLog)")
        // Which slot takes which record follows the order of the answer, which dnsmasq varies: the
        // rows are compared without their names, and the names apart.
        #expect(Self.withoutNames(usherRows) == Self.withoutNames(expectedRows))
        #expect(usherRows.map { $0.split(separator: " ")[0] } == expectedRows.map { $0.split(separator: " ")[0] })
        #expect(expectedRows.contains { $0.hasPrefix("web3 MAINT (resolution) 1") })

        // One record goes: both show its server in maintenance again.
        try dns.restart(services: ["_app._tcp.svc.test,two.test,\(two.port),0,10"])
        let haproxyAfter = Self.waitForRows(haproxySocket, count: 1)
        let usherAfter = Self.waitForRows(usherSocket, count: 1)
        #expect(Self.withoutNames(usherAfter) == Self.withoutNames(haproxyAfter), "usher \(usherAfter), haproxy \(haproxyAfter)")
    }
}
