import Crypto
import Foundation
import NIOSSL
import X509

/// A certificate and its key, made on the spot for the stand-in TLS services, so the demo and the
/// tests need no files.
public struct SelfSignedCertificate: Sendable {
    public let certificatePEM: String
    public let privateKeyPEM: String
    public let commonName: String

    /// A P-256 certificate for `names` (the first is the common name), valid for a week.
    public init(names: [String]) throws {
        let key = P256.Signing.PrivateKey()
        let commonName = names.first ?? "localhost"
        let subject = try DistinguishedName {
            OrganizationName("usher demo")
            CommonName(commonName)
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now - 3600,
            notValidAfter: now + 7 * 86_400,
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                SubjectAlternativeNames(names.map { .dnsName($0) })
            },
            issuerPrivateKey: .init(key)
        )
        self.certificatePEM = try certificate.serializeAsPEM().pemString
        self.privateKeyPEM = key.pemRepresentation
        self.commonName = commonName
    }

    /// A server-side TLS configuration presenting this certificate.
    public func serverTLSConfiguration() throws -> TLSConfiguration {
        let certificate = try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        return TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
    }

    /// Writes the certificate as a PEM file (for clients that want to verify it).
    public func writeCertificate(to path: String) throws {
        try certificatePEM.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
