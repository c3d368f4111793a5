/// A checked server's health as HAProxy counts it: a server that is up goes down after `fall`
/// consecutive failed checks; one that is down comes up after `rise` consecutive successes. Checks
/// run every `inter`, every `fastinter` while a change is under way, and every `downinter` while down.
public struct HealthStateMachine: Sendable, Equatable {
    public enum Transition: Sendable, Equatable {
        case none
        case wentDown
        case cameUp
    }

    public let rise: Int
    public let fall: Int
    public let inter: Duration
    public let fastinter: Duration
    public let downinter: Duration
    public private(set) var isUp: Bool
    /// Consecutive results against the current state.
    public private(set) var streak = 0

    /// Servers start up, as in HAProxy: `fall` failures are needed to take one down.
    public init(rise: Int, fall: Int, inter: Duration, fastinter: Duration, downinter: Duration, startsUp: Bool = true) {
        self.rise = max(1, rise)
        self.fall = max(1, fall)
        self.inter = inter
        self.fastinter = fastinter
        self.downinter = downinter
        self.isUp = startsUp
    }

    /// Records one check result.
    public mutating func record(success: Bool) -> Transition {
        if isUp {
            guard !success else {
                streak = 0
                return .none
            }
            streak += 1
            if streak >= fall {
                isUp = false
                streak = 0
                return .wentDown
            }
        } else {
            guard success else {
                streak = 0
                return .none
            }
            streak += 1
            if streak >= rise {
                isUp = true
                streak = 0
                return .cameUp
            }
        }
        return .none
    }

    /// When to check next.
    public var nextInterval: Duration {
        if streak > 0 { return fastinter }
        return isUp ? inter : downinter
    }
}
