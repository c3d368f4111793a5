import Testing
@testable import UsherRouting

/// Which checks `option log-health-checks` logs: HAProxy logs every change of the check's status
/// or of the server's health — the first check's result included (after `INI`).
struct HealthCheckLoggingTests {
    @Test func theFirstCheckIsLoggedEvenWhenTheHealthStaysTheSame() {
        // rise 1, fall 1: the server starts at full health, and a passed check leaves it there.
        var machine = HealthStateMachine(rise: 1, fall: 1, inter: .milliseconds(200), fastinter: .milliseconds(200), downinter: .seconds(100))
        let before = machine.health
        #expect(machine.record(success: true) == .none)
        #expect(machine.health == before)
        #expect(HealthStateMachine.logsCheck(previousStatus: "INI", status: "L4OK", healthBefore: before, healthAfter: machine.health))
    }

    @Test func aRepeatedResultIsNotLogged() {
        #expect(!HealthStateMachine.logsCheck(previousStatus: "L4OK", status: "L4OK", healthBefore: 3, healthAfter: 3))
        #expect(!HealthStateMachine.logsCheck(previousStatus: "L7OK", status: "L7OK", healthBefore: 4, healthAfter: 4))
    }

    @Test func aNewStatusOrAHealthChangeIsLogged() {
        #expect(HealthStateMachine.logsCheck(previousStatus: "L4OK", status: "L4TOUT", healthBefore: 4, healthAfter: 4))
        #expect(HealthStateMachine.logsCheck(previousStatus: "L4TOUT", status: "L4TOUT", healthBefore: 4, healthAfter: 3))
    }
}
