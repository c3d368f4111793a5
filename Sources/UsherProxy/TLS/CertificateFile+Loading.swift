#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation
import NIOSSL
import UsherConfig

extension CertificateFile {
    /// The extensions of HAProxy's extra files, which a `crt` directory does not load as certificates.
    public static let reservedExtensions = [".key", ".ocsp", ".issuer", ".sctl"]

    /// The certificates a `crt` word names, in the order HAProxy loads them (which decides the
    /// bind line's default certificate, the first one):
    ///
    /// - a file: its certificate;
    /// - a directory: each regular file in it, in byte order of names, except those starting with
    ///   a dot and those ending in ``reservedExtensions`` (keys, OCSP responses… of the others).
    ///   Subdirectories are not entered. An empty directory gives no certificate: HAProxy then
    ///   refuses the bind line for having none, which is the caller's check;
    /// - a path that does not exist, when bundles are on: `PATH.dsa`, `PATH.ecdsa`, `PATH.rsa`,
    ///   those present, each a certificate of its own.
    ///
    /// `path` is used as given: the caller resolves it against `crt-base`.
    public static func load(crt path: String, extraFiles: ExtraFiles = .all) throws(CertificateFileError) -> [CertificateFile] {
        switch fileType(path) {
        case .directory:
            return try directoryEntries(path).map { name throws(CertificateFileError) in try CertificateFile(path: join(path, name), extraFiles: extraFiles) }
        case .missing where extraFiles.bundle:
            let members = ["dsa", "ecdsa", "rsa"].map { "\(path).\($0)" }.filter { fileType($0) != .missing }
            guard !members.isEmpty else { break }
            return try members.map { member throws(CertificateFileError) in try CertificateFile(path: member, extraFiles: extraFiles) }
        default:
            break
        }
        return [try CertificateFile(path: path, extraFiles: extraFiles)]
    }

    /// The names of the files a `crt` directory loads, in loading order.
    static func directoryEntries(_ directory: String) throws(CertificateFileError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw CertificateFileError(.unreadable, path: directory, "cannot list the certificate directory '\(directory)': \(describe(error))")
        }
        return
            names
            .filter { name in !name.hasPrefix(".") && !reservedExtensions.contains { name.hasSuffix($0) } && fileType(join(directory, name)) == .regular }
            // Byte order, as C's `alphasort` in HAProxy's C locale (Swift's `<` follows Unicode).
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    enum FileType {
        case regular, directory, other, missing
    }

    /// What is at `path`, symbolic links followed. A path that cannot be examined for another
    /// reason than its absence is `other`, so that reading it reports why.
    static func fileType(_ path: String) -> FileType {
        var info = stat()
        guard stat(path, &info) == 0 else { return errno == ENOENT || errno == ENOTDIR ? .missing : .other }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    static func exists(_ path: String) -> Bool {
        fileType(path) != .missing
    }

    /// The bytes of a certificate or key file.
    static func read(_ path: String) throws(CertificateFileError) -> [UInt8] {
        if fileType(path) == .directory {
            throw CertificateFileError(.unreadable, path: path, "cannot read certificate file '\(path)': it is a directory")
        }
        let bytes: [UInt8]
        do {
            bytes = try ConfigurationFileReader.system.read(path, sizeLimit)
        } catch {
            throw CertificateFileError(.unreadable, path: path, "cannot read certificate file '\(path)': \(error.reason)")
        }
        guard bytes.count <= sizeLimit else {
            throw CertificateFileError(.unreadable, path: path, "certificate file '\(path)' is larger than \(sizeLimit >> 20) MiB")
        }
        return bytes
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// An error from NIOSSL, swift-certificates or Foundation in a few words.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PEMBodyError { return error.description }
        if let error = error as? NIOSSLError {
            switch error {
            case .failedToLoadCertificate: return "not a valid X.509 certificate"
            case .failedToLoadPrivateKey: return "not a valid private key"
            default: break
            }
        }
        // swift-crypto's only size check on the keys read here: RSA under 2048 bits.
        if let error = error as? CryptoKitError, case .incorrectParameterSize = error {
            return "its RSA key is shorter than 2048 bits, which usher refuses (as HAProxy does with OpenSSL's default security level)"
        }
        let bridged = error as NSError
        if bridged.domain == NSCocoaErrorDomain { return bridged.localizedDescription }
        return String(describing: error)
    }
}
