import Foundation
import NIOSSL
import Testing
import UsherRouting

@testable import UsherProxy

/// `crt` files as HAProxy 2.6 reads them, made by the openssl command line at test time.
@Suite("Certificate files", .enabled(if: ExternalProcess.required("openssl")))
struct CertificateFileTests {
    let directory: ScratchDirectory
    let openssl: TestCertificateMaker

    init() throws {
        directory = try ScratchDirectory()
        openssl = TestCertificateMaker(directory: directory.path)
    }

    @Test func aCombinedFileGivesCertificateKeyNamesAndExpiry() throws {
        let made = try openssl.make("site", subject: "/CN=site.example.com", dnsNames: ["site.example.com", "www.site.example.com"])
        let file = try openssl.concatenate("site.pem", made.certificate, made.key)
        let loaded = try CertificateFile(path: file)
        #expect(loaded.path == file)
        #expect(loaded.keyPath == file)
        #expect(loaded.certificateChain.count == 1)
        #expect(loaded.dnsNames == ["site.example.com", "www.site.example.com"])
        #expect(loaded.keyType == .ecdsa)
        #expect(abs(loaded.notAfter.timeIntervalSinceNow - 30 * 86_400) < 3_600)
        // What the lead's listener will do with it: a server context accepts the pair.
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: loaded.certificateChain.map { .certificate($0) }, privateKey: .privateKey(loaded.privateKey)
        )
        _ = try NIOSSLContext(configuration: configuration)
    }

    /// Blocks in any order: the first certificate is the server's, the next ones its chain, in order.
    @Test func theKeyMayComeFirstAndTheChainFollowsInOrder() throws {
        let leaf = try openssl.make("leaf", subject: "/CN=leaf.test")
        let other = try openssl.make("other", subject: "/CN=intermediate.test")
        let file = try openssl.concatenate("bundle.pem", leaf.key, leaf.certificate, other.certificate)
        let loaded = try CertificateFile(path: file)
        #expect(loaded.certificateChain.count == 2)
        #expect(try loaded.certificateChain[0].toDERBytes() == NIOSSLCertificate.fromPEMFile(leaf.certificate)[0].toDERBytes())
        #expect(try loaded.certificateChain[1].toDERBytes() == NIOSSLCertificate.fromPEMFile(other.certificate)[0].toDERBytes())
        #expect(loaded.dnsNames == ["leaf.test"])
    }

    @Test func aKeyBesideTheFileIsRead() throws {
        let made = try openssl.make("apart", subject: "/CN=apart.test")
        let file = try openssl.concatenate("apart.pem", made.certificate)
        _ = try openssl.concatenate("apart.pem.key", made.key)
        let loaded = try CertificateFile(path: file)
        #expect(loaded.keyPath == file + ".key")
        #expect(loaded.dnsNames == ["apart.test"])
        // Not when `ssl-load-extra-files` leaves keys out.
        let error = try #require(Self.error { try CertificateFile(path: file, extraFiles: .init(key: false)) })
        #expect(error.kind == .noPrivateKey)
        #expect(error.message.contains("ssl-load-extra-files"), "\(error)")
    }

    /// `ssl-load-extra-del-ext`: `site.crt` takes its key from `site.key`.
    @Test func replacedExtension() throws {
        let made = try openssl.make("ext", subject: "/CN=ext.test")
        let file = try openssl.concatenate("ext.crt", made.certificate)
        _ = try openssl.concatenate("ext.key", made.key)
        #expect(try CertificateFile(path: file, extraFiles: .init(replacesExtension: true)).keyPath == directory.path + "/ext.key")
        #expect(Self.error { try CertificateFile(path: file) }?.kind == .noPrivateKey)
        #expect(CertificateFile.keyFilePath(for: "/c/site.pem", extraFiles: .init(replacesExtension: true)) == "/c/site.pem.key")
    }

    /// HAProxy indexes the DNS subject alternative names and the common name, both lowercased;
    /// other kinds of SAN (addresses, e-mail) are no server names.
    @Test func namesComeFromTheSANsAndTheCommonName() throws {
        let made = try openssl.make(
            "names", subject: "/O=Example/CN=Cn.Example.COM", dnsNames: ["A.example.com", "*.Wild.example.com", "cn.example.com"],
            otherNames: ["IP:127.0.0.1", "email:ops@example.com"]
        )
        let loaded = try CertificateFile(path: try openssl.concatenate("names.pem", made.certificate, made.key))
        #expect(loaded.dnsNames == ["a.example.com", "*.wild.example.com", "cn.example.com"])
        let cnOnly = try openssl.make("cn", subject: "/CN=only-cn.test")
        #expect(try CertificateFile(path: try openssl.concatenate("cn.pem", cnOnly.certificate, cnOnly.key)).dnsNames == ["only-cn.test"])
    }

    @Test func aWildcardCertificateIsChosenForOneLabel() throws {
        let fallback = try openssl.make("fallback", subject: "/CN=default.test")
        let wildcard = try openssl.make("wild", subject: "/CN=wild", dnsNames: ["*.example.com"])
        let files = [
            try CertificateFile(path: try openssl.concatenate("fallback.pem", fallback.certificate, fallback.key)),
            try CertificateFile(path: try openssl.concatenate("wild.pem", wildcard.certificate, wildcard.key)),
        ]
        #expect(files[1].dnsNames == ["*.example.com", "wild"])
        let chooser = CertificateChooser(entries: files.map { $0.chooserEntry() })
        #expect(chooser.choose(serverName: "www.example.com") == 1)
        #expect(chooser.choose(serverName: "a.b.example.com") == 0)
    }

    @Test func rsaAndTraditionalKeyFormats() throws {
        let rsa = try openssl.make("rsa", subject: "/CN=rsa.test", key: .rsa)
        let traditionalRSA = try openssl.convert(rsa.key, to: "rsa-trad.key", arguments: ["rsa", "-traditional"])
        let loaded = try CertificateFile(path: try openssl.concatenate("rsa.pem", rsa.certificate, traditionalRSA))
        #expect(loaded.keyType == .rsa)
        #expect(try String(contentsOfFile: traditionalRSA, encoding: .utf8).contains("BEGIN RSA PRIVATE KEY"))
        let ec = try openssl.make("ec", subject: "/CN=ec.test")
        let sec1 = try openssl.convert(ec.key, to: "ec-sec1.key", arguments: ["ec"])
        #expect(try String(contentsOfFile: sec1, encoding: .utf8).contains("BEGIN EC PRIVATE KEY"))
        #expect(try CertificateFile(path: try openssl.concatenate("ec.pem", ec.certificate, sec1)).keyType == .ecdsa)
        let ed25519 = try openssl.make("ed", subject: "/CN=ed.test", key: .ed25519)
        #expect(try CertificateFile(path: try openssl.concatenate("ed.pem", ed25519.certificate, ed25519.key)).keyType == .other)
    }

    /// HAProxy on Debian refuses them too (OpenSSL's default security level); the message says why.
    @Test func aShortRSAKeyIsRefused() throws {
        let made = try openssl.make("short", subject: "/CN=short.test", key: .shortRSA)
        let file = try openssl.concatenate("short.pem", made.certificate, made.key)
        let error = try #require(Self.error { try CertificateFile(path: file) })
        #expect(error.kind == .invalidCertificate)
        #expect(error.message.contains("shorter than 2048 bits"), "\(error)")
    }

    /// OpenSSL reads PEM with CRLF line ends and other line lengths; so does usher.
    @Test func lenientPEM() throws {
        let made = try openssl.make("crlf", subject: "/CN=crlf.test")
        var text = try String(contentsOfFile: made.certificate, encoding: .utf8) + "junk between blocks\n" + String(contentsOfFile: made.key, encoding: .utf8)
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") && !$0.hasPrefix("junk") }
        text = text.replacingOccurrences(of: body[0] + "\n" + body[1], with: body[0] + body[1])  // one 128-character line
        let file = try directory.write("crlf.pem", text.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(try CertificateFile(path: file).dnsNames == ["crlf.test"])
    }

    @Test func aDirectoryLoadsItsFilesInNameOrder() throws {
        let names = ["10-b", "2-a", "Z", "hidden"]
        var made: [String: TestCertificateMaker.Made] = [:]
        for name in names { made[name] = try openssl.make(name, subject: "/CN=\(name).test") }
        try FileManager.default.createDirectory(atPath: directory.path + "/dir/sub", withIntermediateDirectories: true)
        _ = try openssl.concatenate("dir/10-b.pem", made["10-b"]!.certificate)  // key beside it, in a reserved name
        _ = try openssl.concatenate("dir/10-b.pem.key", made["10-b"]!.key)
        _ = try openssl.concatenate("dir/2-a.pem", made["2-a"]!.certificate, made["2-a"]!.key)
        _ = try openssl.concatenate("dir/Z", made["Z"]!.certificate, made["Z"]!.key)
        _ = try openssl.concatenate("dir/.hidden.pem", made["hidden"]!.certificate, made["hidden"]!.key)
        for reserved in ["x.ocsp", "x.issuer", "x.sctl", "x.key"] { _ = try directory.write("dir/\(reserved)", "not a certificate") }
        _ = try openssl.concatenate("dir/sub/inner.pem", made["Z"]!.certificate, made["Z"]!.key)
        let loaded = try CertificateFile.load(crt: directory.path + "/dir")
        #expect(loaded.map(\.dnsNames) == [["10-b.test"], ["2-a.test"], ["z.test"]])
        #expect(loaded.map(\.path) == ["10-b.pem", "2-a.pem", "Z"].map { directory.path + "/dir/" + $0 })
        #expect(try CertificateFile.load(crt: directory.path + "/dir/").count == 3)

        try FileManager.default.createDirectory(atPath: directory.path + "/empty", withIntermediateDirectories: true)
        #expect(try CertificateFile.load(crt: directory.path + "/empty").isEmpty)
    }

    /// A bad file in a directory is an error naming that file.
    @Test func aBadFileInADirectoryIsNamed() throws {
        let made = try openssl.make("good", subject: "/CN=good.test")
        _ = try openssl.concatenate("bad-dir/a.pem", made.certificate, made.key)
        let bad = try directory.write("bad-dir/b.pem", "nothing here\n")
        let error = try #require(Self.error { try CertificateFile.load(crt: directory.path + "/bad-dir") })
        #expect(error.kind == .noCertificate)
        #expect(error.path == bad)
        #expect(error.message.contains("'\(bad)'"))
    }

    /// A missing `crt` path may be a bundle: `PATH.dsa`, `PATH.ecdsa`, `PATH.rsa`, loaded in that order.
    @Test func aBundleLoadsEachKeyType() throws {
        let rsa = try openssl.make("b-rsa", subject: "/CN=rsa.test", dnsNames: ["dual.test"], key: .rsa)
        let ec = try openssl.make("b-ec", subject: "/CN=ec.test", dnsNames: ["dual.test"])
        _ = try openssl.concatenate("site.pem.rsa", rsa.certificate, rsa.key)
        _ = try openssl.concatenate("site.pem.ecdsa", ec.certificate, ec.key)
        let loaded = try CertificateFile.load(crt: directory.path + "/site.pem")
        #expect(loaded.map(\.keyType) == [.ecdsa, .rsa])
        let chooser = CertificateChooser(entries: loaded.map { $0.chooserEntry() })
        #expect(chooser.choose(serverName: "dual.test", signatures: .init(rsa: true, ecdsa: false)) == 1)
        #expect(Self.error { try CertificateFile.load(crt: directory.path + "/site.pem", extraFiles: .init(bundle: false)) }?.kind == .unreadable)
    }

    @Test func aMismatchedKeyIsRefused() throws {
        let one = try openssl.make("one", subject: "/CN=one.test")
        let two = try openssl.make("two", subject: "/CN=two.test")
        let file = try openssl.concatenate("mismatch.pem", one.certificate, two.key)
        let error = try #require(Self.error { try CertificateFile(path: file) })
        #expect(error.kind == .keyMismatch)
        #expect(error.description == "the private key in '\(file)' does not match its certificate")

        let apart = try openssl.concatenate("apart-mismatch.pem", one.certificate)
        _ = try openssl.concatenate("apart-mismatch.pem.key", two.key)
        let besideError = try #require(Self.error { try CertificateFile(path: apart) })
        #expect(besideError.kind == .keyMismatch)
        #expect(besideError.description == "the private key in '\(apart).key' does not match the certificate in '\(apart)'")

        // Same algorithm and curve is not enough, nor is another key type.
        let rsa = try openssl.make("rsa-mismatch", subject: "/CN=rsa.test", key: .rsa)
        #expect(Self.error { try CertificateFile(path: try openssl.concatenate("m2.pem", rsa.certificate, one.key)) }?.kind == .keyMismatch)
    }

    @Test func aMissingFileIsNamed() throws {
        let missing = directory.path + "/nope.pem"
        let error = try #require(Self.error { try CertificateFile.load(crt: missing) })
        #expect(error.kind == .unreadable)
        #expect(error.description == "cannot read certificate file '\(missing)': No such file or directory")
        #expect(Self.error { try CertificateFile(path: directory.path) }?.kind == .unreadable)
    }

    @Test func noCertificateNoKeyAndDamagedBlocks() throws {
        let garbage = try directory.write("garbage.pem", "hello\n")
        #expect(Self.error { try CertificateFile(path: garbage) }?.kind == .noCertificate)

        let made = try openssl.make("nokey", subject: "/CN=nokey.test")
        let certificateOnly = try openssl.concatenate("nokey.pem", made.certificate)
        let noKey = try #require(Self.error { try CertificateFile(path: certificateOnly) })
        #expect(noKey.kind == .noPrivateKey)
        #expect(noKey.description == "no private key found in '\(certificateOnly)' nor in '\(certificateOnly).key'")

        let damaged = try directory.write("damaged.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        let damagedError = try #require(Self.error { try CertificateFile(path: damaged) })
        #expect(damagedError.kind == .invalidCertificate)
        #expect(damagedError.description == "cannot read the certificate in '\(damaged)': not a valid X.509 certificate")

        let truncated = try directory.write("truncated.pem", String(try String(contentsOfFile: made.certificate, encoding: .utf8).dropLast(30)))
        #expect(Self.error { try CertificateFile(path: truncated) }?.kind == .invalidCertificate)

        let badKey = try directory.write("bad-key.pem", try String(contentsOfFile: made.certificate, encoding: .utf8) + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
        #expect(Self.error { try CertificateFile(path: badKey) }?.kind == .invalidPrivateKey)
    }

    /// HAProxy cannot read an encrypted key without its passphrase, and goes on to `FILE.key`.
    @Test func anEncryptedKeyIsRefusedUnlessAPlainOneIsBeside() throws {
        let made = try openssl.make("enc", subject: "/CN=enc.test")
        let encrypted = try openssl.convert(made.key, to: "enc-pkcs8.key", arguments: ["pkey", "-aes128", "-passout", "pass:secret"])
        #expect(try String(contentsOfFile: encrypted, encoding: .utf8).contains("ENCRYPTED PRIVATE KEY"))
        let file = try openssl.concatenate("enc.pem", made.certificate, encrypted)
        let error = try #require(Self.error { try CertificateFile(path: file) })
        #expect(error.kind == .encryptedPrivateKey)
        #expect(error.path == file)
        #expect(error.message.contains("is encrypted"))

        _ = try openssl.concatenate("enc.pem.key", made.key)
        #expect(try CertificateFile(path: file).keyPath == file + ".key")

        let rsa = try openssl.make("enc-rsa", subject: "/CN=enc-rsa.test", key: .rsa)
        let legacy = try openssl.convert(rsa.key, to: "enc-legacy.key", arguments: ["rsa", "-traditional", "-aes128", "-passout", "pass:secret"])
        #expect(try String(contentsOfFile: legacy, encoding: .utf8).contains("Proc-Type: 4,ENCRYPTED"))
        let legacyFile = try openssl.concatenate("enc-legacy.pem", rsa.certificate)
        _ = try openssl.concatenate("enc-legacy.pem.key", legacy)
        let legacyError = try #require(Self.error { try CertificateFile(path: legacyFile) })
        #expect(legacyError.kind == .encryptedPrivateKey)
        #expect(legacyError.path == legacyFile + ".key")
    }

    /// The error `body` throws, `nil` (and an issue) when it throws none or another kind.
    static func error(_ body: () throws -> Any) -> CertificateFileError? {
        do {
            _ = try body()
            Issue.record("no error")
        } catch let error as CertificateFileError {
            return error
        } catch {
            Issue.record("not a CertificateFileError: \(error)")
        }
        return nil
    }
}

/// Certificates made by `openssl req -x509`, written into a directory.
struct TestCertificateMaker {
    enum KeyKind {
        case ecdsa, rsa, shortRSA, ed25519
    }

    struct Made {
        var certificate: String
        var key: String
    }

    let directory: String

    /// A self-signed certificate valid for 30 days, in `NAME.crt`, and its unencrypted PKCS#8 key in `NAME.key`.
    func make(_ name: String, subject: String, dnsNames: [String] = [], otherNames: [String] = [], key: KeyKind = .ecdsa) throws -> Made {
        let made = Made(certificate: "\(directory)/\(name).crt", key: "\(directory)/\(name).key")
        var arguments = ["openssl", "req", "-x509", "-nodes", "-days", "30", "-subj", subject, "-keyout", made.key, "-out", made.certificate]
        switch key {
        case .ecdsa: arguments += ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        case .rsa: arguments += ["-newkey", "rsa:2048"]
        case .shortRSA: arguments += ["-newkey", "rsa:1024"]
        case .ed25519: arguments += ["-newkey", "ed25519"]
        }
        let alternativeNames = dnsNames.map { "DNS:\($0)" } + otherNames
        if !alternativeNames.isEmpty { arguments += ["-addext", "subjectAltName=" + alternativeNames.joined(separator: ",")] }
        try run(arguments)
        return made
    }

    /// `openssl COMMAND … -in source -out NAME` (a key converted to another format).
    func convert(_ source: String, to name: String, arguments: [String]) throws -> String {
        let output = "\(directory)/\(name)"
        try run(["openssl"] + arguments + ["-in", source, "-out", output])
        return output
    }

    /// The files' contents one after the other, in `name`; returns its path.
    func concatenate(_ name: String, _ files: String...) throws -> String {
        let path = "\(directory)/\(name)"
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let text = try files.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func run(_ arguments: [String]) throws {
        let result = try ExternalProcess.run(arguments)
        guard result.status == 0 else { throw OpenSSLFailed(arguments: arguments, output: result.error) }
    }

    struct OpenSSLFailed: Error, CustomStringConvertible {
        var arguments: [String]
        var output: String
        var description: String { "\(arguments.joined(separator: " ")) failed: \(output)" }
    }
}
