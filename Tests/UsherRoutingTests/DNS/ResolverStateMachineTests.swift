import Testing
import UsherConfig
@testable import UsherRouting

@Suite("DNS resolution state machine")
struct ResolverStateMachineTests {
    typealias B = DNSResponseBuilder
    typealias Machine = ResolverStateMachine

    static func settings(_ edit: (inout Resolvers) -> Void = { _ in }) -> Resolvers {
        var resolvers = Resolvers(name: "dns", location: SourceLocation(file: "t.cfg", line: 1))
        resolvers.nameservers = [Nameserver(name: "ns", host: "127.0.0.1", port: 53, location: SourceLocation(file: "t.cfg", line: 2))]
        edit(&resolvers)
        return resolvers
    }

    /// The queries among `actions`, as (id, name, type).
    static func queries(_ actions: [Machine.Action]) -> [(id: UInt16, name: String, type: UInt16)] {
        actions.compactMap { action in
            guard case .send(let bytes) = action else { return nil }
            var reader = DNSMessage.Reader(bytes: bytes, offset: 12)
            let name = try! reader.readName()
            return (UInt16(bytes[0]) << 8 | UInt16(bytes[1]), name, try! reader.read16())
        }
    }

    static func updates(_ actions: [Machine.Action]) -> [Int: Machine.Slot] {
        var result: [Int: Machine.Slot] = [:]
        for case .update(let server, let slot, _) in actions { result[server] = slot }
        return result
    }

    static func ip(_ text: String) -> IPAddress { IPAddress(text)! }

    @Test func preferredFamilyThenTheOtherThenTheAddress() throws {
        var machine = Machine(settings: Self.settings(), requests: [.init(name: "web.test", kind: .address, servers: [0])])
        let first = try #require(Self.queries(machine.tick(now: .zero)).first)
        #expect(first.name == "web.test" && first.type == 28)
        // dnsmasq refuses AAAA for a name it only has an A record for: usher asks for A.
        let refused = B(id: first.id, name: "web.test", type: .aaaa, responseCode: 5)
        let second = try #require(Self.queries(machine.receive(refused.bytes, now: .milliseconds(5))).first)
        #expect(second.type == 1)
        var answer = B(id: second.id, name: "web.test", type: .a)
        answer.answers = [B.a("web.test", "10.0.0.1")]
        let actions = machine.receive(answer.bytes, now: .milliseconds(10))
        #expect(Self.updates(actions) == [0: Machine.Slot(address: Self.ip("10.0.0.1"))])
        #expect(machine.status(of: "web.test") == .valid)
        // Asked again `hold valid` (10s) later.
        #expect(machine.nextDeadline == .milliseconds(10) + .seconds(10))
        #expect(machine.tick(now: .seconds(5)).isEmpty)
    }

    @Test func unexpectedAnswersAreIgnored() throws {
        var machine = Machine(settings: Self.settings(), requests: [.init(name: "web.test", kind: .address, servers: [0], prefer: .ipv4)])
        let query = try #require(Self.queries(machine.tick(now: .zero)).first)
        var wrongID = B(id: query.id &+ 1, name: "web.test", type: .a)
        wrongID.answers = [B.a("web.test", "10.6.6.6")]
        #expect(machine.receive(wrongID.bytes, now: .zero).isEmpty)
        var wrongName = B(id: query.id, name: "evil.test", type: .a)
        wrongName.answers = [B.a("evil.test", "10.6.6.6")]
        #expect(machine.receive(wrongName.bytes, now: .zero).isEmpty)
        #expect(machine.receive([1, 2, 3], now: .zero).isEmpty)
        #expect(machine.counters.unexpected == 2 && machine.counters.unreadable == 1)
        // 0.0.0.0 and an unrelated name's address are no answer: the other family is asked.
        var zero = B(id: query.id, name: "web.test", type: .a)
        zero.answers = [B.a("web.test", "0.0.0.0"), B.a("other.test", "10.0.0.7")]
        let retry = Self.queries(machine.receive(zero.bytes, now: .zero))
        #expect(retry.map(\.type) == [28])
        #expect(machine.slots[0] == Machine.Slot())
    }

    @Test func followsCNAMEChains() throws {
        var machine = Machine(settings: Self.settings(), requests: [.init(name: "www.test", kind: .address, servers: [0], prefer: .ipv4)])
        let query = try #require(Self.queries(machine.tick(now: .zero)).first)
        var answer = B(id: query.id, name: "www.test", type: .a)
        answer.answers = [B.cname("www.test", "edge.test"), B.cname("edge.test", "node.test"), B.a("node.test", "10.0.0.5"), B.a("stray.test", "10.0.0.9")]
        #expect(Self.updates(machine.receive(answer.bytes, now: .zero)) == [0: Machine.Slot(address: Self.ip("10.0.0.5"))])
    }

    @Test func silenceKeepsTheAddressForHoldTimeoutThenTakesItAway() throws {
        let settings = Self.settings {
            $0.hold.timeout = .seconds(10)
            $0.hold.valid = .seconds(2)
            $0.resolveRetries = 3
        }
        var machine = Machine(settings: settings, requests: [.init(name: "web.test", kind: .address, servers: [0], prefer: .ipv4)])
        let query = try #require(Self.queries(machine.tick(now: .zero)).first)
        var answer = B(id: query.id, name: "web.test", type: .a)
        answer.answers = [B.a("web.test", "10.0.0.1")]
        _ = machine.receive(answer.bytes, now: .zero)
        // From now on nothing answers: 3 queries a second apart, then a timeout, every `timeout resolve`.
        var sent = 0
        var lost: Duration? = nil
        var now = Duration.zero
        while now < .seconds(20) {
            now = machine.nextDeadline!
            let actions = machine.tick(now: now)
            sent += Self.queries(actions).count
            if Self.updates(actions)[0] == Machine.Slot() { lost = now }
            if lost != nil { break }
        }
        #expect(machine.status(of: "web.test") == .timeout)
        // The last valid answer came at 0; it is kept `hold timeout` (10s), and lost when the first
        // resolution that ends after that fails (3 queries a second apart, then `timeout resolve`).
        let lostAt = try #require(lost)
        #expect(lostAt >= .seconds(10) && lostAt < .seconds(14))
        #expect(sent >= 6)
    }

    @Test func templateSlotsTakeDistinctAddressesUnlessDuplicatesAreAllowed() throws {
        for allow in [false, true] {
            var machine = Machine(settings: Self.settings(), requests: [
                .init(name: "pool.test", kind: .address, servers: [0, 1, 2], prefer: .ipv4, allowDuplicates: allow)
            ])
            let query = try #require(Self.queries(machine.tick(now: .zero)).first)
            var answer = B(id: query.id, name: "pool.test", type: .a)
            answer.answers = [B.a("pool.test", "10.0.0.1"), B.a("pool.test", "10.0.0.2")]
            let slots = Self.updates(machine.receive(answer.bytes, now: .zero))
            if allow {
                #expect(slots.values.allSatisfy { $0.address == Self.ip("10.0.0.1") } && slots.count == 3)
            } else {
                #expect(slots == [0: .init(address: Self.ip("10.0.0.1")), 1: .init(address: Self.ip("10.0.0.2"))])
            }
        }
    }

    @Test func resolveNetComesFirstAndAServerKeepsAnAddressStillGiven() throws {
        var machine = Machine(settings: Self.settings { $0.hold.valid = .seconds(1) }, requests: [
            .init(name: "pool.test", kind: .address, servers: [0], prefer: .ipv4, networks: [IPNetwork("192.168.0.0/16")!])
        ])
        var query = try #require(Self.queries(machine.tick(now: .zero)).first)
        var answer = B(id: query.id, name: "pool.test", type: .a)
        answer.answers = [B.a("pool.test", "10.0.0.1"), B.a("pool.test", "192.168.1.1")]
        #expect(Self.updates(machine.receive(answer.bytes, now: .zero))[0]?.address == Self.ip("192.168.1.1"))
        query = try #require(Self.queries(machine.tick(now: .seconds(1))).first)
        answer = B(id: query.id, name: "pool.test", type: .a)
        answer.answers = [B.a("pool.test", "192.168.1.9"), B.a("pool.test", "192.168.1.1")]
        #expect(machine.receive(answer.bytes, now: .seconds(1)).isEmpty)
    }

    static func srvAnswer(id: UInt16, _ records: [(target: String, port: UInt16, weight: UInt16, address: String)]) -> [UInt8] {
        var builder = B(id: id, name: "_http._tcp.svc.test", type: .srv)
        builder.answers = records.map { B.srv("_http._tcp.svc.test", weight: $0.weight, port: $0.port, target: $0.target) }
        builder.additionals = records.map { B.a($0.target, $0.address) }
        return builder.bytes
    }

    @Test func srvRecordsFillAndEmptyTemplateSlots() throws {
        let settings = Self.settings {
            $0.hold.valid = .seconds(1)
            $0.hold.obsolete = .seconds(3)
        }
        var machine = Machine(settings: settings, requests: [.init(name: "_http._tcp.svc.test", kind: .service, servers: [0, 1, 2])])
        var query = try #require(Self.queries(machine.tick(now: .zero)).first)
        #expect(query.type == 33)
        var slots = Self.updates(machine.receive(Self.srvAnswer(id: query.id, [
            ("web1.test", 8080, 10, "10.0.0.1"), ("web2.test", 8081, 1000, "10.0.0.2"),
        ]), now: .zero))
        #expect(slots == [
            0: .init(address: Self.ip("10.0.0.1"), port: 8080, weight: 1, target: "web1.test"),
            1: .init(address: Self.ip("10.0.0.2"), port: 8081, weight: 4, target: "web2.test"),
        ])
        // web1 disappears: kept `hold obsolete` (3s) after it was last seen, then its slot empties.
        query = try #require(Self.queries(machine.tick(now: .seconds(1))).first)
        slots = Self.updates(machine.receive(Self.srvAnswer(id: query.id, [("web2.test", 8081, 1000, "10.0.0.2")]), now: .seconds(1)))
        #expect(slots.isEmpty)
        query = try #require(Self.queries(machine.tick(now: .seconds(2))).first)
        let answer = Self.srvAnswer(id: query.id, [("web2.test", 8081, 1000, "10.0.0.2"), ("web3.test", 9000, 0, "10.0.0.3")])
        slots = Self.updates(machine.receive(answer, now: .seconds(2)))
        // web3 takes the free third slot; weight 0 stays 0.
        #expect(slots == [2: .init(address: Self.ip("10.0.0.3"), port: 9000, weight: 0, target: "web3.test")])
        query = try #require(Self.queries(machine.tick(now: .seconds(3))).first)
        slots = Self.updates(machine.receive(Self.srvAnswer(id: query.id, [("web2.test", 8081, 1000, "10.0.0.2"), ("web3.test", 9000, 0, "10.0.0.3")]), now: .seconds(3)))
        #expect(slots == [0: .init()])
        #expect(machine.slots[1]?.target == "web2.test" && machine.slots[2]?.target == "web3.test")
    }

    @Test func nxKeepsTheRecordsForHoldNX() throws {
        let settings = Self.settings {
            $0.hold.valid = .seconds(1)
            $0.hold.nx = .seconds(5)
        }
        var machine = Machine(settings: settings, requests: [.init(name: "_http._tcp.svc.test", kind: .service, servers: [0])])
        var query = try #require(Self.queries(machine.tick(now: .zero)).first)
        _ = machine.receive(Self.srvAnswer(id: query.id, [("web1.test", 8080, 1, "10.0.0.1")]), now: .zero)
        var now = Duration.seconds(1)
        var emptiedAt: Duration? = nil
        while emptiedAt == nil, now < .seconds(10) {
            query = try #require(Self.queries(machine.tick(now: now)).first)
            let nx = B(id: query.id, name: "_http._tcp.svc.test", type: .srv, responseCode: 3)
            if Self.updates(machine.receive(nx.bytes, now: now))[0] == Machine.Slot() { emptiedAt = now }
            now = machine.nextDeadline!
        }
        #expect(machine.status(of: "_http._tcp.svc.test") == .nx)
        #expect(emptiedAt == .seconds(5))
    }

    @Test func truncatedAnswersAreErrors() throws {
        var machine = Machine(settings: Self.settings(), requests: [.init(name: "web.test", kind: .address, servers: [0], prefer: .ipv4, initialAddresses: [Self.ip("10.0.0.1")])])
        let query = try #require(Self.queries(machine.tick(now: .zero)).first)
        var answer = B(id: query.id, name: "web.test", type: .a)
        answer.flags |= 0x0200
        answer.answers = [B.a("web.test", "10.0.0.2")]
        #expect(machine.receive(answer.bytes, now: .zero).isEmpty)
        #expect(machine.status(of: "web.test") == .other)
        #expect(machine.slots[0]?.address == Self.ip("10.0.0.1"))
    }
}
