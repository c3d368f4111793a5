#if canImport(Glibc)
import Glibc
#endif
import Atomics
import UsherRouting

/// The counters of one frontend, backend or server, as the stats page, the CSV, the runtime API and
/// the Prometheus exporter show them.
///
/// They sit on the data path: every update is one relaxed atomic operation on memory this object
/// owns (no lock, no allocation). Readers sum nothing: each counter is one word, read relaxed, so a
/// report may mix values a few nanoseconds apart, which no reader can tell.
public final class StatCounters: @unchecked Sendable {
    /// Counters that only grow (until `clear counters all`).
    public enum Total: Int, CaseIterable, Sendable {
        case sessions, connections, bytesIn, bytesOut
        case deniedRequests, deniedResponses, deniedConnections, deniedSessions
        case requestErrors, connectionErrors, responseErrors, internalErrors, failedRewrites
        case retries, redispatches, balancedTotal
        case requests, intercepted, clientAborts, serverAborts
        case responses1xx, responses2xx, responses3xx, responses4xx, responses5xx, responsesOther
        case newConnections, reusedConnections
        case checkFailures, checkDowns
    }

    /// Highest values seen (`clear counters` resets them).
    public enum Peak: Int, CaseIterable, Sendable {
        case sessions, queue, sessionRate, requestRate, connectionRate
        case queueTime, connectTime, responseTime, totalTime
    }

    /// Per-second event rates.
    public enum Rate: Int, CaseIterable, Sendable {
        case sessions, requests, connections
    }

    /// Averages over the last `SlidingAverage.window` samples.
    public enum Average: Int, CaseIterable, Sendable {
        case queueTime, connectTime, responseTime, totalTime
    }

    /// Every counter of this object in one block of atomic words: the totals, the peaks, two words
    /// per rate, two per average, and the last session's second. One allocation, no per-counter
    /// object, no array bounds or reference counting on the data path.
    private let slots: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>

    private static let peakBase = Total.allCases.count
    private static let rateBase = peakBase + Peak.allCases.count
    private static let averageBase = rateBase + 2 * Rate.allCases.count
    private static let lastSessionSlot = averageBase + 2 * Average.allCases.count
    private static let slotCount = lastSessionSlot + 1

    public init() {
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: .init(0), count: Self.slotCount)
    }

    deinit {
        slots.deinitialize(count: Self.slotCount)
        slots.deallocate()
    }

    @inline(__always)
    private func slot(_ index: Int) -> UnsafeAtomic<Int> { UnsafeAtomic(at: slots + index) }

    @inline(__always)
    private func total(_ key: Total) -> UnsafeAtomic<Int> { slot(key.rawValue) }

    @inline(__always)
    private func peak(_ key: Peak) -> UnsafeAtomic<Int> { slot(Self.peakBase + key.rawValue) }

    @inline(__always)
    private func frequency(_ key: Rate) -> FrequencyCounter {
        FrequencyCounter(current: slot(Self.rateBase + 2 * key.rawValue), previous: slot(Self.rateBase + 2 * key.rawValue + 1))
    }

    @inline(__always)
    private func sliding(_ key: Average) -> SlidingAverage {
        SlidingAverage(sum: slot(Self.averageBase + 2 * key.rawValue), samples: slot(Self.averageBase + 2 * key.rawValue + 1))
    }

    @inline(__always)
    public func add(_ key: Total, _ amount: Int = 1) {
        total(key).wrappingIncrement(by: amount, ordering: .relaxed)
    }

    public subscript(_ key: Total) -> Int { total(key).load(ordering: .relaxed) }
    public subscript(peak key: Peak) -> Int { peak(key).load(ordering: .relaxed) }

    /// Raises a peak to `value` if it is higher. Costs one load when it is not.
    @inline(__always)
    public func notePeak(_ key: Peak, _ value: Int) {
        let atomic = peak(key)
        var current = atomic.load(ordering: .relaxed)
        while value > current {
            let (exchanged, original) = atomic.weakCompareExchange(expected: current, desired: value, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// Counts one event of `key` now and raises its peak rate.
    @inline(__always)
    public func tick(_ key: Rate, now: UInt32 = FrequencyCounter.currentSecond()) {
        let rate = frequency(key).tick(now: now)
        switch key {
        case .sessions: notePeak(.sessionRate, rate)
        case .requests: notePeak(.requestRate, rate)
        case .connections: notePeak(.connectionRate, rate)
        }
    }

    /// Events of `key` in the last second (interpolated as HAProxy does).
    public func rate(_ key: Rate, nowMilliseconds: UInt64 = FrequencyCounter.nowMilliseconds()) -> Int {
        frequency(key).rate(nowMilliseconds: nowMilliseconds)
    }

    /// Adds one sample, in milliseconds, to an average and its peak. Negative (not measured) is ignored.
    @inline(__always)
    public func sample(_ key: Average, milliseconds: Int) {
        guard milliseconds >= 0 else { return }
        sliding(key).add(milliseconds)
        switch key {
        case .queueTime: notePeak(.queueTime, milliseconds)
        case .connectTime: notePeak(.connectTime, milliseconds)
        case .responseTime: notePeak(.responseTime, milliseconds)
        case .totalTime: notePeak(.totalTime, milliseconds)
        }
    }

    public func average(_ key: Average) -> Int { sliding(key).value }

    /// Counts an HTTP response by its status class.
    @inline(__always)
    public func countResponse(status: Int) {
        switch status {
        case 100..<200: add(.responses1xx)
        case 200..<300: add(.responses2xx)
        case 300..<400: add(.responses3xx)
        case 400..<500: add(.responses4xx)
        case 500..<600: add(.responses5xx)
        default: add(.responsesOther)
        }
    }

    @inline(__always)
    public func noteSessionStart(wallSeconds: Int) {
        slot(Self.lastSessionSlot).store(wallSeconds, ordering: .relaxed)
    }

    /// The wall-clock second of the last session, 0 for none yet.
    public var lastSessionSecond: Int { slot(Self.lastSessionSlot).load(ordering: .relaxed) }

    /// `clear counters`: the peaks. `all`: every counter (HAProxy's `clear counters all`).
    public func clear(all: Bool) {
        for key in Peak.allCases { peak(key).store(0, ordering: .relaxed) }
        guard all else { return }
        for index in 0..<Self.slotCount where index < Self.peakBase || index >= Self.rateBase {
            slot(index).store(0, ordering: .relaxed)
        }
    }
}

extension StatCounters {
    /// Seconds since the epoch.
    public static func wallSeconds() -> Int {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &spec)
        return spec.tv_sec
    }
}
