import Foundation
import NIOCore
import Testing
@testable import UsherProxy

/// DNS service discovery against a real name server (dnsmasq on 127.0.0.1): servers follow their
/// A records and `server-template` slots fill and empty with SRV records, without a reload. Under
/// `CI=true` a missing dnsmasq fails the suite instead of skipping it.
@Suite(.serialized, .enabled(if: Dnsmasq.isRequired, "needs dnsmasq (Debian's dnsmasq-base)"))
struct DNSDiscoveryTests {
    static func resolvers(_ dns: Dnsmasq, _ extra: String = "") -> String {
        """
        resolvers dns
            nameserver local 127.0.0.1:\(dns.port)
            hold valid 200ms
            timeout retry 200ms
            timeout resolve 200ms
        \(extra)
        defaults
            mode tcp
            timeout connect 1s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:0
            default_backend be
        """
    }

    /// The name of the backend that answers a new connection, or nil when none does.
    static func answer(_ usher: UsherUnderTest) -> String? {
        guard let client = try? RawClient(port: usher.port("fe"), timeout: 2) else { return nil }
        guard (try? client.send("hello")) != nil, let line = try? client.receiveLine(), !line.isEmpty else { return nil }
        client.shutdownWrite()
        return line
    }

    static func waitFor(_ seconds: Double = 8, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    static func servers(_ usher: UsherUnderTest) -> [ServerRuntime] {
        usher.server.runtime.backends.first { $0.name == "be" }!.servers
    }

    /// `name:status` for each server, as the stats show it.
    static func statuses(_ usher: UsherUnderTest) -> [String] {
        let collector = StatsCollector(runtime: usher.server.runtime)
        return servers(usher).map { server in
            "\(server.name):\(collector.serverStatus(server, report: server.checkReport.withLockedValue { $0 }))"
        }
    }

    @Test func aServerFollowsItsARecordUnderTraffic() throws {
        // Two real backends on the same port, on two loopback addresses.
        let port = freePort()
        let alpha = try TCPBackend(name: "alpha", behaviour: .announce, group: testGroup, port: port, host: "127.0.0.1")
        defer { alpha.stop() }
        let beta = try TCPBackend(name: "beta", behaviour: .announce, group: testGroup, port: port, host: "127.0.0.2")
        defer { beta.stop() }
        let dns = try Dnsmasq(hosts: ["127.0.0.1 web.test"])
        defer { dns.stop() }
        let usher = try UsherUnderTest(Self.resolvers(dns) + """

            backend be
                server web web.test:\(port) resolvers dns init-addr none resolve-prefer ipv4
            """)
        defer { usher.stop() }
        #expect(Self.waitFor { Self.answer(usher) == "alpha" }, "never reached alpha; dnsmasq: \(dns.log)")

        // Traffic goes on while the record changes: every connection reaches one of the two, and
        // once usher has read the new record, new connections reach beta. No reload.
        try dns.setHosts(["127.0.0.2 web.test"])
        var seen: [String?] = []
        let switched = Self.waitFor {
            let answer = Self.answer(usher)
            seen.append(answer)
            return answer == "beta"
        }
        #expect(switched, "answers: \(seen)")
        #expect(seen.allSatisfy { $0 == "alpha" || $0 == "beta" }, "a connection failed during the change: \(seen)")
        for _ in 0..<5 { #expect(Self.answer(usher) == "beta") }
        #expect(Self.servers(usher)[0].address.ipAddress == "127.0.0.2")
    }

    @Test func serverTemplateSlotsFillAndEmptyWithSRVRecords() throws {
        let one = try TCPBackend(name: "one", behaviour: .announce, group: testGroup)
        defer { one.stop() }
        let two = try TCPBackend(name: "two", behaviour: .announce, group: testGroup)
        defer { two.stop() }
        let hosts = ["127.0.0.1 one.test", "127.0.0.1 two.test"]
        let dns = try Dnsmasq(hosts: hosts, services: [
            "_app._tcp.svc.test,one.test,\(one.port),0,10", "_app._tcp.svc.test,two.test,\(two.port),0,10",
        ])
        defer { dns.stop() }
        let usher = try UsherUnderTest(Self.resolvers(dns, "    hold refused 1s\n    hold nx 1s\n    hold other 1s") + """

            backend be
                balance roundrobin
                server-template web 3 _app._tcp.svc.test resolvers dns init-addr none
            """)
        defer { usher.stop() }
        // At start nothing is known: every slot is in maintenance, as HAProxy shows it.
        #expect(Self.servers(usher).map(\.name) == ["web1", "web2", "web3"])
        #expect(Self.waitFor { Self.servers(usher).filter(\.isUp).count == 2 }, "\(Self.statuses(usher)); dnsmasq: \(dns.log)")
        #expect(Self.statuses(usher) == ["web1:no check", "web2:no check", "web3:MAINT (resolution)"])
        var answers: Set<String> = []
        for _ in 0..<6 { if let answer = Self.answer(usher) { answers.insert(answer) } }
        #expect(answers == ["one", "two"])
        let ports = Set(Self.servers(usher).prefix(2).map { $0.address.port })
        #expect(ports == [one.port, two.port])

        // one.test's record goes: its slot goes to maintenance, the other keeps its record.
        try dns.restart(services: ["_app._tcp.svc.test,two.test,\(two.port),0,10"])
        #expect(Self.waitFor { Self.servers(usher).filter(\.isUp).count == 1 }, "\(Self.statuses(usher))")
        let remaining = Self.servers(usher).first(where: \.isUp)
        #expect(remaining?.address.port == two.port)
        for _ in 0..<4 { #expect(Self.answer(usher) == "two") }

        // Every record goes (dnsmasq then refuses the name): after `hold refused`, no server is left.
        try dns.restart(services: [])
        #expect(Self.waitFor { Self.servers(usher).allSatisfy(\.inResolutionMaintenance) }, "\(Self.statuses(usher))")
        #expect(Self.answer(usher) == nil)

        // And they come back.
        try dns.restart(services: ["_app._tcp.svc.test,one.test,\(one.port),0,10"])
        #expect(Self.waitFor { Self.answer(usher) == "one" }, "\(Self.statuses(usher))")
    }

    @Test func aSilentNameServerKeepsTheLastAddressesForTheHoldPeriodThenTheServersGoToMaintenance() throws {
        let alpha = try TCPBackend(name: "alpha", behaviour: .announce, group: testGroup)
        defer { alpha.stop() }
        let dns = try Dnsmasq(hosts: ["127.0.0.1 web.test"])
        defer { dns.stop() }
        let usher = try UsherUnderTest(Self.resolvers(dns, "    hold timeout 3s\n    resolve_retries 2") + """

            backend be
                server web web.test:\(alpha.port) resolvers dns init-addr none resolve-prefer ipv4
            """)
        defer { usher.stop() }
        #expect(Self.waitFor { Self.answer(usher) == "alpha" }, "dnsmasq: \(dns.log)")

        dns.freeze()
        let frozenAt = Date()
        // For `hold timeout` after the last valid answer the server keeps its address and serves.
        while Date().timeIntervalSince(frozenAt) < 2 {
            #expect(Self.answer(usher) == "alpha")
            usleep(200_000)
        }
        // Then, as HAProxy does, it goes to maintenance ("DNS timeout status") and takes no traffic.
        #expect(Self.waitFor(5) { Self.servers(usher)[0].inResolutionMaintenance }, "\(Self.statuses(usher))")
        let lostAfter = Date().timeIntervalSince(frozenAt)
        #expect(lostAfter >= 2.5, "lost its address after \(lostAfter)s")
        #expect(Self.statuses(usher) == ["web:MAINT (resolution)"])
        #expect(Self.answer(usher) == nil)

        // The name server answers again: the server is back without a reload.
        dns.thaw()
        #expect(Self.waitFor { Self.answer(usher) == "alpha" }, "\(Self.statuses(usher))")
    }
}
