import Atomics

/// An average over about the last `window` samples without keeping them, as HAProxy's `swrate`:
/// the sum loses a `window`-th of itself at each new sample. Before `window` samples the sum is
/// divided by the samples seen, so the first values are not diluted by zeros.
public final class SlidingAverage: Sendable {
    public static let window = 1024
    private let sum = ManagedAtomic<Int>(0)
    private let samples = ManagedAtomic<Int>(0)

    public init() {}

    @inline(__always)
    public func add(_ value: Int) {
        let seen = samples.load(ordering: .relaxed)
        if seen < Self.window { samples.wrappingIncrement(ordering: .relaxed) }
        var current = sum.load(ordering: .relaxed)
        while true {
            let next = seen < Self.window ? current + value : current - current / Self.window + value
            let (exchanged, original) = sum.weakCompareExchange(expected: current, desired: next, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    public var value: Int {
        let seen = samples.load(ordering: .relaxed)
        guard seen > 0 else { return 0 }
        return sum.load(ordering: .relaxed) / min(seen, Self.window)
    }

    public func clear() {
        sum.store(0, ordering: .relaxed)
        samples.store(0, ordering: .relaxed)
    }
}
