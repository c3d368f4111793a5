#if canImport(Glibc)
import Glibc
#endif
import Atomics

/// Events per second, HAProxy's way: the count of the current second plus the previous second's,
/// weighted by how much of the current second is still to come. It works on two atomic words owned
/// by a `StatCounters` block: one holds the second (high 32 bits) and its count (low 32 bits), so a
/// tick is one compare-and-swap; the other holds the previous second's count.
public struct FrequencyCounter {
    let current: UnsafeAtomic<Int>
    let previous: UnsafeAtomic<Int>

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
    @inline(__always)
    func tick(now: UInt32) -> Int {
        var word = UInt64(bitPattern: Int64(current.load(ordering: .relaxed)))
        while true {
            let second = UInt32(truncatingIfNeeded: word >> 32)
            let count = UInt32(truncatingIfNeeded: word)
            let sameSecond = second == now
            let next = (UInt64(now) << 32) | UInt64(sameSecond ? count &+ 1 : 1)
            let (exchanged, original) = current.weakCompareExchange(
                expected: Int(Int64(bitPattern: word)), desired: Int(Int64(bitPattern: next)), ordering: .relaxed
            )
            if exchanged {
                if sameSecond { return Int(count) + 1 + previous.load(ordering: .relaxed) }
                let carried = second &+ 1 == now ? Int(count) : 0
                previous.store(carried, ordering: .relaxed)
                return 1 + carried
            }
            word = UInt64(bitPattern: Int64(original))
        }
    }

    /// Events per second at `nowMilliseconds`: this second's plus the share of the previous second's
    /// that still falls within the last 1,000 ms.
    func rate(nowMilliseconds: UInt64) -> Int {
        let now = UInt32(truncatingIfNeeded: nowMilliseconds / 1000)
        let word = UInt64(bitPattern: Int64(current.load(ordering: .relaxed)))
        let second = UInt32(truncatingIfNeeded: word >> 32)
        let count = UInt64(UInt32(truncatingIfNeeded: word))
        let elapsed = nowMilliseconds % 1000
        let (thisSecond, before): (UInt64, UInt64)
        if second == now {
            (thisSecond, before) = (count, UInt64(max(0, previous.load(ordering: .relaxed))))
        } else if second &+ 1 == now {
            (thisSecond, before) = (0, count)
        } else {
            return 0
        }
        return Int(thisSecond + (before * (1000 - elapsed) + 999) / 1000)
    }

    func clear() {
        current.store(0, ordering: .relaxed)
        previous.store(0, ordering: .relaxed)
    }
}
