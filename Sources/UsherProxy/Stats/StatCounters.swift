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

    private let totals: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>
    private let peaks: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>
    private let rates: [FrequencyCounter]
    private let averages: [SlidingAverage]
    /// Wall-clock second of the last session (`lastsess`), 0 for never.
    private let lastSession = ManagedAtomic<Int>(0)

    public init() {
        totals = .allocate(capacity: Total.allCases.count)
        totals.initialize(repeating: .init(0), count: Total.allCases.count)
        peaks = .allocate(capacity: Peak.allCases.count)
        peaks.initialize(repeating: .init(0), count: Peak.allCases.count)
        rates = Rate.allCases.map { _ in FrequencyCounter() }
        averages = Average.allCases.map { _ in SlidingAverage() }
    }

    deinit {
        totals.deinitialize(count: Total.allCases.count)
        totals.deallocate()
        peaks.deinitialize(count: Peak.allCases.count)
        peaks.deallocate()
    }

    @inline(__always)
    private func total(_ key: Total) -> UnsafeAtomic<Int> { UnsafeAtomic(at: totals + key.rawValue) }

    @inline(__always)
    private func peak(_ key: Peak) -> UnsafeAtomic<Int> { UnsafeAtomic(at: peaks + key.rawValue) }

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
        let rate = rates[key.rawValue].tick(now: now)
        switch key {
        case .sessions: notePeak(.sessionRate, rate)
        case .requests: notePeak(.requestRate, rate)
        case .connections: notePeak(.connectionRate, rate)
        }
    }

    /// Events of `key` in the last second (interpolated as HAProxy does).
    public func rate(_ key: Rate, nowMilliseconds: UInt64 = FrequencyCounter.nowMilliseconds()) -> Int {
        rates[key.rawValue].rate(nowMilliseconds: nowMilliseconds)
    }

    /// Adds one sample, in milliseconds, to an average and its peak. Negative (not measured) is ignored.
    @inline(__always)
    public func sample(_ key: Average, milliseconds: Int) {
        guard milliseconds >= 0 else { return }
        averages[key.rawValue].add(milliseconds)
        switch key {
        case .queueTime: notePeak(.queueTime, milliseconds)
        case .connectTime: notePeak(.connectTime, milliseconds)
        case .responseTime: notePeak(.responseTime, milliseconds)
        case .totalTime: notePeak(.totalTime, milliseconds)
        }
    }

    public func average(_ key: Average) -> Int { averages[key.rawValue].value }

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

    public func noteSessionStart(wallSeconds: Int) {
        lastSession.store(wallSeconds, ordering: .relaxed)
    }

    /// The wall-clock second of the last session, 0 for none yet.
    public var lastSessionSecond: Int { lastSession.load(ordering: .relaxed) }

    /// `clear counters`: the peaks. `all`: every counter (HAProxy's `clear counters all`).
    public func clear(all: Bool) {
        for key in Peak.allCases { peak(key).store(0, ordering: .relaxed) }
        guard all else { return }
        for key in Total.allCases { total(key).store(0, ordering: .relaxed) }
        for rate in rates { rate.clear() }
        for average in averages { average.clear() }
        lastSession.store(0, ordering: .relaxed)
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
