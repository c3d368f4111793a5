import Testing
@testable import UsherRouting

/// The name check of `verify required`: the certificate's DNS names (else its common names) against
/// the SNI sent or `verifyhost`.
@Suite struct ServerCertificateNamesTests {
    @Test(arguments: [
        ("app.example.com", "app.example.com", true),
        ("App.Example.COM", "app.example.com", true),
        ("app.example.com", "www.example.com", false),
        ("*.example.com", "app.example.com", true),
        ("*.example.com", "example.com", false),
        ("*.example.com", "a.b.example.com", false),
        ("api-*.example.com", "api-eu.example.com", true),
        ("api-*.example.com", "web-eu.example.com", false),
        ("*-eu.example.com", "api-eu.example.com", true),
        ("api*.example.com", "api.example.com", true),
        ("a.*.example.com", "a.b.example.com", false),
        ("xn--*.example.com", "xn--abc.example.com", false),
        ("*", "localhost", false),
        ("", "", false),
    ])
    func pattern(_ pattern: String, host: String, matches: Bool) {
        #expect(ServerCertificateNames.matches(pattern: pattern, host: host) == matches)
    }

    @Test func dnsNamesHideTheCommonName() {
        let names = ServerCertificateNames(dnsNames: ["www.example.com"], commonNames: ["cn.example.com"])
        #expect(names.matches("www.example.com"))
        #expect(!names.matches("cn.example.com"))
        #expect(ServerCertificateNames(dnsNames: [], commonNames: ["cn.example.com"]).matches("cn.example.com"))
    }
}
