extension ConfigurationChecks {
    /// What HAProxy 2.6 refuses once a server's TLS settings are complete (its line, its
    /// `default-server`, the `global` defaults), and what usher cannot do with them. Only servers
    /// whose TLS HAProxy prepares are checked: a `verify` on a plain server is inert.
    /// Files (`ca-file`, `crt`) and cipher lists are checked where they are loaded, by the proxy.
    static func checkServerTLS(_ proxy: Proxy, global: GlobalTLSSettings, into diagnostics: inout [Diagnostic]) {
        guard proxy.kind.hasBackendCapability, !proxy.isDisabled else { return }
        for server in proxy.servers where server.preparesTLS {
            let name = "server '\(proxy.name)/\(server.name)'"
            let settings = server.tlsSettings(global: global)
            if settings.verify == .required, settings.caFile == nil {
                diagnostics.append(.alert(server.location, "\(name) checks the server's certificate ('verify required', the default without 'ssl-server-verify none') but has no 'ca-file' to check it against: add 'ca-file FILE' (or 'ca-file @system-ca'), or say 'verify none' if the network between usher and the server is trusted"))
            }
            if settings.versions == nil {
                diagnostics.append(.alert(server.location, "\(name): its TLS options leave no protocol version enabled (usher speaks TLSv1.0 to TLSv1.3)"))
            }
            if let warning = settings.options.warning {
                diagnostics.append(.warning(server.location, warning + " (\(name))"))
            }
            if settings.options.cipherSuites != nil {
                diagnostics.append(.warning(server.location, "'ciphersuites' is not applied by usher yet: its TLS library (BoringSSL) offers its own fixed TLS 1.3 suites to \(name)"))
            }
            if proxy.mode == .http {
                // usher speaks HTTP/1.1 to servers: a server that picked h2 would get a request it
                // cannot read.
                let offered = (server.usesTLS ? settings.alpn : []) + (server.checksUseTLS ? settings.checkALPN : [])
                if let other = offered.first(where: { $0 != "http/1.1" && $0 != "http/1.0" }) {
                    diagnostics.append(.alert(server.location, "\(name) offers '\(other)' in its ALPN list: usher speaks HTTP/1.1 to servers, so other protocols are not supported by usher yet (offer 'http/1.1' or leave 'alpn' out)"))
                }
            }
        }
    }
}
