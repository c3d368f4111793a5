import Atomics

/// An average over about the last `window` samples without keeping them, as HAProxy's `swrate`:
/// the sum loses a `window`-th of itself at each new sample. Before `window` samples the sum is
/// divided by the samples seen, so the first values are not diluted by zeros. It works on two
/// atomic words owned by a `StatCounters` block.
///
/// An update is a relaxed load and store, not a compare-and-swap: two threads adding at the same
/// instant may lose one sample of the 1,024 the average stands for, which no reader can tell, and
/// the data path saves a locked instruction per sample.
struct SlidingAverage {
    static let window = 1024
    let sum: UnsafeAtomic<Int>
    let samples: UnsafeAtomic<Int>

    @inline(__always)
    func add(_ value: Int) {
        let seen = samples.load(ordering: .relaxed)
        let current = sum.load(ordering: .relaxed)
        if seen < Self.window {
            samples.store(seen + 1, ordering: .relaxed)
            sum.store(current + value, ordering: .relaxed)
        } else {
            sum.store(current - current / Self.window + value, ordering: .relaxed)
        }
    }

    var value: Int {
        let seen = samples.load(ordering: .relaxed)
        guard seen > 0 else { return 0 }
        return sum.load(ordering: .relaxed) / min(seen, Self.window)
    }

    func clear() {
        sum.store(0, ordering: .relaxed)
        samples.store(0, ordering: .relaxed)
    }
}
