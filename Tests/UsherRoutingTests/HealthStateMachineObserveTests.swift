import Testing
import UsherConfig

@testable import UsherRouting

/// `on-error` modes, applied when `observe` saw `error-limit` errors in a row.
@Suite("HealthStateMachine on-error")
struct HealthStateMachineObserveTests {
    static func upServer() -> HealthStateMachine {
        var machine = HealthStateMachine(rise: 2, fall: 3, inter: .seconds(2), fastinter: .milliseconds(500), downinter: .seconds(5))
        _ = machine.record(success: true)  // full health: 4
        return machine
    }

    @Test func modes() {
        var fast = Self.upServer()
        #expect(fast.observedErrors(.fastinter) == .none && fast.health == 4)
        var failCheck = Self.upServer()
        #expect(failCheck.observedErrors(.failCheck) == .none && failCheck.health == 3)
        var sudden = Self.upServer()
        #expect(sudden.observedErrors(.suddenDeath) == .none && sudden.isUp)
        #expect(sudden.record(success: false) == .wentDown)
        var markDown = Self.upServer()
        #expect(markDown.observedErrors(.markDown) == .wentDown && !markDown.isUp)
        #expect(markDown.observedErrors(.markDown) == .none)
    }
}
