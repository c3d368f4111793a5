import Testing
@testable import UsherConfig

@Suite("userlist sections, http-request auth, stats http-request auth")
struct UserlistTests {
    /// HAProxy's two ways of saying who is in which group: the group lists its users, or the user
    /// lists its groups. Both give the same memberships.
    @Test func groupsBothWays() throws {
        let outcome = parse("""
            userlist L1
                group G1 users tiger,scott
                group G2 users xdb,scott
                user tiger password $6$k6y3o.eP$JlKBx9za966
                user scott insecure-password elgato
                user xdb insecure-password hello
            userlist L2
                group G1
                group G2
                user tiger password $6$k6y3o.eP$JlKBx9za966 groups G1
                user scott insecure-password elgato groups G1,G2
                user xdb insecure-password hello groups G2

            """)
        let configuration = try #require(outcome.configuration, "\(outcome.diagnostics)")
        #expect(outcome.diagnostics.isEmpty)
        #expect(configuration.userlists.map(\.name) == ["L1", "L2"])
        let first = try #require(configuration.userlist(named: "L1"))
        let second = try #require(configuration.userlist(named: "L2"))
        for user in ["tiger", "scott", "xdb", "nobody"] {
            #expect(first.groups(of: user) == second.groups(of: user), "\(user)")
        }
        #expect(first.groups(of: "scott") == ["G1", "G2"])
        #expect(first.users.map(\.password) == [.hashed("$6$k6y3o.eP$JlKBx9za966"), .insecure("elgato"), .insecure("hello")])
        #expect(first.users[1].location == SourceLocation(file: "t.cfg", line: 5))
    }

    @Test func aUserInAnUnknownGroupIsRefusedAtItsLine() throws {
        let outcome = parse("userlist L\n    group admins\n    user u insecure-password p groups admins,adnims\n")
        try outcome.expectSingleAlert(line: 3, ["userlist 'L'", "user 'u'", "group 'adnims'", "did you mean 'admins'"])
    }

    @Test func aGroupNamingAnUnknownUserIsRefusedAtItsLine() throws {
        // The group may come before the users it names; only missing ones are refused.
        let outcome = parse("userlist L\n    group G users alice,bob\n    user alice insecure-password a\n")
        try outcome.expectSingleAlert(line: 2, ["group 'G'", "user 'bob'"])
    }

    @Test func duplicatesAreIgnoredWithAWarning() throws {
        let outcome = parse("""
            userlist L
                group G
                group G users a
                user a insecure-password first
                user a insecure-password second
            userlist L
                user b insecure-password other

            """)
        let configuration = try #require(outcome.configuration, "\(outcome.diagnostics)")
        #expect(outcome.warnings.map { $0.location?.line } == [3, 5, 6])
        #expect(outcome.warnings[0].message.contains("duplicated group 'G'"))
        #expect(outcome.warnings[1].message.contains("duplicated user 'a'"))
        #expect(outcome.warnings[2].message.contains("duplicated userlist 'L'"))
        // The first of each is the one kept, as in HAProxy.
        let userlist = try #require(configuration.userlist(named: "L"))
        #expect(userlist.users.map(\.password) == [.insecure("first")])
        #expect(userlist.groups.map(\.users) == [[]])
        #expect(configuration.userlists.count == 1)
    }

    @Test(arguments: [
        ("group G members a", "takes only the 'users' option"),
        ("user u passwd x", "did you mean 'password'"),
        ("user u password", "'password' expects a value"),
        ("user", "expects a user name"),
        ("frobnicate", "unknown keyword 'frobnicate' in a userlist section"),
    ])
    func badLinesAreRefusedAtTheirLine(line: String, message: String) throws {
        let outcome = parse("userlist L\n    \(line)\n")
        try outcome.expectSingleAlert(line: 2, [message])
    }

    @Test func aUserWithoutPasswordIsAccepted() throws {
        let outcome = parse("userlist L\n    user nobody groups\n")
        let userlist = try #require(outcome.configuration?.userlist(named: "L"), "\(outcome.diagnostics)")
        #expect(userlist.users.first?.password == nil)
    }

    @Test func httpRequestAuthReadsItsRealm() throws {
        let outcome = parseHTTPFrontend([
            "http-request auth", #"http-request auth realm "Private zone" if { path_beg /p }"#, "http-request auth realm X unless TRUE",
        ])
        let frontend = try #require(outcome.configuration?.proxies.first { $0.name == "fe" }, "\(outcome.diagnostics)")
        #expect(frontend.httpRequestRules.map(\.action) == [.auth(realm: nil), .auth(realm: "Private zone"), .auth(realm: "X")])
        #expect(frontend.httpRequestRules.map { $0.condition == nil } == [true, false, false])
    }

    @Test func httpRequestAuthWithoutARealmValueIsRefused() throws {
        try parseHTTPFrontend(["http-request auth realm"]).expectSingleAlert(line: 8, ["'realm'", "expects a value"])
        try parseHTTPFrontend(["http-request auth basic"]).expectSingleAlert(line: 8, ["unexpected 'basic'"])
    }

    @Test func statsHTTPRequestAuth() throws {
        let outcome = parse("""
            listen st
                mode http
                bind 127.0.0.1:8404
                stats uri /stats
                stats http-request auth realm Admins if { path_beg /stats/admin }
                stats http-request auth unless { http_auth(L) }
                stats http-request allow

            """)
        let stats = try #require(outcome.configuration?.proxies.first?.settings.stats, "\(outcome.diagnostics)")
        #expect(stats.accessRules.map(\.action) == [.auth, .auth, .allow])
        #expect(stats.accessRules.map(\.realm) == ["Admins", nil, nil])
    }
}
