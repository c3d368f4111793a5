/// A server's TLS as it runs: its line over its `default-server` over the `global` section's
/// defaults (`ssl-server-verify`, `ssl-default-server-*`), with file paths resolved against
/// `ca-base` and `crt-base`. Built by `Server.tlsSettings(global:)`.
public struct ServerTLSSettings: Sendable, Equatable {
    public var verify: TLSVerify
    /// Checked when no SNI was sent (`verifyhost`).
    public var verifyHost: String?
    /// A path, or `@system-ca` for the system's trust store.
    public var caFile: String?
    public var crlFile: String?
    /// The client certificate's PEM file (its key in the same file, or in `FILE.key`).
    public var certificate: String?
    public var sni: SampleExpression?
    public var alpn: [String]
    public var checkSNI: String?
    /// What health checks offer: `check-alpn`, else the server's `alpn` (as `check-alpn` says).
    public var checkALPN: [String]
    /// `no-ssl-reuse` turns it off. (usher cannot resume client sessions yet: see
    /// `ServerTLSContext`.)
    public var sessionReuse: Bool
    public var options: TLSOptions

    /// `ca-file @system-ca`
    public static let systemCA = "@system-ca"

    /// The versions usher's TLS library speaks: no SSLv3 (nor does the OpenSSL of HAProxy 2.6's
    /// usual builds).
    public static let supportedVersions = TLSProtocolVersion.tlsv1_0...TLSProtocolVersion.tlsv1_3

    /// The versions a connection may use, nil when the options leave none that usher speaks.
    public var versions: ClosedRange<TLSProtocolVersion>? {
        guard let allowed = options.allowedVersions, allowed.overlaps(Self.supportedVersions) else { return nil }
        return allowed.clamped(to: Self.supportedVersions)
    }

    /// The name the server's certificate must carry on a connection that sent `sentSNI`: with
    /// `verify required`, the SNI sent, else `verifyhost`, else none (the chain alone is checked,
    /// as in HAProxy, which is why it advises `verifyhost` where no SNI is sent).
    public func nameToVerify(sentSNI: String?) -> String? {
        guard verify == .required else { return nil }
        if let sentSNI, !sentSNI.isEmpty { return sentSNI }
        return verifyHost
    }
}

extension Server {
    /// `ssl`: traffic to the server is encrypted.
    public var usesTLS: Bool { options.tls.ssl == true }

    /// Whether health checks run over TLS: `check-ssl`, or `ssl` when the checks go to the server's
    /// own address and port (a check `port` or `addr` means another service, which must say
    /// `check-ssl` itself). `no-check-ssl` only undoes an inherited `check-ssl`.
    public var checksUseTLS: Bool {
        if options.tls.checkSSL == true { return true }
        return usesTLS && options.checkPort == nil && options.checkAddress == nil
    }

    /// Whether HAProxy would prepare (and so check) this server's TLS settings: it uses TLS for
    /// traffic or checks, or a `default-server` said `ssl`.
    public var preparesTLS: Bool { usesTLS || checksUseTLS || options.tls.sslFromDefaultServer }

    /// The server's TLS with every default applied.
    public func tlsSettings(global: GlobalTLSSettings) -> ServerTLSSettings {
        let tls = options.tls
        func caPath(_ path: String?) -> String? {
            guard let path else { return nil }
            return path == ServerTLSSettings.systemCA ? path : global.caPath(path)
        }
        let verifyHost = tls.verifyHost.flatMap { $0.isEmpty ? nil : $0 }
        return ServerTLSSettings(
            verify: tls.verify ?? global.serverVerify, verifyHost: verifyHost,
            caFile: caPath(tls.caFile), crlFile: caPath(tls.crlFile), certificate: tls.certificate.map(global.certificatePath),
            sni: tls.sni, alpn: tls.alpn ?? [], checkSNI: tls.checkSNI, checkALPN: tls.checkALPN ?? tls.alpn ?? [],
            sessionReuse: tls.sessionReuse ?? global.serverSessionReuse ?? true, options: tls.options.over(global.serverDefaults)
        )
    }
}
