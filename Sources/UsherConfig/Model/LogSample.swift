/// `log … sample RANGES:SIZE`: of every `size` consecutive messages a target receives, only those
/// whose position (counted from 1) falls in one of `ranges` are sent. `sample 1:3` sends one
/// message in three; `sample 2,4-5:5` sends the 2nd, 4th and 5th of every five.
public struct LogSample: Sendable, Equatable {
    /// Positions within a period, each `1...size`.
    public var ranges: [ClosedRange<Int>]
    /// The period, at least the highest position of `ranges`.
    public var size: Int

    public init(ranges: [ClosedRange<Int>], size: Int) {
        self.ranges = ranges
        self.size = size
    }

    /// Whether the message numbered `index` (from 0, as counted for one target) is sent.
    public func accepts(index: Int) -> Bool {
        let position = index % size + 1
        return ranges.contains { $0.contains(position) }
    }
}
