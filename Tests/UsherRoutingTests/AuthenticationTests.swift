import Foundation
import NIOCore
import Testing
import UsherConfig
@testable import UsherRouting

/// Hashes made by tools other than usher's crypt wrapper: `openssl passwd` and libxcrypt's own
/// `crypt_gensalt` (yescrypt, bcrypt), all for the password "secret".
enum AuthenticationFixtures {
    static let yescrypt = "$y$j9T$tQKzlzcrpVgOFP0FIG/y//$EHE2tdyke6jPaaTITIAvvoXEBNQlop/3h0ewOQMFGQB"
    static let bcrypt = "$2b$05$ZE4AqvjJqTw1bfSsjjZsUeVbqVw5dGYddwsf63W48P9lL4cf1sL0e"

    /// `openssl passwd -6|-5|-1 -salt SALT secret`.
    static func openssl(_ scheme: String, salt: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "passwd", scheme, "-salt", salt, "secret"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func basic(_ user: String, _ password: String) -> String {
        "Authorization: Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }
}

@Suite("userlist authentication: crypt(3) hashes, http_auth fetches, http-request auth")
struct AuthenticationTests {
    @Test(arguments: ["-6", "-5", "-1"])
    func opensslHashesAreChecked(scheme: String) throws {
        let hash = try AuthenticationFixtures.openssl(scheme, salt: "usher\(scheme.dropFirst())")
        #expect(hash.hasPrefix("$\(scheme.dropFirst())$"), "\(hash)")
        #expect(SystemCrypt.canCheck(hash))
        #expect(SystemCrypt.verify("secret", hash: hash))
        #expect(!SystemCrypt.verify("Secret", hash: hash))
        #expect(!SystemCrypt.verify("", hash: hash))
    }

    @Test func libxcryptSchemesAndDESAreChecked() throws {
        for hash in [AuthenticationFixtures.yescrypt, AuthenticationFixtures.bcrypt] {
            #expect(SystemCrypt.verify("secret", hash: hash), "\(hash)")
            #expect(!SystemCrypt.verify("secreT", hash: hash), "\(hash)")
        }
        let des = try #require(SystemCrypt.hash("secret", setting: "ab"))
        #expect(des.count == 13 && des.hasPrefix("ab"))
        #expect(SystemCrypt.verify("secret", hash: des))
        #expect(!SystemCrypt.verify("secrets", hash: des))
    }

    @Test(arguments: ["$9$nope", "!!", "*", "x", "", "$y$j9T$abc$", "a b"])
    func aSchemeCryptRejectsCannotBeChecked(hash: String) {
        #expect(!SystemCrypt.canCheck(hash))
        #expect(!SystemCrypt.verify("", hash: hash))
    }

    /// How long one check takes, per scheme, on this machine (printed, not asserted: speed is
    /// measured, never timed in tests). It is why the proxy checks off its event loops.
    @Test func measureOneCheckPerScheme() throws {
        let hashes = [
            ("sha512", try AuthenticationFixtures.openssl("-6", salt: "m6")), ("sha256", try AuthenticationFixtures.openssl("-5", salt: "m5")),
            ("md5", try AuthenticationFixtures.openssl("-1", salt: "m1")), ("yescrypt", AuthenticationFixtures.yescrypt),
            ("bcrypt(5)", AuthenticationFixtures.bcrypt),
        ]
        for (name, hash) in hashes {
            let clock = ContinuousClock()
            let elapsed = clock.measure { _ = SystemCrypt.verify("secret", hash: hash) }
            print("crypt(3) check, \(name): \(elapsed)")
        }
    }

    @Test func aBadHashIsAnAlertAtItsUsersLine() throws {
        let outcome = ConfigurationParser().parse("userlist L\n    user good insecure-password x\n    user bad password $9$nope\n", file: "t.cfg")
        let configuration = try #require(outcome.configuration)
        let (table, diagnostics) = RoutingTable.compile(configuration, loadPatternFile: { _ in [] })
        #expect(table == nil)
        #expect(diagnostics.map { $0.location?.line } == [3])
        #expect(diagnostics.first?.message.contains("user 'bad'") == true)
    }

    @Test func theVerifierCachesMatchesOnly() throws {
        let hash = try AuthenticationFixtures.openssl("-6", salt: "cache")
        let verifier = CredentialVerifier()
        #expect(!verifier.isKnownMatch("secret", hash: hash))
        #expect(!verifier.verify("wrong", hash: hash))
        #expect(!verifier.isKnownMatch("wrong", hash: hash))
        #expect(verifier.verify("secret", hash: hash))
        #expect(verifier.isKnownMatch("secret", hash: hash))
        #expect(!verifier.isKnownMatch("secret", hash: hash + "x"))
        // Another configuration (a reload) starts with nothing known.
        #expect(!CredentialVerifier().isKnownMatch("secret", hash: hash))
    }

    @Test(arguments: [
        ("Basic YWxpY2U6d29uZGVy", HTTPAuthorization.basic(user: "alice", password: "wonder")),
        ("basic   YWxpY2U6d29uZGVy", .basic(user: "alice", password: "wonder")),
        ("Basic YWxpY2U6d29uZGVyOng=", .basic(user: "alice", password: "wonder:x")),
        ("Bearer abc.def", .bearer(token: "abc.def")),
        ("Basic YWxpY2U=", nil), ("Basic !!!", nil), ("Digest x=1", nil), ("Basic", nil), ("Basic YWxpY2U6d29uZGVy extra", nil),
    ] as [(String, HTTPAuthorization?)])
    func authorizationIsReadAsHAProxyReadsIt(value: String, expected: HTTPAuthorization?) {
        #expect(HTTPAuthorization(value) == expected)
    }

    static func table(_ frontendLines: [String], userlist: String? = nil) throws -> RoutingTable {
        let hash = try AuthenticationFixtures.openssl("-6", salt: "table")
        let list = userlist ?? """
            userlist L
                group admins users alice
                group staff
                user alice insecure-password wonder
                user bob password \(hash) groups staff
            """
        return try RoutingFixtures.table(RoutingFixtures.quietDefaults + "\n    mode http\n" + list + "\nfrontend fe\n    bind :80\n"
            + frontendLines.map { "    \($0)\n" }.joined() + "    default_backend be\nbackend be\n    server s 127.0.0.1:8080\n")
    }

    static func outcome(_ table: RoutingTable, _ headers: [String], path: String = "/", results: [String: Bool] = [:]) throws -> CompiledHTTPRules.Outcome {
        var head = RoutingFixtures.request("GET \(path) HTTP/1.1", ["Host: x"] + headers)
        var context = RoutingFixtures.httpContext(head)
        context.credentialResults = results
        return try table.frontend("fe").httpRequestRules.apply(to: &head, &context)
    }

    @Test func httpRequestAuthChallengesUntilTheCredentialsAreGood() throws {
        let table = try Self.table(["http-request auth unless { http_auth(L) }"])
        #expect(try Self.outcome(table, []) == .authenticate(realm: "fe"))
        #expect(try Self.outcome(table, [AuthenticationFixtures.basic("alice", "wonder")]) == .proceed)
        #expect(try Self.outcome(table, [AuthenticationFixtures.basic("alice", "Wonder")]) == .authenticate(realm: "fe"))
        #expect(try Self.outcome(table, [AuthenticationFixtures.basic("bob", "secret")]) == .proceed)
        #expect(try Self.outcome(table, [AuthenticationFixtures.basic("bob", "wrong")]) == .authenticate(realm: "fe"))
        #expect(try Self.outcome(table, [AuthenticationFixtures.basic("carol", "secret")]) == .authenticate(realm: "fe"))
        #expect(try Self.outcome(table, ["Authorization: Bearer token"]) == .authenticate(realm: "fe"))
    }

    @Test func theProxysCheckResultsAreWhatRulesRead() throws {
        let table = try Self.table(["http-request auth unless { http_auth(L) }"])
        let pending = try #require(table.authentication.pendingHashes(RoutingFixtures.fields([AuthenticationFixtures.basic("bob", "wrong")])))
        #expect(pending.password == "wrong" && pending.hashes.count == 1)
        // The rules take the result made elsewhere, and compute nothing themselves.
        let results = [pending.hashes[0]: true]
        #expect(try Self.outcome(table, [AuthenticationFixtures.basic("bob", "wrong")], results: results) == .proceed)
        // No check for insecure passwords, unknown users, or missing credentials.
        #expect(table.authentication.pendingHashes(RoutingFixtures.fields([AuthenticationFixtures.basic("alice", "x")])) == nil)
        #expect(table.authentication.pendingHashes(RoutingFixtures.fields([AuthenticationFixtures.basic("carol", "x")])) == nil)
        #expect(table.authentication.pendingHashes(RoutingFixtures.fields([])) == nil)
        // Once a match is cached, nothing is pending.
        #expect(try Self.outcome(table, [AuthenticationFixtures.basic("bob", "secret")]) == .proceed)
        #expect(table.authentication.pendingHashes(RoutingFixtures.fields([AuthenticationFixtures.basic("bob", "secret")])) == nil)
    }

    @Test func groupsRealmsAndFetches() throws {
        let table = try Self.table([
            #"http-request auth realm "Private zone" if { path_beg /admin } !{ http_auth_group(L) admins }"#,
            "http-request auth realm Staff if { path_beg /staff } !{ http_auth_group(L) staff admins }",
            "http-request return status 200 hdr X-Auth %[http_auth_user]|%[http_auth_pass]|%[http_auth_type]|%[http_auth_group(L)]|%[http_auth(L)]",
        ])
        let alice = AuthenticationFixtures.basic("alice", "wonder")
        let bob = AuthenticationFixtures.basic("bob", "secret")
        #expect(try Self.outcome(table, [bob], path: "/admin") == .authenticate(realm: "Private zone"))
        #expect(try Self.outcome(table, [alice], path: "/staff") != .authenticate(realm: "Staff"))
        #expect(try Self.outcome(table, [bob], path: "/staff") != .authenticate(realm: "Staff"))
        #expect(try Self.outcome(table, [], path: "/staff") == .authenticate(realm: "Staff"))
        guard case .reply(200, let bytes) = try Self.outcome(table, [alice], path: "/x") else { Issue.record("no reply"); return }
        #expect(String(decoding: bytes, as: UTF8.self).contains("X-Auth: alice|wonder|Basic|alice|1"))
        guard case .reply(200, let other) = try Self.outcome(table, [AuthenticationFixtures.basic("alice", "no")], path: "/x") else { return }
        #expect(String(decoding: other, as: UTF8.self).contains("X-Auth: alice|no|Basic||0"))
    }

    @Test func unknownUserlistsAndGroupsAreRefusedAtTheirRule() throws {
        for (line, needle) in [
            ("http-request auth unless { http_auth(M) }", "userlist 'M'"),
            ("http-request auth unless { http_auth_group(L) admins nobody }", "group 'nobody'"),
            ("http-request set-header X %[http_auth_group(Q)]", "userlist 'Q'"),
            ("http-request auth unless { http_auth }", "name of a userlist"),
        ] {
            let text = RoutingFixtures.quietDefaults + "\n    mode http\nuserlist L\n    group admins\nfrontend fe\n    bind :80\n    \(line)\n"
            let configuration = try #require(ConfigurationParser().parse(text, file: "t.cfg").configuration)
            let (table, diagnostics) = RoutingTable.compile(configuration, loadPatternFile: { _ in [] })
            #expect(table == nil, "\(line)")
            #expect(diagnostics.contains { $0.location?.line == 10 && $0.message.contains(needle) }, "\(line): \(diagnostics)")
        }
    }

    @Test func authCountsAnHTTPErrorOnTrackedCounters() throws {
        let table = try Self.table(["stick-table type ip size 10 store http_err_cnt", "http-request track-sc0 src", "http-request auth unless { http_auth(L) }"])
        let stick = try #require(table.stickTables["fe"])
        var head = RoutingFixtures.request("GET / HTTP/1.1", ["Host: x"])
        var context = RoutingFixtures.httpContext(head)
        context.stickCounters = StickCounters()
        _ = try table.frontend("fe").httpRequestRules.apply(to: &head, &context)
        #expect(stick.count == 1)
        let entry = try #require(stick.snapshot().first)
        #expect(entry.data.value(.httpErrorCount) == 1)
    }

    @Test func statsPageAuthRules() throws {
        let table = try RoutingFixtures.table(RoutingFixtures.quietDefaults + """

                mode http
            userlist L
                user admin insecure-password pw
            listen st
                bind :8404
                stats uri /stats
                stats realm Stats\\ here
                stats http-request auth realm Admins if { path_beg /stats/admin } !{ http_auth(L) }
                stats http-request auth unless { http_auth(L) }

            """)
        let page = try #require(table.statsPages["st"])
        func access(_ path: String, _ headers: [String]) -> CompiledStatsPage.Access {
            var context = RoutingFixtures.httpContext(RoutingFixtures.request("GET \(path) HTTP/1.1", ["Host: x"] + headers))
            return page.access(&context)
        }
        #expect(access("/stats", []) == .authenticate(realm: "Stats here"))
        #expect(access("/stats/admin", []) == .authenticate(realm: "Admins"))
        #expect(access("/stats", [AuthenticationFixtures.basic("admin", "pw")]) == .allow)
        #expect(access("/stats/admin", [AuthenticationFixtures.basic("admin", "pw")]) == .allow)
    }

    @Test func theChallengeReplacesAnErrorfilesField() {
        let custom = Array("HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nWWW-Authenticate: Digest x\r\nContent-Length: 3\r\n\r\nno\n".utf8)
        let pages = HTTPErrorPages(custom: [401: custom])
        let text = String(decoding: pages.unauthorized(realm: #"a "b""#), as: UTF8.self)
        #expect(text == "HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nwww-authenticate: Basic realm=\"a \\\"b\\\"\"\r\n\r\nno\n")
        let builtIn = String(decoding: HTTPErrorPages().unauthorized(realm: "fe", closing: false), as: UTF8.self)
        #expect(builtIn.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
        #expect(builtIn.contains("www-authenticate: Basic realm=\"fe\"\r\n") && !builtIn.contains("connection: close"))
    }
}
