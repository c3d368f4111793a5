import Foundation
import NIOCore
import NIOSSL
import UsherConfig

/// A server's TLS, prepared once per configuration: its CA certificates, client certificate and
/// protocol settings loaded into one `NIOSSLContext` for traffic (and a second one for health
/// checks when `check-alpn` differs from `alpn`, the only setting that may differ between them).
/// Each connection only makes a `NIOSSLClientHandler` from it.
///
/// Session reuse: HAProxy resumes the server's last TLS session on a new connection unless
/// `no-ssl-reuse`. swift-nio-ssl (2.37) gives client connections no access to their sessions
/// (BoringSSL's `SSL_set_session` is not exposed, and a client context keeps no cache of its own),
/// so every connection makes a full handshake, whatever `ssl-reuse` says. It costs the server and
/// usher CPU, not correctness.
final class ServerTLSContext: Sendable {
    let settings: ServerTLSSettings
    private let trafficContext: NIOSSLContext
    private let checkContext: NIOSSLContext

    /// How long a closing connection waits for the server's close_notify after sending its own.
    /// HAProxy does not wait; usher waits a moment so that its own close_notify is flushed.
    static let shutdownTimeout = TimeAmount.milliseconds(100)

    init(settings: ServerTLSSettings) throws(ServerTLSSetupError) {
        self.settings = settings
        var configuration = TLSConfiguration.makeClientConfiguration()
        guard let versions = settings.versions else { throw ServerTLSSetupError("its TLS options leave no protocol version enabled") }
        configuration.minimumTLSVersion = Self.nioVersion(versions.lowerBound)
        configuration.maximumTLSVersion = Self.nioVersion(versions.upperBound)
        if let ciphers = settings.options.ciphers {
            // Checked first: swift-nio-ssl stops the process on a list BoringSSL refuses.
            if let problem = BoringSSLCipherList.problem(ciphers) {
                throw ServerTLSSetupError("unable to use the cipher list '\(ciphers)': \(problem)")
            }
            configuration.cipherSuites = ciphers
        }
        configuration.shutdownTimeout = Self.shutdownTimeout
        let trustRoots = try Self.loadTrustRoots(settings.caFile)
        switch settings.verify {
        case .required:
            // The chain is checked by BoringSSL against `ca-file`; the name, which is the SNI sent or
            // `verifyhost` (not the address connected to), by `ServerTLSWatchHandler`.
            configuration.certificateVerification = .noHostnameVerification
            if let trustRoots { configuration.trustRoots = trustRoots }
        case .none, .optional:
            configuration.certificateVerification = .none
        }
        if let path = settings.certificate {
            let (chain, key) = try Self.loadClientCertificate(path)
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(key)
        }
        configuration.applicationProtocols = settings.alpn
        do {
            trafficContext = try NIOSSLContext(configuration: configuration)
            if settings.checkALPN == settings.alpn {
                checkContext = trafficContext
            } else {
                configuration.applicationProtocols = settings.checkALPN
                checkContext = try NIOSSLContext(configuration: configuration)
            }
        } catch {
            throw ServerTLSSetupError("its TLS settings were refused: \(error)")
        }
    }

    /// Adds the TLS client and the handshake watcher to a new connection's pipeline. `completion`
    /// runs once, on the channel's event loop, when the handshake (and the name check) succeeded or
    /// failed, or `deadline` passed.
    ///
    /// - Parameter serverName: the evaluated `sni` (or `check-sni`): sent in the ClientHello when it
    ///   is a host name (an IP address cannot be sent, RFC 6066), and checked against the
    ///   certificate with `verify required`.
    func addHandlers(
        to channel: Channel, serverName: String?, forCheck: Bool, deadline: NIODeadline,
        completion: @escaping (Result<Void, ServerTLSHandshakeError>) -> Void
    ) throws {
        let context = forCheck ? checkContext : trafficContext
        // NIOSSL refuses a name that cannot go in the extension (an IP address, an empty or too
        // long one): the hello then goes without SNI.
        let client = try serverName.flatMap { try? NIOSSLClientHandler(context: context, serverHostname: $0) }
            ?? NIOSSLClientHandler(context: context, serverHostname: nil)
        let watcher = ServerTLSWatchHandler(expectedName: settings.nameToVerify(sentSNI: serverName), deadline: deadline, completion: completion)
        try channel.pipeline.syncOperations.addHandlers([client, watcher])
    }

    private static func nioVersion(_ version: TLSProtocolVersion) -> TLSVersion {
        switch version {
        case .sslv3, .tlsv1_0: return .tlsv1
        case .tlsv1_1: return .tlsv11
        case .tlsv1_2: return .tlsv12
        case .tlsv1_3: return .tlsv13
        }
    }

    /// `ca-file`: a PEM file, or a directory whose `.pem`, `.crt` and `.cer` files are read (as
    /// HAProxy does), or `@system-ca`.
    static func loadTrustRoots(_ path: String?) throws(ServerTLSSetupError) -> NIOSSLTrustRoots? {
        guard let path else { return nil }
        if path == ServerTLSSettings.systemCA { return .default }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ServerTLSSetupError("cannot open its 'ca-file' '\(path)': No such file or directory")
        }
        var files = [path]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { name in !name.hasPrefix(".") && [".pem", ".crt", ".cer"].contains { name.hasSuffix($0) } }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
        }
        var certificates: [NIOSSLCertificate] = []
        for file in files {
            // A file of the directory that holds no certificate (a key, a CRL) is passed over.
            if let found = try? NIOSSLCertificate.fromPEMFile(file) { certificates += found }
        }
        guard !certificates.isEmpty else {
            throw ServerTLSSetupError("its 'ca-file' '\(path)' holds no PEM certificate")
        }
        return .certificates(certificates)
    }

    /// `crt`: the certificate chain and the private key, in the same PEM file or the key in
    /// `FILE.key`.
    static func loadClientCertificate(_ path: String) throws(ServerTLSSetupError) -> ([NIOSSLCertificate], NIOSSLPrivateKey) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ServerTLSSetupError("cannot open its 'crt' '\(path)': No such file or directory")
        }
        guard let chain = try? NIOSSLCertificate.fromPEMFile(path), !chain.isEmpty else {
            throw ServerTLSSetupError("its 'crt' '\(path)' holds no PEM certificate")
        }
        if let key = try? NIOSSLPrivateKey(file: path, format: .pem) { return (chain, key) }
        if let key = try? NIOSSLPrivateKey(file: path + ".key", format: .pem) { return (chain, key) }
        throw ServerTLSSetupError("its 'crt' '\(path)' holds no private key (nor does '\(path).key')")
    }
}

/// Why a server's TLS could not be prepared: a file missing or unreadable, a cipher list refused.
struct ServerTLSSetupError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
