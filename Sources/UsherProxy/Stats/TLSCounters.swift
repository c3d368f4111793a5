import Atomics

/// The process's TLS figures, as `show info` and the Prometheus exporter report them
/// (`CurrSslConns`, `CumSslConns`, `SslRate`, `SslFrontendKeyRate`, `SslFrontendSessionReuse_pct`,
/// `SslBackendKeyRate` and their peaks). Counted once per handshake, never per request: one block
/// of atomic words, relaxed, like `StatCounters`.
public final class TLSCounters: @unchecked Sendable {
    private enum Slot: Int, CaseIterable {
        case current, peakCurrent, total, fullHandshakes
        case rateCurrent, ratePrevious, keyRateCurrent, keyRatePrevious, backendKeyRateCurrent, backendKeyRatePrevious
        case peakRate, peakKeyRate, peakBackendKeyRate
    }

    private let slots: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>

    public init() {
        slots = .allocate(capacity: Slot.allCases.count)
        slots.initialize(repeating: .init(0), count: Slot.allCases.count)
    }

    deinit {
        slots.deinitialize(count: Slot.allCases.count)
        slots.deallocate()
    }

    private func atomic(_ slot: Slot) -> UnsafeAtomic<Int> { UnsafeAtomic(at: slots + slot.rawValue) }

    private func frequency(_ current: Slot, _ previous: Slot) -> FrequencyCounter {
        FrequencyCounter(current: atomic(current), previous: atomic(previous))
    }

    private func raise(_ slot: Slot, to value: Int) {
        let peak = atomic(slot)
        var seen = peak.load(ordering: .relaxed)
        while value > seen {
            let (done, original) = peak.weakCompareExchange(expected: seen, desired: value, ordering: .relaxed)
            if done { return }
            seen = original
        }
    }

    /// A client's handshake completed on a `bind … ssl`; `resumed` when no key was computed.
    public func clientHandshakeCompleted(resumed: Bool) {
        let now = FrequencyCounter.currentSecond()
        raise(.peakCurrent, to: atomic(.current).loadThenWrappingIncrement(ordering: .relaxed) + 1)
        atomic(.total).wrappingIncrement(ordering: .relaxed)
        raise(.peakRate, to: frequency(.rateCurrent, .ratePrevious).tick(now: now))
        if !resumed {
            atomic(.fullHandshakes).wrappingIncrement(ordering: .relaxed)
            raise(.peakKeyRate, to: frequency(.keyRateCurrent, .keyRatePrevious).tick(now: now))
        }
    }

    /// A client connection whose handshake had completed has closed.
    public func clientConnectionEnded() {
        atomic(.current).wrappingDecrement(ordering: .relaxed)
    }

    /// A handshake with a server completed (usher resumes no server session: each computes a key).
    public func serverHandshakeCompleted() {
        raise(.peakBackendKeyRate, to: frequency(.backendKeyRateCurrent, .backendKeyRatePrevious).tick(now: FrequencyCounter.currentSecond()))
    }

    public var current: Int { atomic(.current).load(ordering: .relaxed) }
    public var peakCurrent: Int { atomic(.peakCurrent).load(ordering: .relaxed) }
    public var total: Int { atomic(.total).load(ordering: .relaxed) }
    public var rate: Int { frequency(.rateCurrent, .ratePrevious).rate(nowMilliseconds: FrequencyCounter.nowMilliseconds()) }
    public var peakRate: Int { atomic(.peakRate).load(ordering: .relaxed) }
    public var keyRate: Int { frequency(.keyRateCurrent, .keyRatePrevious).rate(nowMilliseconds: FrequencyCounter.nowMilliseconds()) }
    public var peakKeyRate: Int { atomic(.peakKeyRate).load(ordering: .relaxed) }
    public var backendKeyRate: Int {
        frequency(.backendKeyRateCurrent, .backendKeyRatePrevious).rate(nowMilliseconds: FrequencyCounter.nowMilliseconds())
    }
    public var peakBackendKeyRate: Int { atomic(.peakBackendKeyRate).load(ordering: .relaxed) }

    /// The share of client handshakes that resumed a session, in percent (HAProxy's
    /// `SslFrontendSessionReuse_pct`, over the whole run).
    public var reusePercent: Int {
        let all = total
        guard all > 0 else { return 0 }
        return (all - atomic(.fullHandshakes).load(ordering: .relaxed)) * 100 / all
    }
}
