import UsherConfig

extension ConfigurationLoader {
    /// Loads what the servers' TLS needs, as HAProxy does while checking a configuration, so that
    /// `usher -c` reports a missing or unreadable `ca-file` or `crt`, or a cipher list the TLS
    /// library refuses, at the server's line. A `ca-file` is read even on a plain server (HAProxy
    /// reads it while parsing the line); the rest only where the server's TLS is prepared. The
    /// contexts made here are dropped: the runtime makes its own when it starts.
    static func serverTLSProblems(_ configuration: Configuration) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let global = configuration.global.tls
        for proxy in configuration.proxies where proxy.kind.hasBackendCapability && !proxy.isDisabled {
            for server in proxy.servers {
                let settings = server.tlsSettings(global: global)
                let name = "server '\(proxy.name)/\(server.name)'"
                do {
                    if server.preparesTLS {
                        // No version left is reported by the configuration's own checks.
                        guard settings.versions != nil else { continue }
                        _ = try ServerTLSContext(settings: settings)
                    } else {
                        _ = try ServerTLSContext.loadTrustRoots(settings.caFile)
                    }
                } catch {
                    problems.append(.alert(server.location, "\(name): \(error.description)"))
                }
            }
        }
        return problems
    }
}
