/// The `global` section's TLS keywords: base directories, the defaults of every `bind … ssl` and
/// `server … ssl`, and the session cache.
enum TLSGlobalKeywords {
    typealias Handler = @Sendable (ConfigurationLine, inout GlobalTLSSettings) throws -> Void

    static let table: [String: Handler] = [
        "crt-base": { line, tls in tls.certificateBase = try GlobalKeywords.single(line) },
        "ca-base": { line, tls in tls.caBase = try GlobalKeywords.single(line) },
        "ssl-default-bind-options": { line, tls in _ = try options(line, into: &tls.bindDefaults, extra: []) },
        "ssl-default-server-options": { line, tls in
            for word in try options(line, into: &tls.serverDefaults, extra: ["no-ssl-reuse", "ssl-reuse"]) {
                tls.serverSessionReuse = word == "ssl-reuse"
            }
        },
        "ssl-default-bind-ciphers": { line, tls in tls.bindDefaults.ciphers = try GlobalKeywords.single(line) },
        "ssl-default-bind-ciphersuites": { line, tls in tls.bindDefaults.cipherSuites = try GlobalKeywords.single(line) },
        "ssl-default-bind-curves": { line, tls in tls.bindDefaults.curves = try GlobalKeywords.single(line) },
        "ssl-default-bind-sigalgs": { line, tls in tls.bindDefaults.signatureAlgorithms = try GlobalKeywords.single(line) },
        "ssl-default-server-ciphers": { line, tls in tls.serverDefaults.ciphers = try GlobalKeywords.single(line) },
        "ssl-default-server-ciphersuites": { line, tls in tls.serverDefaults.cipherSuites = try GlobalKeywords.single(line) },
        "ssl-default-server-curves": { line, tls in tls.serverDefaults.curves = try GlobalKeywords.single(line) },
        "ssl-default-server-sigalgs": { line, tls in tls.serverDefaults.signatureAlgorithms = try GlobalKeywords.single(line) },
        "ssl-server-verify": { line, tls in
            let text = try GlobalKeywords.single(line)
            guard let verify = TLSVerify(rawValue: text), verify != .optional else {
                throw ConfigurationError("'ssl-server-verify' expects 'none' or 'required', not '\(text)'")
            }
            tls.serverVerify = verify
        },
        "ssl-dh-param-file": { line, tls in tls.dhParamFile = try GlobalKeywords.single(line) },
        "tune.ssl.default-dh-param": { line, tls in tls.defaultDHParamBits = try GlobalKeywords.integer(line, in: 1024...16384) },
        "tune.ssl.cachesize": { line, tls in tls.sessionCacheSize = try GlobalKeywords.integer(line) },
        "tune.ssl.lifetime": { line, tls in tls.sessionLifetime = try GlobalKeywords.duration(line) },
        "tune.ssl.maxrecord": { line, tls in tls.maxRecordSize = try GlobalKeywords.integer(line, in: 0...16384) },
        // Checked only: they size the capture of the ClientHello's cipher list for fetches usher lacks.
        "tune.ssl.capture-buffer-size": { line, _ in _ = try GlobalKeywords.integer(line, in: 0...65535) },
        "tune.ssl.capture-cipherlist-size": { line, _ in _ = try GlobalKeywords.integer(line, in: 0...65535) },
    ]

    /// Read, checked, and not applied: the warning each gives.
    static let notApplied: [String: String] = [
        "ssl-dh-param-file": "'ssl-dh-param-file' has no effect: usher's TLS library (BoringSSL) offers no DHE suites",
        "tune.ssl.default-dh-param": "'tune.ssl.default-dh-param' has no effect: usher's TLS library (BoringSSL) offers no DHE suites",
        "tune.ssl.cachesize": "'tune.ssl.cachesize' is not applied yet: the TLS library's own session cache size is used",
        "tune.ssl.lifetime": "'tune.ssl.lifetime' is not applied yet: the TLS library's own session lifetime is used",
        "tune.ssl.maxrecord": "'tune.ssl.maxrecord' is not applied yet: TLS records are as large as the library makes them",
        "tune.ssl.capture-buffer-size": "'tune.ssl.capture-buffer-size' has no effect: usher has none of the ssl_fc_cipherlist_* fetches whose capture it sizes",
        "tune.ssl.capture-cipherlist-size": "'tune.ssl.capture-cipherlist-size' has no effect: usher has none of the ssl_fc_cipherlist_* fetches whose capture it sizes",
        "ssl-default-bind-sigalgs": "'ssl-default-bind-sigalgs' is not applied yet",
        "ssl-default-server-sigalgs": "'ssl-default-server-sigalgs' is not applied yet",
    ]

    /// `ssl-default-bind-options` / `ssl-default-server-options`: a list of the options a `bind` or
    /// `server` line takes. Returns the words of `extra` (options only one side has) it met.
    static func options(_ line: ConfigurationLine, into options: inout TLSOptions, extra: Set<String>) throws -> [String] {
        var met: [String] = []
        var words = line.words.dropFirst()
        guard !words.isEmpty else { throw ConfigurationError("'\(line.keyword)' expects at least one option") }
        while let word = words.popFirst() {
            let known = try options.apply(word) {
                guard let value = words.popFirst() else { throw ConfigurationError("'\(word)' in '\(line.keyword)' expects a value") }
                return value
            }
            if known { continue }
            guard extra.contains(word) else { throw ConfigurationError("'\(word)' is not an option '\(line.keyword)' takes") }
            met.append(word)
        }
        return met
    }
}
