/// An event rate over a sliding period, computed as HAProxy computes its stick-table rates: the
/// events of the current period plus the previous period's, weighted by how much of the previous
/// period still falls within one period of now. Times are milliseconds on a monotonic clock.
public struct PeriodRate: Sendable, Equatable {
    /// When the current period began (even milliseconds, as HAProxy keeps it).
    public private(set) var periodStart: Int64 = 0
    public private(set) var current: UInt64 = 0
    public private(set) var previous: UInt64 = 0

    public init() {}

    /// A rate as a peer sent it (the peers protocol carries the three fields).
    public init(periodStart: Int64, current: UInt64, previous: UInt64) {
        self.periodStart = periodStart
        self.current = current
        self.previous = previous
    }

    /// Adds `amount` events at `now`, starting a new period first if the current one is over.
    public mutating func add(_ amount: UInt64, now: Int64, period: Int64) {
        if now - periodStart >= period {
            previous = current
            current = 0
            periodStart += period
            if now - periodStart >= period {
                // Two periods or more went by without an event.
                previous = 0
                periodStart = now
            }
            periodStart &= ~1
        }
        current &+= amount
    }

    /// The rate at `now`, in events per period.
    public func rate(now: Int64, period: Int64) -> UInt64 {
        guard period > 0 else { return 0 }
        var current = current
        var previous = previous
        var remain = periodStart + period - now
        if remain < 0 {
            // The current period is over: it becomes the previous one, if still within reach.
            remain += period
            previous = remain >= 0 ? current : 0
            current = 0
        }
        // At very low rates, HAProxy reports the last period's count as it is rather than let it
        // flap between 0 and 1.
        if current == 0 && previous <= 1 { return previous }
        let total = previous.multipliedFullWidth(by: UInt64(max(remain, 0)))
        let weighted = total.high == 0 ? total.low / UInt64(period) : UInt64.max / UInt64(period)
        return weighted &+ current
    }
}
