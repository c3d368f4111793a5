import NIOConcurrencyHelpers
import Testing
import UsherConfig
@testable import UsherRouting

@Suite struct PeerSessionStateMachineTests {
    static let definition = StickTableDefinition(
        name: "mesh/rates", keyType: .ip, size: 100, expire: .seconds(60), peers: "mesh",
        stored: [StickData(.httpRequestRate, period: .seconds(10)), StickData(.httpRequestCount), StickData(.connectionsCurrent)],
        location: SourceLocation(file: "t.cfg", line: 1))

    func configuration(_ local: String, _ remotes: Set<String>) -> PeerSessionStateMachine.Configuration {
        PeerSessionStateMachine.Configuration(localName: local, remoteNames: remotes, tables: [Self.definition])
    }

    func writes(_ actions: [PeerSessionStateMachine.Action]) -> [UInt8] {
        actions.reduce(into: []) { bytes, action in
            if case .write(let data) = action { bytes += data }
        }
    }

    /// Two machines wired to each other: a connects to b.
    func handshake() -> (a: PeerSessionStateMachine, b: PeerSessionStateMachine) {
        var a = PeerSessionStateMachine(configuration: configuration("a", ["b"]), connectingTo: "b", now: 0)
        var b = PeerSessionStateMachine(configuration: configuration("b", ["a"]), connectingTo: nil, now: 0)
        let hello = writes(a.connected(now: 0, processID: 123))
        #expect(String(decoding: hello, as: UTF8.self) == "HAProxyS 2.1\nb\na 123 1\n")
        #expect(b.receive(hello, now: 1) == [.identified(peer: "a")])
        let accepted = b.accept(now: 1)
        #expect(accepted == [.write(Array("200\n".utf8)), .established])
        #expect(a.receive(writes(accepted), now: 2) == [.established])
        #expect(a.isEstablished && b.isEstablished)
        return (a, b)
    }

    @Test func handshakeAndUpdates() throws {
        var (a, b) = handshake()
        let entry = PeerEntry(key: .ipv4(0x0A00_0001), values: [9: [.integer(5)], 10: [.rate(elapsed: 100, current: 5, previous: 0)], 6: [.integer(1)]])
        var second = entry
        second.key = .ipv4(0x0A00_0002)
        let bytes = a.push(table: 0, updates: [(id: 7, entry: entry), (id: 8, entry: second)], now: 3)
        #expect(a.lastPushed == [8])
        var reader = PeerMessageReader()
        reader.append(bytes)
        // A definition, then an update with its id, then an incremental one.
        guard case .define = try reader.next() else { Issue.record("no definition first"); return }
        guard case .update(identified: true, timed: false, _) = try reader.next() else { Issue.record("no identified update"); return }
        guard case .update(identified: false, timed: false, _) = try reader.next() else { Issue.record("no incremental update"); return }

        let actions = b.receive(bytes, now: 4)
        #expect(actions.contains(.apply(table: 0, entry: entry)))
        #expect(actions.contains(.apply(table: 0, entry: second)))
        // b acknowledges update 8 under a's id for the table (1).
        var ack: [UInt8] = []
        PeerMessage.ack(table: 1, update: 8).encode(into: &ack)
        #expect(writes(actions) == ack)
        #expect(a.receive(ack, now: 5) == [.acknowledged(table: 0, update: 8)])
    }

    @Test func updatesOfUnknownOrMismatchedTablesAreIgnored() {
        var (a, b) = handshake()
        var other = Self.definition
        other.keyType = .ipv6
        var bytes: [UInt8] = []
        PeerMessage.define(PeerTableDefinition(id: 1, table: other)).encode(into: &bytes)
        let payload = PeerEntry(key: .ipv6(0, 1), values: [:]).encode(updateID: 1, keyType: .ipv6, dataTypes: PeerTableDefinition(id: 1, table: other).dataTypes)
        PeerMessage.update(identified: true, timed: false, payload: payload).encode(into: &bytes)
        #expect(b.receive(bytes, now: 3) == [])
        _ = a
    }

    @Test func resync() {
        var (a, b) = handshake()
        let request = a.requestResync(now: 3)
        #expect(b.receive(request, now: 4) == [.resyncRequested])
        let entry = PeerEntry(key: .ipv4(1), expire: 30000, values: [9: [.integer(1)], 10: [.rate(elapsed: 20, current: 1, previous: 0)], 6: [.integer(0)]])
        let lesson = b.teach(entries: [[entry]], complete: true, now: 5)
        let actions = a.receive(lesson, now: 6)
        #expect(actions.contains(.apply(table: 0, entry: entry)))
        #expect(actions.contains(.resyncEnded(complete: true)))
        var confirm: [UInt8] = []
        PeerMessage.control(.resyncConfirm).encode(into: &confirm)
        #expect(writes(actions).suffix(2) == confirm[...])
    }

    /// A peer that refused 2.1 gets a 2.0 hello next, and no timed updates (neither does a 2.0
    /// peer that connects).
    @Test func version20() {
        var a = PeerSessionStateMachine(configuration: configuration("a", ["b"]), connectingTo: "b", now: 0)
        _ = a.connected(now: 0, processID: 1)
        _ = a.receive(Array("502\n".utf8), now: 1)
        #expect(a.refusedStatus == 502)
        var old = PeerSessionStateMachine(configuration: configuration("a", ["b"]), connectingTo: "b", minorVersion: 0, now: 0)
        #expect(String(decoding: writes(old.connected(now: 0, processID: 1)), as: UTF8.self).hasPrefix("HAProxyS 2.0\n"))
        var b = PeerSessionStateMachine(configuration: configuration("b", ["a"]), connectingTo: nil, now: 0)
        #expect(b.receive(Array("HAProxyS 2.0\nb\na 1 1\n".utf8), now: 0) == [.identified(peer: "a")])
        _ = b.accept(now: 0)
        var reader = PeerMessageReader()
        reader.append(b.teach(entries: [[PeerEntry(key: .ipv4(1), expire: 1000, values: [:])]], complete: true, now: 1))
        _ = try? reader.next()
        guard case .update(_, let timed, _)? = try? reader.next() else {
            Issue.record("no update")
            return
        }
        #expect(!timed)
    }

    @Test func badHandshakes() {
        func answer(_ hello: String) -> [PeerSessionStateMachine.Action] {
            var b = PeerSessionStateMachine(configuration: configuration("b", ["a"]), connectingTo: nil, now: 0)
            return b.receive(Array(hello.utf8), now: 0)
        }
        #expect(answer("GET / HTTP/1.1\n").first == .write(Array("501\n".utf8)))
        #expect(answer("HAProxyS 3.0\n").first == .write(Array("502\n".utf8)))
        #expect(answer("HAProxyS 2.1\nc\n").first == .write(Array("503\n".utf8)))
        #expect(answer("HAProxyS 2.1\nb\nz 1 1\n").first == .write(Array("504\n".utf8)))
        #expect(answer("HAProxyS 2.1\nb\na\n").first == .write(Array("501\n".utf8)))
        let long = answer(String(repeating: "x", count: 600))
        #expect(long.first == .write(Array("501\n".utf8)))
        let longLine = answer("HAProxyS 2.1\n" + String(repeating: "x", count: 600) + "\n")
        #expect(longLine.first == .write(Array("501\n".utf8)))

        var a = PeerSessionStateMachine(configuration: configuration("a", ["b"]), connectingTo: "b", now: 0)
        _ = a.connected(now: 0, processID: 1)
        guard case .close(let reason)? = a.receive(Array("503\n".utf8), now: 1).first else {
            Issue.record("no close")
            return
        }
        #expect(reason.contains("503"))
    }

    @Test func protocolErrorsCloseWithAnErrorMessage() {
        var (_, b) = handshake()
        // An update message whose payload is too short for its id.
        var bytes: [UInt8] = []
        PeerMessage.define(PeerTableDefinition(id: 1, table: Self.definition)).encode(into: &bytes)
        bytes += [10, 0x80, 2, 0, 0]
        let actions = b.receive(bytes, now: 3)
        #expect(actions.first == .write([1, 0]))
        guard case .close = actions.last else {
            Issue.record("not closed")
            return
        }
        #expect(b.isClosed)
        #expect(b.receive([0, 4], now: 4) == [])
    }

    /// Garbage after the handshake, in pieces of every size: the machine answers or closes, and
    /// never traps.
    @Test func garbageNeverTraps() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            var (_, b) = handshake()
            var bytes = (0..<Int.random(in: 1...400, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Half the rounds look like stick-table messages, to get past the header.
            if round % 2 == 0 { bytes.insert(contentsOf: [10, UInt8.random(in: 0x80...0x86, using: &generator)], at: 0) }
            var index = 0
            while index < bytes.count, !b.isClosed {
                let end = min(bytes.count, index + Int.random(in: 1...64, using: &generator))
                _ = b.receive(bytes[index..<end], now: 10)
                index = end
            }
            _ = b.tick(now: 20_000)
            #expect(b.isClosed)
        }
    }

    @Test func timers() {
        var (a, _) = handshake()
        #expect(a.tick(now: 1000) == [])
        var heartbeat: [UInt8] = []
        PeerMessage.control(.heartbeat).encode(into: &heartbeat)
        #expect(a.tick(now: 3003) == [.write(heartbeat)])
        guard case .close? = a.tick(now: 10_003).first else {
            Issue.record("a silent peer is not given up")
            return
        }
        var waiting = PeerSessionStateMachine(configuration: configuration("b", ["a"]), connectingTo: nil, now: 0)
        guard case .close? = waiting.tick(now: 5000).first else {
            Issue.record("no handshake timeout")
            return
        }
    }
}

@Suite struct StickTablePeersTests {
    @Test func changesArePushedOnceWithTheirLatestValues() throws {
        let clock = ManualClock()
        let definition = StickTableDefinition(
            name: "t", keyType: .ip, size: 10, expire: .seconds(60), peers: "mesh",
            stored: [StickData(.httpRequestRate, period: .seconds(10)), StickData(.httpRequestCount)], location: SourceLocation(file: "t.cfg", line: 1))
        let table = StickTable(definition, clock: clock.function)
        let handle = try #require(table.acquire(.ipv4(1)))
        table.update(handle) { $0.add(.httpRequestCount); $0.add(.httpRequestRate) }
        table.release(handle)
        let other = try #require(table.acquire(.ipv4(2)))
        table.release(other)
        let updates = table.localUpdates(after: 0, limit: 100)
        // One update per entry: its latest.
        #expect(updates.map(\.entry.key) == [.ipv4(1), .ipv4(2)])
        #expect(updates[0].entry.values[9] == [.integer(1)])
        #expect(table.localUpdates(after: updates.last!.id, limit: 100).isEmpty)
        #expect(table.lastLocalUpdate == updates.last!.id)
    }

    /// The change handler wakes the push once per batch of changes.
    @Test func changeHandlerIsCalledOncePerSignal() throws {
        let clock = ManualClock()
        let definition = StickTableDefinition(
            name: "t", keyType: .ip, size: 10, peers: "mesh", stored: [StickData(.httpRequestCount)], location: SourceLocation(file: "t.cfg", line: 1))
        let table = StickTable(definition, clock: clock.function)
        let calls = NIOLockedValueBox(0)
        table.setChangeHandler { calls.withLockedValue { $0 += 1 } }
        let handle = try #require(table.acquire(.ipv4(1)))
        table.update(handle) { $0.add(.httpRequestCount) }
        #expect(calls.withLockedValue { $0 } == 1)
        table.takeChangeSignal()
        table.update(handle) { $0.add(.httpRequestCount) }
        table.update(handle) { $0.add(.httpRequestCount) }
        #expect(calls.withLockedValue { $0 } == 2)
        table.release(handle)
        table.setChangeHandler(nil)
        table.takeChangeSignal()
        _ = table.acquire(.ipv4(2))
        #expect(calls.withLockedValue { $0 } == 2)
    }

    @Test func appliedEntriesOverwriteAndAreNotPushedOn() {
        let clock = ManualClock()
        let definition = StickTableDefinition(
            name: "t", keyType: .ip, size: 10, expire: .seconds(60), peers: "mesh",
            stored: [StickData(.httpRequestRate, period: .seconds(10)), StickData(.httpRequestCount), StickData(.connectionsCurrent)],
            location: SourceLocation(file: "t.cfg", line: 1))
        let table = StickTable(definition, clock: clock.function)
        table.applyPeerEntry(PeerEntry(key: .ipv4(5), expire: 2000, values: [
            9: [.integer(40)], 10: [.rate(elapsed: 500, current: 25, previous: 10)], 6: [.integer(9)],
        ]))
        #expect(table.lastLocalUpdate == 0)
        table.withEntry(.ipv4(5), create: false) { data in
            #expect(data?.value(.httpRequestCount) == 40)
            // 25 in the current period, 10 weighed by the 9.5 s of the previous one still in reach.
            #expect(data?.value(.httpRequestRate) == 34)
            // conn_cur stays local.
            #expect(data?.value(.connectionsCurrent) == 0)
            #expect(data?.remaining == 2000)
        }
        clock.advance(2001)
        #expect(table.count == 0)
    }
}
