import NIOCore
import NIOSSL
import UsherConfig
import UsherRouting

/// Everything a `bind … ssl` needs for each handshake, built once when the configuration is
/// loaded (loading certificates and building contexts does disk I/O and is slow): one TLS context
/// per certificate, in declaration order, and the chooser that picks one per server name.
final class BindTermination: Sendable {
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    let contexts: [NIOSSLContext]
    let chooser: CertificateChooser
    let helloParser: ClientHelloParser
    /// Warnings for settings the TLS library cannot apply, for the check's output.
    let warnings: [String]

    /// `alpn` is offered as written: in mode tcp the stream goes on as it is; in mode http a
    /// client that picks `h2` is served by `HTTP2ConnectionHandler`.
    init(bind: Bind, global: GlobalTLSSettings, helloParser: ClientHelloParser) throws {
        var warnings: [String] = []
        let options = bind.tls.options.over(global.bindDefaults)
        var entries: [CertificateChooser.Entry] = []
        var contexts: [NIOSSLContext] = []
        let certificates = try Self.certificates(of: bind, global: global)
        // An empty `crt` directory or crt-list: HAProxy refuses such a bind too.
        guard !certificates.isEmpty else { throw SetupError(description: "no certificate found in the bind's 'crt' and 'crt-list' sources") }
        for (file, listEntry) in certificates {
            var entryOptions = options
            var alpn = bind.tls.alpn
            var verify = bind.tls.verify
            var caFile = bind.tls.caFile.map(global.caPath)
            var noCANames = bind.tls.noCANames
            for option in listEntry?.options ?? [] {
                switch option.name {
                case "alpn": alpn = (option.value ?? "").split(separator: ",").map(String.init)
                case "verify":
                    guard let value = option.value.flatMap(TLSVerify.init(rawValue:)) else {
                        throw SetupError(description: "crt-list line for '\(file.path)': 'verify' expects 'none', 'optional' or 'required', not '\(option.value ?? "")'")
                    }
                    verify = value
                case "ca-file": caFile = option.value.map(global.caPath)
                case "no-ca-names": noCANames = true
                case "crl-file":
                    throw SetupError(description: "crt-list line for '\(file.path)': 'crl-file' is not supported by usher yet (revocation lists are not applied)")
                default:
                    if try !entryOptions.apply(option.name, value: { option.value ?? "" }) {
                        warnings.append("crt-list option '\(option.name)' (for '\(file.path)') is not applied by usher yet")
                    }
                }
            }
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: file.certificateChain.map { .certificate($0) }, privateKey: .privateKey(file.privateKey)
            )
            try Self.apply(entryOptions, to: &configuration, warnings: &warnings)
            // The library stops the process on a protocol name it cannot encode.
            if let bad = alpn.first(where: { $0.isEmpty || $0.utf8.count > 255 || !$0.unicodeScalars.allSatisfy(\.isASCII) }) {
                throw SetupError(description: "'alpn' protocol name '\(bad)' is not 1 to 255 ASCII characters")
            }
            configuration.applicationProtocols = alpn
            configuration.renegotiationSupport = .none
            // After its close_notify, the library waits this long for the client's before closing
            // the socket (its default is 5 s of a descriptor held for nothing; HAProxy does not wait).
            configuration.shutdownTimeout = .seconds(1)
            configuration.sendCANameList = !noCANames
            switch verify ?? .none {
            case .none: configuration.certificateVerification = .none
            case .optional: configuration.certificateVerification = .optionalVerification
            case .required: configuration.certificateVerification = .noHostnameVerification
            }
            if let verify, verify != .none {
                // HAProxy refuses a verify without CAs; a crt-list line could otherwise leave the
                // library trusting the system's store.
                guard let caFile else {
                    throw SetupError(description: "'verify \(verify.rawValue)' for '\(file.path)' needs a 'ca-file' to check client certificates against")
                }
                do {
                    configuration.trustRoots = try ServerTLSContext.loadTrustRoots(caFile)
                } catch {
                    throw SetupError(description: "\(error)")
                }
            }
            do {
                contexts.append(try NIOSSLContext(configuration: configuration))
            } catch {
                throw SetupError(description: "cannot use certificate '\(file.path)': \(error)")
            }
            entries.append(file.chooserEntry(sniFilters: listEntry?.sniFilters ?? []))
        }
        if bind.tls.caIgnoreErrors != nil || bind.tls.certificateIgnoreErrors != nil {
            warnings.append("'ca-ignore-err' and 'crt-ignore-err' are not applied yet: every verification error fails the handshake")
        }
        if bind.tls.allowEarlyData { warnings.append("'allow-0rtt' is not applied: usher accepts no early data") }
        if options.signatureAlgorithms != nil { warnings.append("'sigalgs' is not applied yet: the library's default signature algorithms are used") }
        self.contexts = contexts
        self.chooser = CertificateChooser(entries: entries, strictSNI: bind.tls.strictSNI)
        self.helloParser = helloParser
        self.warnings = warnings
    }

    /// The bind's certificates in declaration order, each with its crt-list line if it came from one.
    private static func certificates(of bind: Bind, global: GlobalTLSSettings) throws -> [(CertificateFile, CertificateList.Entry?)] {
        var result: [(CertificateFile, CertificateList.Entry?)] = []
        for source in bind.tls.certificates {
            switch source {
            case .file(let path):
                for file in try CertificateFile.load(crt: global.certificatePath(path)) { result.append((file, nil)) }
            case .list(let path):
                // HAProxy 2.6 applies `crt-base` to the certificates a list names, not to the list.
                let list = try CertificateListParser().parse(file: path, crtBase: global.certificateBase)
                for entry in list.entries {
                    for file in try CertificateFile.load(crt: entry.certificatePath) { result.append((file, entry)) }
                }
            }
        }
        return result
    }

    /// Versions, ciphers and curves onto the library's configuration; what it cannot do, said.
    private static func apply(_ options: TLSOptions, to configuration: inout TLSConfiguration, warnings: inout [String]) throws {
        guard let versions = options.allowedVersions else {
            throw SetupError(description: "the TLS version options leave no version allowed")
        }
        func libraryVersion(_ version: TLSProtocolVersion) -> TLSVersion? {
            switch version {
            case .sslv3: return nil
            case .tlsv1_0: return .tlsv1
            case .tlsv1_1: return .tlsv11
            case .tlsv1_2: return .tlsv12
            case .tlsv1_3: return .tlsv13
            }
        }
        guard let highest = libraryVersion(versions.upperBound) else {
            throw SetupError(description: "SSLv3 is not supported by usher's TLS library")
        }
        configuration.minimumTLSVersion = libraryVersion(versions.lowerBound) ?? .tlsv1
        configuration.maximumTLSVersion = highest
        if let ciphers = options.ciphers {
            // swift-nio-ssl stops the process on a list BoringSSL refuses: it is read here first.
            if let problem = BoringSSLCipherList.problem(ciphers) { throw SetupError(description: "'ciphers \(ciphers)': \(problem)") }
            configuration.cipherSuites = ciphers
        }
        if let curves = options.curves {
            configuration.curves = try curves.split(separator: ":").map { name in
                guard let curve = curveNames[String(name)] else {
                    throw SetupError(description: "unknown curve '\(name)' (known: \(curveNames.keys.sorted().joined(separator: ", ")))")
                }
                return curve
            }
        }
        if options.cipherSuites != nil, !warnings.contains(where: { $0.hasPrefix("'ciphersuites'") }) {
            warnings.append("'ciphersuites' is not applied: usher's TLS library (BoringSSL) always offers its TLS 1.3 suites")
        }
        if options.noTLSTickets == true, !warnings.contains(where: { $0.hasPrefix("'no-tls-tickets'") }) {
            warnings.append("'no-tls-tickets' is not applied: usher's TLS library gives no switch for it")
        }
    }

    static let curveNames: [String: NIOTLSCurve] = [
        "X25519": .x25519, "x25519": .x25519,
        "P-256": .secp256r1, "prime256v1": .secp256r1, "secp256r1": .secp256r1,
        "P-384": .secp384r1, "secp384r1": .secp384r1,
        "P-521": .secp521r1, "secp521r1": .secp521r1,
    ]
}
