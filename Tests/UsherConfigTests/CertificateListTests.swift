import Testing

@testable import UsherConfig

/// crt-list files, checked against what HAProxy 2.6.12 accepts and refuses (`haproxy -c`).
@Suite("crt-list")
struct CertificateListTests {
    typealias Option = CertificateList.Option

    static func parse(_ text: String, crtBase: String? = nil) throws(CertificateListError) -> CertificateList {
        try CertificateListParser().parse(text, file: "certs.lst", crtBase: crtBase)
    }

    static func error(_ text: String) -> CertificateListError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func theDocumentedExampleParses() throws {
        let list = try Self.parse(
            """
            cert1.pem !*
            # comment
            cert2.pem [alpn h2,http/1.1]
            certW.pem                   *.domain.tld !secure.domain.tld
            certS.pem [curves X25519:P-256 ciphers ECDHE-ECDSA-AES256-GCM-SHA384] secure.domain.tld
            """
        )
        #expect(list.path == "certs.lst")
        #expect(
            list.entries == [
                .init(certificatePath: "cert1.pem", sniFilters: ["!*"], location: .init(file: "certs.lst", line: 1)),
                .init(certificatePath: "cert2.pem", options: [Option(name: "alpn", value: "h2,http/1.1")], location: .init(file: "certs.lst", line: 3)),
                .init(certificatePath: "certW.pem", sniFilters: ["*.domain.tld", "!secure.domain.tld"], location: .init(file: "certs.lst", line: 4)),
                .init(
                    certificatePath: "certS.pem",
                    options: [Option(name: "curves", value: "X25519:P-256"), Option(name: "ciphers", value: "ECDHE-ECDSA-AES256-GCM-SHA384")],
                    sniFilters: ["secure.domain.tld"],
                    location: .init(file: "certs.lst", line: 5)
                ),
            ]
        )
    }

    @Test func optionsKeepTheirOrderAndFlagsHaveNoValue() throws {
        let entry = try #require(try Self.parse("site.pem [no-ca-names verify optional allow-0rtt ssl-min-ver TLSv1.2 ocsp-update on]").entries.first)
        #expect(
            entry.options == [
                Option(name: "no-ca-names"), Option(name: "verify", value: "optional"), Option(name: "allow-0rtt"),
                Option(name: "ssl-min-ver", value: "TLSv1.2"), Option(name: "ocsp-update", value: "on"),
            ]
        )
        #expect(entry.sniFilters.isEmpty)
    }

    @Test func everyDocumentedOptionIsAccepted() throws {
        let line = CertificateList.Option.takesValue.sorted { $0.key < $1.key }.map { $0.value ? "\($0.key) x" : $0.key }.joined(separator: " ")
        let entry = try #require(try Self.parse("a.pem [\(line)]").entries.first)
        #expect(entry.options.count == CertificateList.Option.takesValue.count)
        for name in ["alpn", "ca-file", "ciphers", "ciphersuites", "crl-file", "curves", "ecdhe", "no-ca-names", "npn", "ssl-min-ver", "ssl-max-ver", "verify", "ocsp-update"] {
            #expect(entry.options.contains { $0.name == name }, "\(name)")
        }
    }

    /// As in HAProxy, brackets separate words even without spaces, and white space is any of C's.
    @Test func bracketsAndWhiteSpaceSeparateWords() throws {
        let entry = try #require(try Self.parse("a.pem[alpn h2]www.example.com\tWWW.Example.org\u{0B}x.test\r").entries.first)
        #expect(entry.certificatePath == "a.pem")
        #expect(entry.options == [Option(name: "alpn", value: "h2")])
        #expect(entry.sniFilters == ["www.example.com", "WWW.Example.org", "x.test"])
        let empty = try #require(try Self.parse("a.pem [] b.test").entries.first)
        #expect(empty.options.isEmpty)
        #expect(empty.sniFilters == ["b.test"])
    }

    /// Comments only in the first column; blank and white-space-only lines are skipped; a `#` after
    /// the path is a filter, as HAProxy reads it. CRLF line ends count lines as LF does.
    @Test func commentsBlankLinesAndLineNumbers() throws {
        let list = try Self.parse("# head\r\n\r\n   \r\n\t\r\na.pem # not a comment\r\n#b.pem\r\nc.pem\r\n")
        #expect(list.entries.map(\.certificatePath) == ["a.pem", "c.pem"])
        #expect(list.entries.map(\.location.line) == [5, 7])
        #expect(list.entries[0].sniFilters == ["#", "not", "a", "comment"])
        #expect(try Self.parse("").entries.isEmpty)
        // An indented '#' is not a comment: it is a path (HAProxy then fails to find the file '#').
        #expect(try Self.parse("   # indented").entries.first?.certificatePath == "#")
    }

    @Test func relativePathsResolveAgainstCrtBase() throws {
        let list = try Self.parse("site.pem\nsub/other.pem\n/etc/ssl/abs.pem\n", crtBase: "/etc/haproxy/certs")
        #expect(list.entries.map(\.certificatePath) == ["/etc/haproxy/certs/site.pem", "/etc/haproxy/certs/sub/other.pem", "/etc/ssl/abs.pem"])
        #expect(try Self.parse("site.pem", crtBase: "/certs/").entries[0].certificatePath == "/certs/site.pem")
        #expect(try Self.parse("site.pem", crtBase: nil).entries[0].certificatePath == "site.pem")
        #expect(try Self.parse("site.pem", crtBase: "").entries[0].certificatePath == "site.pem")
    }

    @Test func quotesAreNotInterpreted() throws {
        #expect(try Self.parse("\"a b.pem\"").entries[0].certificatePath == "\"a")
    }

    @Test(arguments: [
        ("a.pem\nb.pem [foo bar]", 2, "unknown crt-list option 'foo'"),
        ("a.pem [alpm h2]", 1, "did you mean 'alpn'?"),
        ("a.pem [ocsp-update]", 1, "crt-list option 'ocsp-update' needs a value inside the brackets"),
        ("a.pem [alpn] h2", 1, "crt-list option 'alpn' needs a value"),
        ("a.pem www.example.com [alpn h2]", 1, "SNI filters must come after the bracketed options"),
        ("a.pem [alpn h2", 1, "'[' is not closed"),
        ("a.pem alpn h2]", 1, "']' without '['"),
        ("[alpn h2] a.pem", 1, "starts with the certificate's path"),
        ("a.pem [alpn h2] [npn h2]", 1, "found a second '['"),
        ("a.pem [alpn h2]] x", 1, "found a second ']'"),
    ])
    func badLinesAreErrorsNamingFileAndLine(text: String, line: Int, message: String) throws {
        let error = try #require(Self.error(text))
        #expect(error.location == SourceLocation(file: "certs.lst", line: line))
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.description.hasPrefix("certs.lst:\(line): "))
    }

    @Test func readsTheFileThroughTheReader() throws {
        let parser = CertificateListParser(fileReader: .inMemory(["/etc/haproxy/list.txt": Array("a.pem [verify none] a.test\n".utf8)]))
        let list = try parser.parse(file: "/etc/haproxy/list.txt", crtBase: "/c")
        #expect(list.path == "/etc/haproxy/list.txt")
        #expect(list.entries == [.init(certificatePath: "/c/a.pem", options: [Option(name: "verify", value: "none")], sniFilters: ["a.test"], location: .init(file: "/etc/haproxy/list.txt", line: 1))])
    }

    @Test func aMissingFileIsAnErrorNamingIt() {
        do {
            _ = try CertificateListParser(fileReader: .inMemory([:])).parse(file: "missing.lst", crtBase: "/c")
            Issue.record("no error")
        } catch {
            #expect(error.location == nil)
            #expect(error.description == "cannot read crt-list 'missing.lst': No such file or directory")
        }
    }

    @Test func aFileOverTheLimitIsRefused() {
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: CertificateListParser.sizeLimit + 1)
        do {
            _ = try CertificateListParser(fileReader: .inMemory(["big.lst": big])).parse(file: "big.lst", crtBase: nil)
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("larger than 16 MiB"), "\(error)")
        }
    }
}
