import Testing

/// HTTP mode, differentially: every scenario in `DifferentialScenarios` runs through HAProxy 2.6
/// and through usher with the same configuration and the same client bytes; what the origin
/// received and what the client got back must agree.
///
/// `USHER_DIFF_ONLY_HAPROXY=1` runs the HAProxy side only (its expectations still asserted);
/// `USHER_DIFF_SCENARIO=text` picks scenarios by name; `USHER_DIFF_VERBOSE=1` prints observations.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct HTTPDifferentialTests {
    @Test(arguments: DifferentialScenarios.all)
    func scenario(_ scenario: DifferentialScenario) {
        guard DifferentialSettings.selected(scenario.name) else { return }
        DifferentialRunner.verify(scenario)
    }

    /// Where usher deliberately differs from HAProxy 2.6, with why: the list for
    /// docs/differences-from-haproxy.md (printed with `USHER_DIFF_VERBOSE=1`).
    static var deliberateDifferences: [(name: String, reason: String)] {
        DifferentialScenarios.all.flatMap { scenario in scenario.deviations.map { (scenario.name, $0.reason) } }
            + MalformedRequestCases.all.compactMap { request in request.difference.map { (request.name, $0) } }
    }

    @Test func deliberateDifferencesSayWhy() {
        let differences = Self.deliberateDifferences
        #expect(differences.allSatisfy { !$0.reason.isEmpty })
        if DifferentialSettings.verbose {
            print(differences.map { "- \($0.name): \($0.reason)" }.joined(separator: "\n"))
        }
    }

    @Test func scenarioNamesAreUnique() {
        let names = DifferentialScenarios.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.count >= 30)
    }
}
