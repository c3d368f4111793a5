#if canImport(Glibc)
import Glibc
#endif
import Atomics

/// Events per second, HAProxy's way: the count of the current second plus the previous second's,
/// weighted by how much of the current second is still to come. One 64-bit word holds the second and
/// its count so a tick is one compare-and-swap.
public final class FrequencyCounter: Sendable {
    /// High 32 bits: the second; low 32 bits: events in it.
    private let current = ManagedAtomic<UInt64>(0)
    /// Events in the second before `current`'s.
    private let previous = ManagedAtomic<UInt64>(0)

    public init() {}

    /// Milliseconds on the monotonic clock (a coarse one: rates need no better).
    @inline(__always)
    public static func nowMilliseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &spec)
        return UInt64(spec.tv_sec) &* 1000 &+ UInt64(spec.tv_nsec / 1_000_000)
    }

    @inline(__always)
    public static func currentSecond() -> UInt32 { UInt32(truncatingIfNeeded: nowMilliseconds() / 1000) }

    /// Counts one event in second `now`; returns the rate including it.
    @discardableResult
    public func tick(now: UInt32) -> Int {
        var word = current.load(ordering: .relaxed)
        while true {
            let second = UInt32(truncatingIfNeeded: word >> 32)
            let count = UInt32(truncatingIfNeeded: word)
            if second == now {
                let next = (UInt64(now) << 32) | UInt64(count &+ 1)
                let (exchanged, original) = current.weakCompareExchange(expected: word, desired: next, ordering: .relaxed)
                if exchanged { return Int(count) + 1 + Int(previous.load(ordering: .relaxed)) }
                word = original
            } else {
                let next = (UInt64(now) << 32) | 1
                let (exchanged, original) = current.weakCompareExchange(expected: word, desired: next, ordering: .relaxed)
                if exchanged {
                    let carried = second &+ 1 == now ? UInt64(count) : 0
                    previous.store(carried, ordering: .relaxed)
                    return 1 + Int(carried)
                }
                word = original
            }
        }
    }

    /// Events per second at `nowMilliseconds`: this second's plus the share of the previous second's
    /// that still falls within the last 1,000 ms.
    public func rate(nowMilliseconds: UInt64 = FrequencyCounter.nowMilliseconds()) -> Int {
        let now = UInt32(truncatingIfNeeded: nowMilliseconds / 1000)
        let word = current.load(ordering: .relaxed)
        let second = UInt32(truncatingIfNeeded: word >> 32)
        let count = UInt64(UInt32(truncatingIfNeeded: word))
        let elapsed = nowMilliseconds % 1000
        let (thisSecond, before): (UInt64, UInt64)
        if second == now {
            (thisSecond, before) = (count, previous.load(ordering: .relaxed))
        } else if second &+ 1 == now {
            (thisSecond, before) = (0, count)
        } else {
            return 0
        }
        return Int(thisSecond + (before * (1000 - elapsed) + 999) / 1000)
    }

    public func clear() {
        current.store(0, ordering: .relaxed)
        previous.store(0, ordering: .relaxed)
    }
}
