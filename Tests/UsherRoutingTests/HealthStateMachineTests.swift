import Testing
@testable import UsherRouting

@Suite("Health check state machine")
struct HealthStateMachineTests {
    static func machine(rise: Int = 2, fall: Int = 3, startsUp: Bool = true) -> HealthStateMachine {
        HealthStateMachine(rise: rise, fall: fall, inter: .seconds(2), fastinter: .milliseconds(500), downinter: .seconds(10), startsUp: startsUp)
    }

    func record(_ machine: inout HealthStateMachine, _ results: String) -> [HealthStateMachine.Transition] {
        results.map { machine.record(success: $0 == "+") }
    }

    /// HAProxy starts a checked server "up, but will fall down at first failure" (health = rise).
    @Test func aNewServerGoesDownAtItsFirstFailure() {
        var m = Self.machine()
        #expect(m.isUp)
        #expect(m.record(success: false) == .wentDown)
        #expect(!m.isUp)
    }

    @Test func aNewServerReachesFullHealthWithOneSuccess() {
        var m = Self.machine()
        #expect(m.record(success: true) == .none)
        #expect(m.health == m.fullHealth)
        #expect(m.fullHealth == 4)
    }

    /// Observed with HAProxy 2.6 (inter 2s, rise 2, fall 3): DOWN about 6 s after the server stops,
    /// i.e. after three failed checks.
    @Test func fallConsecutiveFailuresTakeAHealthyServerDown() {
        var m = Self.machine()
        _ = m.record(success: true)
        #expect(record(&m, "--") == [.none, .none])
        #expect(m.isUp)
        #expect(m.record(success: false) == .wentDown)
        #expect(!m.isUp)
        #expect(m.health == 0)
    }

    @Test func aSuccessWhileUpRestoresFullHealth() {
        var m = Self.machine()
        _ = m.record(success: true)
        #expect(record(&m, "--+--") == [.none, .none, .none, .none, .none])
        #expect(m.isUp)
        #expect(m.record(success: false) == .wentDown)
    }

    @Test func riseConsecutiveSuccessesBringADownServerUp() {
        var m = Self.machine()
        _ = m.record(success: false)
        #expect(record(&m, "+-+") == [.none, .none, .none])
        #expect(!m.isUp)
        #expect(m.record(success: true) == .cameUp)
        #expect(m.isUp)
        #expect(m.health == m.fullHealth)
        // And back at full health it takes `fall` failures again.
        #expect(record(&m, "---") == [.none, .none, .wentDown])
    }

    @Test func aServerThatStartsDownNeedsRiseSuccesses() {
        var m = Self.machine(rise: 3, startsUp: false)
        #expect(!m.isUp)
        #expect(record(&m, "++") == [.none, .none])
        #expect(m.record(success: true) == .cameUp)
    }

    @Test func failuresWhileDownChangeNothing() {
        var m = Self.machine(startsUp: false)
        #expect(record(&m, "-----") == [.none, .none, .none, .none, .none])
        #expect(m.health == 0)
    }

    @Test func riseAndFallOfOne() {
        var m = Self.machine(rise: 1, fall: 1)
        #expect(record(&m, "-+-+") == [.wentDown, .cameUp, .wentDown, .cameUp])
    }

    @Test func zeroCountsAreTreatedAsOne() {
        let m = HealthStateMachine(rise: 0, fall: 0, inter: .seconds(1), fastinter: .seconds(1), downinter: .seconds(1))
        #expect(m.rise == 1)
        #expect(m.fall == 1)
    }

    // MARK: - Intervals (HAProxy's srv_getinter)

    @Test func intervalIsInterAtFullHealth() {
        var m = Self.machine()
        _ = m.record(success: true)
        #expect(m.nextInterval == .seconds(2))
    }

    @Test func intervalIsFastinterWhileAChangeIsUnderWay() {
        var m = Self.machine()
        // At start (health = rise, not full).
        #expect(m.nextInterval == .milliseconds(500))
        _ = m.record(success: true)
        _ = m.record(success: false)
        #expect(m.nextInterval == .milliseconds(500))
        _ = m.record(success: false)
        _ = m.record(success: false)
        // Down at health 0.
        #expect(m.nextInterval == .seconds(10))
        _ = m.record(success: true)
        // Down but rising.
        #expect(m.nextInterval == .milliseconds(500))
        _ = m.record(success: true)
        #expect(m.nextInterval == .seconds(2))
    }
}
