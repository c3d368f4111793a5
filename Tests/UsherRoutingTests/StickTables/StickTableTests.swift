import NIOConcurrencyHelpers
import Testing
import UsherConfig
@testable import UsherRouting

/// A clock the test moves by hand (milliseconds).
final class ManualClock: Sendable {
    private let time = NIOLockedValueBox<Int64>(1_000_000)
    var now: Int64 { time.withLockedValue { $0 } }
    func advance(_ milliseconds: Int64) { time.withLockedValue { $0 += milliseconds } }
    var function: @Sendable () -> Int64 { { [self] in now } }
}

func table(
    _ type: StickTableDefinition.KeyType = .ip, size: Int = 10, expire: Duration? = nil, noPurge: Bool = false,
    store: [StickData], clock: ManualClock
) -> StickTable {
    let definition = StickTableDefinition(
        name: "t", keyType: type, size: size, expire: expire, noPurge: noPurge, stored: store,
        location: SourceLocation(file: "t.cfg", line: 1)
    )
    return StickTable(definition, clock: clock.function)
}

@Suite struct PeriodRateTests {
    /// HAProxy's sliding estimate: the current period's events plus the previous period's,
    /// weighted by the share of the previous period still within one period of now.
    @Test func slidingEstimate() {
        var rate = PeriodRate()
        let start: Int64 = 1_000_000
        for _ in 0..<10 { rate.add(1, now: start, period: 1000) }
        #expect(rate.rate(now: start, period: 1000) == 10)
        #expect(rate.rate(now: start + 999, period: 1000) == 10)
        // Half-way into the next period: half of the previous period's ten.
        #expect(rate.rate(now: start + 1500, period: 1000) == 5)
        rate.add(2, now: start + 1500, period: 1000)
        #expect(rate.rate(now: start + 1500, period: 1000) == 7)
        // Two periods without an event: nothing left.
        #expect(rate.rate(now: start + 3001, period: 1000) == 0)
        rate.add(1, now: start + 5000, period: 1000)
        #expect(rate.rate(now: start + 5000, period: 1000) == 1)
    }

    /// At very low rates a single event of the last period is reported whole, not as 0.
    @Test func lowRatesDoNotFlap() {
        var rate = PeriodRate()
        rate.add(1, now: 10_000, period: 1000)
        #expect(rate.rate(now: 10_900, period: 1000) == 1)
        #expect(rate.rate(now: 11_900, period: 1000) == 1)
        #expect(rate.rate(now: 12_100, period: 1000) == 0)
    }
}

@Suite struct StickTableTests {
    @Test func countersAndRates() {
        let clock = ManualClock()
        let t = table(store: [StickData(.connectionCount), StickData(.httpRequestRate, period: .seconds(10)), StickData(.connectionsCurrent)], clock: clock)
        let counters = StickCounters()
        let key = StickKey.ipv4(0x7F00_0001)
        counters.track(0, level: .session, table: t, key: key, countsRequest: false)
        counters.countHTTPRequest()
        counters.countHTTPRequest()
        t.withEntry(key, create: false) { data in
            #expect(data?.value(.connectionCount) == 1)
            #expect(data?.value(.connectionsCurrent) == 1)
            #expect(data?.value(.httpRequestRate) == 2)
            #expect(data?.value(.gpc0) == nil)
            #expect(data?.references == 1)
        }
        // A second tracking of the same counter at the same level changes nothing.
        counters.track(0, level: .session, table: t, key: key, countsRequest: false)
        counters.endSession()
        t.withEntry(key, create: false) { data in
            #expect(data?.value(.connectionCount) == 1)
            #expect(data?.value(.connectionsCurrent) == 0)
            #expect(data?.references == 0)
        }
    }

    /// `expire`: an entry not tracked for that long is gone, unless a session holds it.
    @Test func expiry() {
        let clock = ManualClock()
        let t = table(expire: .seconds(2), store: [StickData(.connectionCount)], clock: clock)
        let held = StickCounters()
        held.track(0, level: .session, table: t, key: .ipv4(1), countsRequest: false)
        t.withEntry(.ipv4(2), create: true) { _ in }
        #expect(t.count == 2)
        clock.advance(2500)
        #expect(t.count == 1, "the held entry stays past its expiry")
        #expect(t.withEntry(.ipv4(2), create: false) { $0 == nil })
        held.endSession()
        #expect(t.count == 0)
    }

    /// A full table drops its oldest entry no one holds for a new one, and never grows past
    /// `size`; with `nopurge` it refuses the new one instead.
    @Test func fullTableEvictsOldestAndNeverGrows() {
        let clock = ManualClock()
        let t = table(size: 3, store: [StickData(.gpc0)], clock: clock)
        let holder = StickCounters()
        holder.track(0, level: .session, table: t, key: .ipv4(1), countsRequest: false)
        for address in UInt32(2)...UInt32(1000) {
            t.withEntry(.ipv4(address), create: true) { _ in }
            clock.advance(1)
            #expect(t.count <= 3)
        }
        let keys = t.snapshot().map(\.key)
        #expect(keys == [.ipv4(1), .ipv4(999), .ipv4(1000)], "the held entry survives; the newest others are kept")
        let strict = table(size: 2, noPurge: true, store: [], clock: clock)
        #expect(strict.acquire(.ipv4(1)) != nil)
        #expect(strict.acquire(.ipv4(2)) != nil)
        #expect(strict.acquire(.ipv4(3)) == nil)
        #expect(strict.count == 2)
    }

    /// When every entry is held, a new key finds no room: tracking it does nothing.
    @Test func everyEntryHeld() {
        let clock = ManualClock()
        let t = table(size: 1, store: [StickData(.connectionCount)], clock: clock)
        let first = StickCounters(), second = StickCounters()
        first.track(0, level: .session, table: t, key: .ipv4(1), countsRequest: false)
        second.track(0, level: .session, table: t, key: .ipv4(2), countsRequest: false)
        #expect(second.tracked(0) == nil)
        #expect(t.count == 1)
    }

    @Test func generalPurposeArraysAndLegacyNames() {
        let clock = ManualClock()
        let t = table(store: [StickData(.gpcArray, count: 3), StickData(.gpt0)], clock: clock)
        t.withEntry(.ipv4(1), create: true) { data in
            // `inc_gpc0` falls back to the array's first element; `inc_gpc(2,…)` is the array's.
            #expect(StickMetric.incrementGPC(element: 0, inArray: false).read(&data!) == 1)
            #expect(StickMetric.incrementGPC(element: 2, inArray: true).read(&data!) == 1)
            #expect(StickMetric.incrementGPC(element: 2, inArray: true).read(&data!) == 2)
            #expect(StickMetric.gpc(element: 3, inArray: true).read(&data!) == nil)
            #expect(StickMetric.clearGPC(element: 2, inArray: true).read(&data!) == 2)
            #expect(StickMetric.gpc(element: 2, inArray: true).read(&data!) == 0)
            #expect(StickMetric.gpcRate(element: 0, inArray: false).read(&data!) == nil)
        }
    }

    @Test func dumpLineInHAProxysOrder() {
        let clock = ManualClock()
        let t = table(expire: .seconds(30), store: [
            StickData(.httpRequestRate, period: .seconds(10)), StickData(.connectionsCurrent), StickData(.gpt0), StickData(.connectionCount),
            StickData(.gpcArray, count: 2),
        ], clock: clock)
        t.withEntry(.ipv4(0x0A00_0001), create: true) { data in data!.add(.connectionCount, 4) }
        clock.advance(5)
        let (key, data) = t.snapshot()[0]
        let line = StickTableDump.line(t, key: key, data: data)
        #expect(line.hasSuffix(": key=10.0.0.1 use=0 exp=29995 gpt0=0 conn_cnt=4 conn_cur=0 http_req_rate(10000)=0 gpc0=0 gpc1=0\n"))
        #expect(StickTableDump.header(t, used: 1) == "# table: t, type: ip, size:10, used:1\n")
    }
}

@Suite struct StickKeyTests {
    @Test func conversions() {
        #expect(StickKey(.address(.v4(0x7F00_0001)), type: .ip) == .ipv4(0x7F00_0001))
        #expect(StickKey(.address(IPAddress("::ffff:10.0.0.1")!), type: .ip) == .ipv4(0x0A00_0001))
        #expect(StickKey(.address(IPAddress("2001:db8::1")!), type: .ip) == nil)
        #expect(StickKey(.string("10.0.0.1"), type: .ip) == .ipv4(0x0A00_0001))
        #expect(StickKey(.string("nope"), type: .ip) == nil)
        #expect(StickKey(.address(.v4(0x0A00_0001)), type: .ipv6) == .ipv6(0, 0xFFFF_0A00_0001))
        #expect(StickKey(.string("42abc"), type: .integer) == .integer(42))
        #expect(StickKey(.string("abc"), type: .integer) == nil)
        #expect(StickKey(.string("abcdefghij"), type: .string(length: 4)) == .bytes(Array("abcd".utf8)))
        #expect(StickKey(.binary([1, 2]), type: .binary(length: 4)) == .bytes([1, 2, 0, 0]))
        #expect(StickKey(text: "0a0b", type: .binary(length: 2)) == .bytes([10, 11]))
        #expect(StickKey.bytes(Array("hi".utf8)).text(type: .string(length: 32)) == "hi")
    }
}
