import Testing

@testable import UsherRouting

/// The certificate a bind presents per server name. Each expectation is what HAProxy 2.6.12 served
/// to `openssl s_client -servername` for the same `crt`s and crt-list lines.
@Suite("Certificate choice by SNI")
struct CertificateChooserTests {
    typealias Entry = CertificateChooser.Entry

    /// `bind … ssl crt default.pem crt a.pem crt b.pem crt c.pem`, the certificates' names as
    /// `openssl req -subj /CN=… -addext subjectAltName=…` made them (SAN names, then the CN).
    static let crts = [
        Entry(names: ["default.test"]),
        Entry(names: ["a.example.com", "*.example.com", "cn-a.example.com"]),
        Entry(names: ["b.example.com", "cn-b.example.com"]),
        Entry(names: ["c.example.com", "cn-c.example.com"]),
    ]

    @Test(arguments: [
        (nil, 0),
        ("a.example.com", 1),
        ("cn-a.example.com", 1),  // the common name serves too, although the certificate has SANs
        ("b.example.com", 2),  // an exact name beats a.pem's wildcard, declared earlier
        ("cn-b.example.com", 2),
        ("x.example.com", 1),
        ("x.y.example.com", 0),  // a wildcard is one label
        ("example.com", 0),
        ("A.EXAMPLE.COM", 1),
        ("X.Example.Com", 1),
        ("default.test", 0),
        ("nomatch", 0),
        ("a.example.com.", 0),  // no trailing-dot normalisation
        ("", 0),
    ] as [(String?, Int)])
    func crtNames(serverName: String?, expected: Int) {
        #expect(CertificateChooser(entries: Self.crts).choose(serverName: serverName) == expected)
    }

    /// `strict-sni`: no fallback, but the default certificate still serves its own names.
    @Test func strictSNIRefusesWhatMatchesNothing() {
        let chooser = CertificateChooser(entries: Self.crts, strictSNI: true)
        #expect(chooser.choose(serverName: nil) == nil)
        #expect(chooser.choose(serverName: "nomatch") == nil)
        #expect(chooser.choose(serverName: "x.y.example.com") == nil)
        #expect(chooser.choose(serverName: "default.test") == 0)
        #expect(chooser.choose(serverName: "b.example.com") == 2)
        #expect(chooser.defaultIndex == 0)
    }

    /// The crt-list of the HAProxy run: filters replace the certificate's names, `!*` leaves the
    /// default with no name, and `!name` takes a name from its own line's wildcards only.
    static let list = [
        Entry(names: ["default.test"], sniFilters: ["!*"]),  // default.pem !*
        Entry(names: ["a.example.com", "*.example.com", "cn-a.example.com"], sniFilters: ["*.example.com", "!x2.example.com"]),
        Entry(names: ["*.example.com", "cn-w.example.com"], sniFilters: ["*.example.com"]),  // w.pem
        Entry(names: ["secure.example.com", "cn-s.example.com"], sniFilters: ["secure.example.com"]),
        Entry(names: ["c.example.com", "cn-c.example.com"], sniFilters: ["!neg.example.com"]),  // only a negative filter
        Entry(names: ["b.example.com", "cn-b.example.com"], sniFilters: ["*.example.com", "!*.example.com"]),
    ]

    @Test(arguments: [
        (nil, 0),
        ("default.test", 0),  // by fallback only
        ("a.example.com", 1),
        ("x.example.com", 1),
        ("x2.example.com", 2),  // excluded from a.pem's wildcard: the next wildcard serves it
        ("secure.example.com", 3),
        ("c.example.com", 1),  // c.pem's own names are replaced by its (negative) filter
        ("cn-c.example.com", 1),
        ("neg.example.com", 1),  // a negative filter excludes nothing from other lines
        ("b.example.com", 1),
        ("cn-a.example.com", 1),
    ] as [(String?, Int)])
    func crtListFilters(serverName: String?, expected: Int) {
        #expect(CertificateChooser(entries: Self.list).choose(serverName: serverName) == expected)
    }

    @Test func strictSNIWithAPlaceholderDefault() {
        let chooser = CertificateChooser(entries: Self.list, strictSNI: true)
        #expect(chooser.choose(serverName: nil) == nil)
        #expect(chooser.choose(serverName: "default.test") == nil)
        #expect(chooser.choose(serverName: "x2.example.com") == 2)
    }

    @Test func negativeFiltersAffectOnlyTheirOwnLinesWildcards() {
        let chooser = CertificateChooser(entries: [
            Entry(names: ["default.test"]),
            Entry(names: [], sniFilters: ["*.example.com", "!*.example.com"]),  // a negative wildcard is ignored
            Entry(names: [], sniFilters: ["*.example.com", "!x3.example.com", "x3.example.com"]),
            Entry(names: [], sniFilters: ["!z.example.com"]),
            Entry(names: [], sniFilters: ["z.example.com"]),
            Entry(names: [], sniFilters: ["Z.Example.com"]),
        ])
        #expect(chooser.choose(serverName: "x.example.com") == 1)
        #expect(chooser.choose(serverName: "x3.example.com") == 2)  // the positive exact name of the same line
        #expect(chooser.choose(serverName: "z.example.com") == 4)  // first declared of the two, case aside
    }

    @Test func aNegativeFilterIsCaseInsensitiveAndLetsTheNextWildcardServe() {
        let chooser = CertificateChooser(entries: [
            Entry(names: ["default.test"]),
            Entry(names: [], sniFilters: ["*.Example.com", "!Secret.example.COM"]),
            Entry(names: [], sniFilters: ["*.example.com"]),
        ])
        #expect(chooser.choose(serverName: "SECRET.example.com") == 2)
        #expect(chooser.choose(serverName: "open.example.com") == 1)
    }

    @Test func theFirstDeclaredWinsAmongEqualNames() {
        let chooser = CertificateChooser(entries: [
            Entry(names: ["c.pem-from-list-1"]),
            Entry(names: ["x"], sniFilters: ["c.example.com"]),
            Entry(names: ["c.example.com", "*.example.com"]),
            Entry(names: ["*.example.com"]),
        ])
        #expect(chooser.choose(serverName: "c.example.com") == 1)
        #expect(chooser.choose(serverName: "d.example.com") == 2)
        #expect(chooser.choose(serverName: nil) == 0)
    }

    /// Names that can never match, as in HAProxy: a bare `*`, a `*` not followed by a dot, an empty filter.
    @Test func degenerateNames() {
        let chooser = CertificateChooser(entries: [
            Entry(names: ["default.test"]),
            Entry(names: [], sniFilters: ["*", "*example.com", "!", "!*", ""]),
        ])
        for name in ["example.com", "a.example.com", "aexample.com", "*", ""] {
            #expect(chooser.choose(serverName: name) == 0, "\(name)")
        }
        #expect(CertificateChooser(entries: [Entry(names: ["x"])]).choose(serverName: ".x") == 0)
    }

    /// One `crt` per key type for the same name (HAProxy's RSA + ECDSA set-up): an ECDSA-capable
    /// client gets the ECDSA certificate even when the RSA one is declared first.
    @Test func keyTypePreference() {
        let entries = [
            Entry(names: ["default.test"], keyType: .ecdsa),
            Entry(names: ["dual.example.com", "rsa.example.com"], keyType: .rsa),
            Entry(names: ["dual.example.com", "ec.example.com"], keyType: .ecdsa),
            Entry(names: ["*.wild.test"], keyType: .rsa),
            Entry(names: ["*.wild.test"], keyType: .other),
        ]
        let chooser = CertificateChooser(entries: entries)
        let both = CertificateChooser.SignatureSupport(rsa: true, ecdsa: true)
        let rsaOnly = CertificateChooser.SignatureSupport(rsa: true, ecdsa: false)
        let ecdsaOnly = CertificateChooser.SignatureSupport(rsa: false, ecdsa: true)
        let neither = CertificateChooser.SignatureSupport(rsa: false, ecdsa: false)
        #expect(chooser.choose(serverName: "dual.example.com", signatures: both) == 2)
        #expect(chooser.choose(serverName: "dual.example.com", signatures: ecdsaOnly) == 2)
        #expect(chooser.choose(serverName: "dual.example.com", signatures: rsaOnly) == 1)
        #expect(chooser.choose(serverName: "dual.example.com", signatures: neither) == 2)  // ECDSA before RSA when nothing fits
        #expect(chooser.choose(serverName: "dual.example.com") == 1)  // unknown: first declared
        #expect(chooser.choose(serverName: "rsa.example.com", signatures: ecdsaOnly) == 1)  // the only one there is
        #expect(chooser.choose(serverName: "a.wild.test", signatures: rsaOnly) == 3)
        #expect(chooser.choose(serverName: "a.wild.test", signatures: ecdsaOnly) == 4)  // another key before a refused kind
        #expect(chooser.choose(serverName: nil, signatures: rsaOnly) == 0)  // the default, whatever its key
    }

    @Test func theDefaultIsTheFirstEntryThatMayBeIt() {
        let entries = [Entry(names: ["a.test"], mayBeDefault: false), Entry(names: ["b.test"]), Entry(names: ["c.test"])]
        #expect(CertificateChooser(entries: entries).defaultIndex == 1)
        #expect(CertificateChooser(entries: entries).choose(serverName: "a.test") == 0)
        #expect(CertificateChooser(entries: entries).choose(serverName: "zzz") == 1)
        #expect(CertificateChooser(entries: [Entry(names: ["a.test"], mayBeDefault: false)]).choose(serverName: "zzz") == nil)
        #expect(CertificateChooser(entries: []).choose(serverName: nil) == nil)
    }

    @Test func lowercasingIsASCIIOnly() {
        #expect(CertificateChooser.lowercasedASCII("WWW.Example.COM") == "www.example.com")
        #expect(CertificateChooser.lowercasedASCII("ÉCOLE.fr") == "École.fr")
        let chooser = CertificateChooser(entries: [Entry(names: ["default.test"]), Entry(names: ["école.fr"])])
        #expect(chooser.choose(serverName: "ÉCOLE.fr") == 0)  // not the same bytes once ASCII-lowercased
        #expect(chooser.choose(serverName: "école.FR") == 1)
    }
}
