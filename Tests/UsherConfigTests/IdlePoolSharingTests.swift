import Testing
@testable import UsherConfig

/// `tune.idle-pool.shared on|off`: usher has no pool of idle server connections shared between
/// sessions, so `off` is what it does anyway and `on` has no effect (and says so).
struct IdlePoolSharingTests {
    func global(_ line: String) -> ConfigurationParser.Outcome {
        parse("global\n    \(line)\n" + quietDefaults + "\nfrontend fe\n    bind :80\n    default_backend be\nbackend be\n    server s 127.0.0.1:80\n")
    }

    @Test func offIsAcceptedSilently() {
        let outcome = global("tune.idle-pool.shared off")
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
    }

    @Test func onIsAcceptedWithAWarning() {
        let outcome = global("tune.idle-pool.shared on")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.diagnostics.contains { $0.severity == .warning && $0.message.contains("has no effect") }, "\(outcome.diagnostics)")
    }

    @Test func anythingElseIsAnError() throws {
        try global("tune.idle-pool.shared maybe").expectSingleAlert(line: 2, ["expects 'on' or 'off'"])
        try global("tune.idle-pool.shared").expectSingleAlert(line: 2, ["expects exactly one argument"])
    }
}

/// `tune.ssl.capture-buffer-size` / `tune.ssl.capture-cipherlist-size`: read and checked, with a
/// warning that they change nothing (usher has no `ssl_fc_cipherlist_*` fetches to size).
struct CipherListCaptureSizeTests {
    func global(_ line: String) -> ConfigurationParser.Outcome {
        parse("global\n    \(line)\n" + quietDefaults + "\nfrontend fe\n    bind :80\n    default_backend be\nbackend be\n    server s 127.0.0.1:80\n")
    }

    @Test(arguments: ["tune.ssl.capture-buffer-size", "tune.ssl.capture-cipherlist-size"])
    func acceptedWithAWarning(keyword: String) throws {
        let outcome = global("\(keyword) 2048")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.diagnostics.contains { $0.severity == .warning && $0.message.contains("has no effect") }, "\(outcome.diagnostics)")
        try global("\(keyword) lots").expectSingleAlert(line: 2, ["expects an integer"])
    }
}
