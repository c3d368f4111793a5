extension SampleFetch {
    /// The fetches that read the client connection's TLS handshake (`bind … ssl`). On a plain
    /// connection the booleans are false and the others have no value, as in HAProxy.
    static let tls: [SampleFetch] = [
        flag("ssl_fc") { _ in true },
        flag("ssl_fc_has_sni") { $0.serverName != nil },
        // HAProxy's name is `ssl_fc_is_resumed`; the issue that asked for it says `ssl_fc_session_reused`.
        flag(["ssl_fc_is_resumed", "ssl_fc_session_reused"]) { $0.sessionReused },
        // usher accepts no early data.
        flag("ssl_fc_has_early") { _ in false },
        // On a resumed session no certificate was sent in this handshake (HAProxy's doc).
        flag("ssl_fc_has_crt") { $0.clientCertificate != nil && !$0.sessionReused },
        flag("ssl_c_used") { $0.clientCertificate != nil },
        text("ssl_fc_sni") { $0.serverName },
        text("ssl_fc_protocol") { $0.version?.description },
        text("ssl_fc_alpn") { $0.alpn },
        text("ssl_fc_cipher") { $0.cipher },
        number(["ssl_fc_use_keysize", "ssl_fc_alg_keysize"]) { $0.cipherKeyBits },
        number(["ssl_c_verify"]) { $0.verifyResult },
        // A request only exists on a connection whose handshake succeeded: no error to report.
        number(["ssl_fc_err", "ssl_c_err", "ssl_c_ca_err"]) { _ in 0 },
        number(["ssl_c_version"]) { $0.clientCertificate?.version },
        text("ssl_c_notafter") { $0.clientCertificate?.notAfter },
        text("ssl_c_notbefore") { $0.clientCertificate?.notBefore },
        SampleFetch(names: ["ssl_c_serial"], defaultMatch: .binary, readsPayload: false, make: noArguments { context in
            context.connection.tls?.clientCertificate.map { .value(.binary($0.serial)) } ?? .noValue
        }),
        SampleFetch(names: ["ssl_c_sha1"], defaultMatch: .binary, readsPayload: false, make: noArguments { context in
            context.connection.tls?.clientCertificate.map { .value(.binary($0.sha1)) } ?? .noValue
        }),
        distinguishedName("ssl_c_s_dn", \.subject),
        distinguishedName("ssl_c_i_dn", \.issuer),
    ]

    private static func flag(_ name: String, _ read: @escaping @Sendable (TLSConnectionInfo) -> Bool) -> SampleFetch {
        flag([name], read)
    }

    private static func flag(_ names: [String], _ read: @escaping @Sendable (TLSConnectionInfo) -> Bool) -> SampleFetch {
        SampleFetch(names: names, defaultMatch: .boolean, readsPayload: false, make: noArguments { context in
            .value(.boolean(context.connection.tls.map(read) ?? false))
        })
    }

    private static func text(_ name: String, _ read: @escaping @Sendable (TLSConnectionInfo) -> String?) -> SampleFetch {
        SampleFetch(names: [name], defaultMatch: .string, readsPayload: false, make: noArguments { context in
            guard let value = context.connection.tls.flatMap(read) else { return .noValue }
            return .value(.string(value))
        })
    }

    private static func number(_ names: [String], _ read: @escaping @Sendable (TLSConnectionInfo) -> Int?) -> SampleFetch {
        SampleFetch(names: names, defaultMatch: .integer, readsPayload: false, make: noArguments { context in
            guard let value = context.connection.tls.flatMap(read) else { return .noValue }
            return .value(.integer(Int64(value)))
        })
    }

    /// `ssl_c_s_dn([field[,occurrence]])`: the whole DN, or one attribute's value.
    private static func distinguishedName(
        _ name: String, _ part: KeyPath<TLSConnectionInfo.ClientCertificate, [(type: String, value: String)]> & Sendable
    ) -> SampleFetch {
        SampleFetch(names: [name], defaultMatch: .string, readsPayload: false, make: { arguments throws(RoutingError) in
            guard arguments.count <= 2 else { throw RoutingError("'\(name)' takes at most a field name and an occurrence") }
            let field = arguments.first
            let occurrence = arguments.count == 2 ? Int(arguments[1]) : 1
            guard let occurrence else { throw RoutingError("'\(name)' expects an occurrence number, not '\(arguments[1])'") }
            return Readers(single: { context in
                guard let certificate = context.connection.tls?.clientCertificate,
                    let value = TLSConnectionInfo.ClientCertificate.distinguishedName(certificate[keyPath: part], field: field, occurrence: occurrence)
                else { return .noValue }
                return .value(.string(value))
            }, all: nil)
        })
    }
}
