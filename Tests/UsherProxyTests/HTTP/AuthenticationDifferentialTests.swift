import Foundation
import Testing

/// `userlist` authentication, differentially: `http-request auth`, `http_auth`, `http_auth_group`,
/// the `http_auth_*` fetches, hashed and insecure passwords, the stats page with `stats
/// http-request auth`, and the stick counters' HTTP errors, each run through HAProxy 2.6 and usher
/// with the same configuration and clients. The checks say what HAProxy 2.6.12 does.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct AuthenticationDifferentialTests {
    @Test(arguments: AuthenticationScenarios.all)
    func scenario(_ scenario: DifferentialScenario) throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        guard DifferentialSettings.selected(scenario.name) else { return }
        DifferentialRunner.verify(scenario)
    }
}

enum AuthenticationScenarios {
    /// "secret", hashed by `openssl passwd -6 -salt s6 secret` and by libxcrypt's yescrypt.
    static let sha512 = "$6$s6$MC93XOZK.SA4XYrBZo4wmdQjQNC52hkEmB78QBWoBDldcHtHf6eEVBdL82X2zgCSk3aqy0g4WOQWIRVj0BdW/0"
    static let yescrypt = "$y$j9T$tQKzlzcrpVgOFP0FIG/y//$EHE2tdyke6jPaaTITIAvvoXEBNQlop/3h0ewOQMFGQB"

    static let configuration = """
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        userlist L
            group admins users alice
            group staff
            user alice insecure-password wonder
            user bob password \(sha512) groups staff
            user carol password \(yescrypt) groups staff,admins
        frontend fe
            bind 127.0.0.1:{{PORT}}
            stick-table type ip size 10 expire 30s store http_err_cnt,http_req_cnt
            http-request track-sc0 src
            stats uri /stats
            stats http-request auth realm Operators if { path_beg /stats } !{ http_auth_group(L) admins }
            http-request auth if { path_beg /private } !{ http_auth(L) }
            http-request auth realm "Admins only" if { path_beg /admin } !{ http_auth_group(L) admins }
            http-request set-header X-Auth "%[http_auth_user]|%[http_auth_pass]|%[http_auth_type]|%[http_auth_group(L)]|%[sc0_http_err_cnt]"
            default_backend be
        backend be
            server s {{ORIGIN0}}
        """

    static func basic(_ user: String, _ password: String) -> String {
        "Authorization: Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    static func get(_ path: String, _ fields: [String] = [], close: Bool = true) -> String {
        Request.get(path, fields + (close ? ["Connection: close"] : []))
    }

    /// usher writes its own words in its 401 page (and its stats page).
    static func ownPage(_ prefixes: [String]) -> [Deviation] {
        StickTableScenarios.ownPage(prefixes)
    }

    static let all: [DifferentialScenario] = [
        .init(
            "no credentials: 401 with a Basic challenge for the proxy's name", configuration,
            send: get("/private/x"),
            checks: [
                .statuses([401]), .responseField("www-authenticate", [#"Basic realm="fe""#]), .nothingForwarded(),
            ],
            deviations: ownPage(["client response 1"])),
        .init(
            "an insecure password: good, then wrong", configuration,
            clients: [[.send(get("/private/a", [basic("alice", "wonder")]))], [.send(get("/private/b", [basic("alice", "Wonder")]))]],
            checks: [
                .statuses([200]), .statuses([401], client: 1), .requestLines(["GET /private/a HTTP/1.1"]),
                .originField("x-auth", ["alice|wonder|Basic|alice|0"]),
                .responseField("www-authenticate", [#"Basic realm="fe""#], client: 1),
            ],
            deviations: ownPage(["client 2 response 1"])),
        .init(
            "hashed passwords (SHA-512, yescrypt): good and wrong", configuration,
            clients: [
                [.send(get("/private/1", [basic("bob", "secret")]))], [.send(get("/private/2", [basic("bob", "secreT")]))],
                [.send(get("/private/3", [basic("carol", "secret")]))], [.send(get("/private/4", [basic("carol", "")]))],
                [.send(get("/private/5", [basic("nobody", "secret")]))],
            ],
            checks: [
                .statuses([200]), .statuses([401], client: 1), .statuses([200], client: 2), .statuses([401], client: 3),
                .statuses([401], client: 4),
                .requestLines(["GET /private/1 HTTP/1.1", "GET /private/3 HTTP/1.1"]),
                .originField("x-auth", ["bob|secret|Basic|bob|0"]), .originField("x-auth", ["carol|secret|Basic|carol|1"], request: 1),
            ],
            deviations: ownPage(["client 2 response 1", "client 4 response 1", "client 5 response 1"])),
        .init(
            "groups: a user outside the group gets the group rule's realm", configuration,
            clients: [
                [.send(get("/admin", [basic("bob", "secret")]))], [.send(get("/admin", [basic("alice", "wonder")]))],
                [.send(get("/admin", [basic("carol", "secret")]))], [.send(get("/admin"))],
            ],
            checks: [
                .statuses([401]), .responseField("www-authenticate", [#"Basic realm="Admins only""#]),
                .statuses([200], client: 1), .statuses([200], client: 2), .statuses([401], client: 3),
                .requestLines(["GET /admin HTTP/1.1", "GET /admin HTTP/1.1"]),
                .originField("x-auth", ["alice|wonder|Basic|alice|1"]),
            ],
            deviations: ownPage(["client 1 response 1", "client 4 response 1"])),
        .init(
            "keep-alive: the 401 keeps the connection, the next request brings credentials", configuration,
            send: get("/private/1", close: false) + get("/private/2", [basic("bob", "secret")], close: false) + get("/open", ["Authorization: Bearer abc.def"]),
            checks: [
                .statuses([401, 200, 200]),
                .requestLines(["GET /private/2 HTTP/1.1", "GET /open HTTP/1.1"]),
                .originField("x-auth", ["bob|secret|Basic|bob|1"]), .originField("x-auth", ["||Bearer||1"], request: 1),
            ],
            deviations: ownPage(["client response 1"])),
        .init(
            "stats page: stats http-request auth with a realm and a group", configuration,
            clients: [
                [.send(get("/stats;csv"))], [.send(get("/stats;csv", [basic("bob", "secret")]))],
                [.send(get("/stats;csv", [basic("carol", "wrong")]))],
            ],
            checks: [
                .statuses([401]), .responseField("www-authenticate", [#"Basic realm="Operators""#]),
                .statuses([401], client: 1), .statuses([401], client: 2), .requestLines([]),
            ],
            deviations: ownPage(["client 1 response 1", "client 2 response 1", "client 3 response 1"])),
        .init(
            "stats page: good credentials see the CSV", configuration,
            send: get("/stats;csv", [basic("alice", "wonder")]),
            checks: [.statuses([200]), .responseField("content-type", ["text/plain"]), .requestLines([])],
            deviations: [
                Deviation(linePrefix: "client response 1 body", reason: "the statistics' values (and usher's rows of its own)"),
                Deviation(linePrefix: "client response 1 field", reason: "the CSV's framing (length or chunks)"),
                Deviation(linePrefix: "client response 1 framing", reason: "the CSV's framing (length or chunks)"),
            ]),
    ]
}
