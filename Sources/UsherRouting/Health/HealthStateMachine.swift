/// A checked server's health as HAProxy counts it: a `health` counter from 0 to `rise + fall - 1`;
/// the server is up while it is at least `rise`.
///
/// - A failed check lowers it by one; once it drops below `rise` the server goes down and the
///   counter restarts from 0. A server at full health thus goes down after `fall` consecutive
///   failures.
/// - A successful check raises it by one; once it reaches `rise` the server is (back) up at full
///   health. A down server thus comes up after `rise` consecutive successes.
/// - A new server starts up but at health `rise`, "up, but will fall down at first failure", as in
///   HAProxy: one failed check takes down a server that never passed one.
///
/// Checks run every `inter` at full health, every `downinter` while down at health 0, and every
/// `fastinter` in between (a change under way, or the start).
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
    /// HAProxy's health counter, `0...rise + fall - 1`.
    public private(set) var health: Int

    /// `startsUp`: the server is considered up before its first check (HAProxy's default), at
    /// health `rise`; otherwise it starts down at 0 and needs `rise` successes.
    public init(rise: Int, fall: Int, inter: Duration, fastinter: Duration, downinter: Duration, startsUp: Bool = true) {
        self.rise = max(1, rise)
        self.fall = max(1, fall)
        self.inter = inter
        self.fastinter = fastinter
        self.downinter = downinter
        self.health = startsUp ? self.rise : 0
    }

    public var isUp: Bool { health >= rise }

    /// The highest health: up, and `fall` failures away from going down.
    public var fullHealth: Int { rise + fall - 1 }

    /// Records one check result.
    public mutating func record(success: Bool) -> Transition {
        let wasUp = isUp
        if success {
            if health < fullHealth {
                health += 1
                if health >= rise { health = fullHealth }
            }
        } else if health > 0 {
            health -= 1
            if health < rise { health = 0 }
        }
        switch (wasUp, isUp) {
        case (true, false): return .wentDown
        case (false, true): return .cameUp
        default: return .none
        }
    }

    /// Sets the health counter (`on-error sudden-death`, `mark-down`, a reload in place going on
    /// from the replaced checker's count).
    public mutating func setHealth(_ value: Int) {
        health = min(max(0, value), fullHealth)
    }

    /// When to check next.
    public var nextInterval: Duration {
        if health == fullHealth { return inter }
        if health == 0 { return downinter }
        return fastinter
    }
}
