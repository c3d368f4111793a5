import Crypto
import Foundation
import NIOSSL
import UsherConfig
import UsherRouting
import X509

/// One certificate of a TLS `bind`, read from a PEM file as HAProxy reads a `crt` file.
///
/// The file holds the certificate, then usually its chain and its private key, in any order: the
/// first certificate is the server's, the others its chain in file order, the first private key
/// its key. A file without a key gets it from `FILE.key` beside it (HAProxy's
/// `ssl-load-extra-files` default, `all`). HAProxy's other extra files (`FILE.ocsp` for OCSP
/// stapling, `FILE.issuer` for the OCSP responder's issuer, `FILE.sctl` for certificate
/// transparency) are not read: usher staples no OCSP response and sends no SCT list yet.
///
/// The key is checked against the certificate here, when the configuration is loaded, so that a
/// mismatch is an error naming the file instead of a handshake failure at the first client.
public struct CertificateFile: Sendable {
    /// How extra files are looked for: HAProxy's `ssl-load-extra-files` and `ssl-load-extra-del-ext`.
    public struct ExtraFiles: Sendable, Hashable {
        /// Read the key from `FILE.key` when `FILE` has none (`key`, part of `all`).
        public var key: Bool
        /// When `FILE` does not exist, load `FILE.dsa`, `FILE.ecdsa` and `FILE.rsa` instead, each
        /// as a certificate of its own (a "certificate bundle"; `bundle`, part of `all`).
        public var bundle: Bool
        /// `ssl-load-extra-del-ext`: the key of `site.crt` is `site.key`, not `site.crt.key`.
        public var replacesExtension: Bool

        public init(key: Bool = true, bundle: Bool = true, replacesExtension: Bool = false) {
            self.key = key
            self.bundle = bundle
            self.replacesExtension = replacesExtension
        }

        /// HAProxy's default.
        public static let all = ExtraFiles()
    }

    /// The file the certificate was read from.
    public var path: String
    /// The file the private key was read from: `path`, or the `.key` file beside it.
    public var keyPath: String
    /// The server's certificate first, then the chain as the file gives it.
    public var certificateChain: [NIOSSLCertificate]
    public var privateKey: NIOSSLPrivateKey
    /// The server's certificate, decoded.
    public var certificate: Certificate
    /// The names the certificate serves, lowercased, without repeats: its DNS subject alternative
    /// names, then its subject common names. HAProxy indexes both (not the common name only when
    /// there is no SAN, as a browser would match).
    public var dnsNames: [String]
    public var notAfter: Date
    /// The kind of key, for choosing between an RSA and an ECDSA certificate for the same name.
    public var keyType: CertificateChooser.KeyType

    /// The largest certificate or key file read; a certificate with its chain is a few kilobytes.
    static let sizeLimit = 1 << 20

    /// Reads the certificate file at `path` (a file, not a directory: see ``load(crt:extraFiles:)``).
    public init(path: String, extraFiles: ExtraFiles = .all) throws(CertificateFileError) {
        let blocks = try PEMBlock.blocks(in: Self.read(path))
        let certificateBlocks = blocks.filter(\.isCertificate)
        guard !certificateBlocks.isEmpty else {
            throw CertificateFileError(.noCertificate, path: path, "no certificate found in '\(path)' (expected a '-----BEGIN CERTIFICATE-----' block)")
        }
        var chain: [NIOSSLCertificate] = []
        var leaf: Certificate?
        for (position, block) in certificateBlocks.enumerated() {
            let what = position == 0 ? "the certificate" : "certificate \(position + 1) (of the chain)"
            do {
                guard let der = block.der else { throw PEMBodyError() }
                chain.append(try NIOSSLCertificate(bytes: der, format: .der))
                if position == 0 { leaf = try Certificate(derEncoded: der) }
            } catch {
                throw CertificateFileError(.invalidCertificate, path: path, "cannot read \(what) in '\(path)': \(Self.describe(error))")
            }
        }
        guard let leaf else { preconditionFailure("the first certificate is decoded or has thrown") }

        let (keyBlock, keyPath) = try Self.findKey(blocks, path: path, extraFiles: extraFiles)
        let (nioKey, key) = try Self.decodeKey(keyBlock, path: keyPath)
        guard key.publicKey == leaf.publicKey else {
            let whose = keyPath == path ? "its certificate" : "the certificate in '\(path)'"
            throw CertificateFileError(.keyMismatch, path: keyPath, "the private key in '\(keyPath)' does not match \(whose)")
        }

        self.path = path
        self.keyPath = keyPath
        self.certificateChain = chain
        self.privateKey = nioKey
        self.certificate = leaf
        self.dnsNames = try Self.names(of: leaf, path: path)
        self.notAfter = leaf.notValidAfter
        self.keyType = Self.keyType(of: leaf.publicKey)
    }

    /// This certificate as the ``CertificateChooser`` sees it, with the SNI filters of its crt-list line.
    public func chooserEntry(sniFilters: [String] = [], mayBeDefault: Bool = true) -> CertificateChooser.Entry {
        CertificateChooser.Entry(names: dnsNames, sniFilters: sniFilters, mayBeDefault: mayBeDefault, keyType: keyType)
    }

    /// The key block: the file's first private key, else the first of `FILE.key`. An encrypted key
    /// counts as none (HAProxy cannot read it and goes on to `FILE.key`), but is named in the error
    /// when no other key is found.
    private static func findKey(_ blocks: [PEMBlock], path: String, extraFiles: ExtraFiles) throws(CertificateFileError) -> (PEMBlock, String) {
        var encrypted: String?
        if let block = blocks.first(where: \.isPrivateKey) {
            guard block.isEncrypted else { return (block, path) }
            encrypted = path
        }
        let keyPath = keyFilePath(for: path, extraFiles: extraFiles)
        if let keyPath, exists(keyPath) {
            if let block = try PEMBlock.blocks(in: read(keyPath)).first(where: \.isPrivateKey) {
                guard block.isEncrypted else { return (block, keyPath) }
                encrypted = keyPath
            }
        }
        if let encrypted {
            throw CertificateFileError(
                .encryptedPrivateKey, path: encrypted,
                "the private key in '\(encrypted)' is encrypted; usher, like HAProxy, cannot ask for its passphrase: store it decrypted (openssl pkey -in KEY -out PLAIN-KEY)"
            )
        }
        let searched = keyPath.map { "in '\(path)' nor in '\($0)'" } ?? "in '\(path)' (ssl-load-extra-files does not include 'key')"
        throw CertificateFileError(.noPrivateKey, path: path, "no private key found \(searched)")
    }

    /// Where the key of a certificate file without one is looked for, or `nil` when it is not.
    static func keyFilePath(for path: String, extraFiles: ExtraFiles) -> String? {
        guard extraFiles.key else { return nil }
        if extraFiles.replacesExtension, path.hasSuffix(".crt") { return path.dropLast(4) + ".key" }
        return path + ".key"
    }

    /// The key for NIOSSL, and decoded by swift-certificates to compare its public half with the
    /// certificate's (NIOSSL does not expose a private key's public key).
    private static func decodeKey(_ block: PEMBlock, path: String) throws(CertificateFileError) -> (NIOSSLPrivateKey, Certificate.PrivateKey) {
        do {
            guard let pem = block.canonicalPEM() else { throw PEMBodyError() }
            return (try NIOSSLPrivateKey(bytes: Array(pem.utf8), format: .pem), try Certificate.PrivateKey(pemEncoded: pem))
        } catch {
            throw CertificateFileError(.invalidPrivateKey, path: path, "cannot read the private key in '\(path)': \(describe(error))")
        }
    }

    /// DNS SANs, then common names, lowercased (HAProxy lowercases them when it indexes them).
    private static func names(of certificate: Certificate, path: String) throws(CertificateFileError) -> [String] {
        var names: [String] = []
        do {
            for case .dnsName(let name) in try certificate.extensions.subjectAlternativeNames ?? SubjectAlternativeNames() {
                names.append(name)
            }
        } catch {
            throw CertificateFileError(.invalidCertificate, path: path, "cannot read the subject alternative names of the certificate in '\(path)': \(describe(error))")
        }
        for relativeName in certificate.subject {
            for attribute in relativeName where attribute.type == .RDNAttributeType.commonName {
                if let name = String(attribute.value) { names.append(name) }
            }
        }
        var seen: Set<String> = []
        return names.map(CertificateChooser.lowercasedASCII).filter { seen.insert($0).inserted }
    }

    /// swift-certificates decodes RSA, ECDSA (P-256, P-384, P-521) and Ed25519 keys, and refuses
    /// the others when the certificate is read: what is neither ECDSA nor Ed25519 is RSA.
    private static func keyType(of key: Certificate.PublicKey) -> CertificateChooser.KeyType {
        if P256.Signing.PublicKey(key) != nil || P384.Signing.PublicKey(key) != nil || P521.Signing.PublicKey(key) != nil { return .ecdsa }
        if Curve25519.Signing.PublicKey(key) != nil { return .other }
        return .rsa
    }
}

/// A PEM block whose body is not valid base64, or that has no END line.
struct PEMBodyError: Error, CustomStringConvertible {
    var description: String { "the PEM block is truncated or its base64 text is damaged" }
}
