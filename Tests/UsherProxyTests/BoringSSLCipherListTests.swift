import NIOSSL
import Testing
@testable import UsherProxy

/// The cipher lists BoringSSL takes or refuses, checked before swift-nio-ssl would stop the process
/// on a refused one.
@Suite struct BoringSSLCipherListTests {
    @Test(arguments: [
        "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        // Mozilla's "intermediate" list: the DHE suites BoringSSL lacks are passed over.
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
        "HIGH:!aNULL:!MD5",
        "ECDH+AESGCM:ECDH+CHACHA20:DH+AESGCM:RSA+AESGCM:!aNULL:!eNULL:!MD5",
        "DEFAULT:!3DES",
        "ALL:@STRENGTH",
        "AES128-SHA DES-CBC3-SHA",
        "[ECDHE-RSA-AES128-GCM-SHA256|ECDHE-RSA-CHACHA20-POLY1305]:AES128-SHA",
        "3DES",
        // A deprecated suite named exactly is taken.
        "ECDHE-RSA-AES128-SHA256",
    ])
    func taken(_ list: String) throws {
        #expect(BoringSSLCipherList.problem(list) == nil)
        // And BoringSSL does take it (were it refused, this would stop the test process).
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.cipherSuites = list
        _ = try NIOSSLContext(configuration: configuration)
    }

    @Test(arguments: [
        ("NOSUCHCIPHER", "selects no cipher"),
        ("DHE-RSA-AES128-GCM-SHA256", "selects no cipher"),
        ("ALL:!ALL", "selects no cipher"),
        ("ECDHE-RSA-AES128-GCM-SHA256:!ECDHE", "selects no cipher"),
        ("TLS_AES_128_GCM_SHA256", "selects no cipher"),
        ("HIGH:@SECLEVEL=2", "'@SECLEVEL'"),
        ("AES+", "unexpected"),
        ("[AES128-SHA", "not closed"),
        ("[AES128-SHA]:!AES", "cannot be used with [groups]"),
        ("AES=1", "unexpected '='"),
    ])
    func refused(_ list: String, reason: String) {
        let problem = BoringSSLCipherList.problem(list)
        #expect(problem?.contains(reason) == true, "\(problem ?? "taken")")
    }
}
