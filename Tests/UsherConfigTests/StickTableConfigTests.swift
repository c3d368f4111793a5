import Testing
@testable import UsherConfig

/// `stick-table` options usher reads but does not apply yet are said so at the line.
@Suite struct StickTableConfigTests {
    @Test func unappliedOptionsWarn() {
        let outcome = parse(quietDefaults + "\nbackend be\n    stick-table type ip size 1k srvkey addr store server_key\n    server s 127.0.0.1:80\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.warnings.contains { $0.location?.line == 6 && $0.message.contains("'srvkey addr' and 'store server_key' not applied") }, "\(outcome.warnings)")
        let plain = parse(quietDefaults + "\nbackend be\n    stick-table type ip size 1k srvkey name store conn_cur\n    server s 127.0.0.1:80\n")
        #expect(!plain.warnings.contains { $0.message.contains("not applied") }, "\(plain.warnings)")
    }
}
