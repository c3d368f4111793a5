import UsherConfig

extension RoutingTable {
    /// The backend's check sequence: its `tcp-check` rules under `option tcp-check` (each rule's
    /// formats and expressions checked at its line), or the protocol check in effect.
    static func compileCheckProgram(_ proxy: Proxy, _ diagnostics: inout [Diagnostic]) -> TCPCheckProgram? {
        let settings = proxy.settings
        if settings.isEnabled("tcp-check"), !settings.tcpCheckRules.isEmpty {
            var failed = false
            for rule in settings.tcpCheckRules {
                do throws(RoutingError) { _ = try TCPCheckProgram(rules: [rule]) } catch {
                    diagnostics.append(.alert(rule.location, "in 'tcp-check' of \(proxy.kind.rawValue) '\(proxy.name)': \(error.message)"))
                    failed = true
                }
            }
            return failed ? nil : try? TCPCheckProgram(rules: settings.tcpCheckRules)
        }
        if let check = settings.protocolCheck, settings.isEnabled(check.optionName) {
            return TCPCheckProgram(protocolCheck: check)
        }
        return nil
    }
}
