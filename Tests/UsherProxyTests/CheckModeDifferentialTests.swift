import Foundation
import Testing
import UsherConfig
import UsherProxy

/// Configurations HAProxy 2.6 accepts (perhaps with a warning) or refuses, checked with `haproxy -c`
/// and with usher's loader (the parser and the routing compiler, as `usher -c` runs them): both must
/// reach the same verdict, at the same line. Under `CI=true` a missing haproxy fails the suite.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct CheckModeDifferentialTests {
    /// What `-c` says about a configuration.
    enum Verdict: Equatable, CustomStringConvertible {
        case valid
        /// Valid, with a warning at each of these lines of the body (line 1 is the body's first).
        case warnings([Int])
        /// Refused, with an alert at each of these lines of the body.
        case alerts([Int])

        var description: String {
            switch self {
            case .valid: "valid"
            case .warnings(let lines): "valid with warnings at \(lines)"
            case .alerts(let lines): "refused at \(lines)"
            }
        }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var body: String
        var expected: Verdict
        /// When usher differs on purpose (docs/differences-from-haproxy.md), its verdict.
        var usher: Verdict?

        init(_ name: String, _ body: String, _ expected: Verdict, usher: Verdict? = nil) {
            self.name = name
            self.body = body
            self.expected = expected
            self.usher = usher
        }

        var testDescription: String { name }
    }

    /// Four lines of defaults setting what HAProxy would otherwise warn about.
    static let defaults = """
        defaults
            timeout connect 5s
            timeout client 5s
            timeout server 5s

        """
    static let headerLines = 4

    static func frontendAndBackend(_ frontendLines: [String], _ backendLines: [String]) -> String {
        "frontend fe\n    mode http\n    bind 127.0.0.1:18443\n"
            + frontendLines.map { "    \($0)\n" }.joined()
            + "    default_backend be\nbackend be\n    mode http\n"
            + backendLines.map { "    \($0)\n" }.joined()
            + "    server s 127.0.0.1:8000\n"
    }

    static let cases: [Case] = [
        .init("'OR', 'or' and '||' join alternatives", frontendAndBackend([
            "acl a path_beg /a", "acl b path_beg /b",
            "use_backend be if a OR b", "use_backend be if a or !b", "use_backend be if a || b", "use_backend be if a Or b",
        ], []), .valid),
        .init("a time with junk after its unit is read with a warning", frontendAndBackend([], []).replacingOccurrences(
            of: "server s 127.0.0.1:8000", with: "server s 127.0.0.1:8000 check inter 1s["), .warnings([7])),
        // HAProxy's warning names no line here (0); usher's does.
        .init("'15min' is 15 minutes, with a warning", frontendAndBackend(["timeout client 15min"], []), .warnings([0]), usher: .warnings([4])),
        .init("a time without a unit but junk is refused", frontendAndBackend(["timeout client 10x"], []), .alerts([4])),
        .init("'maxconn' in a backend is ignored with a warning", frontendAndBackend([], ["maxconn 100"]), .warnings([7])),
        .init("'stats bind-process' in a proxy is refused", "listen st\n    mode http\n    bind 127.0.0.1:18443\n    stats enable\n    stats bind-process 1\n", .alerts([5])),
        .init("'stats bind-process' in global is read", "frontend fe\n    bind 127.0.0.1:18443\n", .valid),
        .init("a refused bind is reported once", "frontend fe\n    bind 127.0.0.1:18443 frobnicate\n", .alerts([2])),
        // HAProxy repeats "no such ACL" at each use of a refused ACL; usher reports the cause once.
        .init("a refused ACL is reported once, not at each use", frontendAndBackend([
            "acl bad path_beg -m nosuchmethod /a", "use_backend be if bad", "http-request deny if bad",
        ], []), .alerts([4, 5, 6]), usher: .alerts([4])),
        .init("an unknown ACL is reported once per rule", frontendAndBackend(["use_backend be if nosuch"], []), .alerts([4])),
        // In an ACL, commas after the criterion end it (`not` below is a pattern, not a converter).
        .init("a trailing comma in an ACL's criterion", frontendAndBackend([
            "acl x req.hdr(host), www.example.com", "acl y path,lower,, /a", "http-request deny if x || y || { path,, /b }",
        ], []), .valid),
        .init("log-format variables HAProxy 2.6 documents", frontendAndBackend([
            "log 127.0.0.1:514 local0", #"log-format "%HPO %HP %HQ %HU %HV %HM %T %Tl %Ts %Td %Tu %sslv %sslc %ci:%cp""#,
        ], []), .valid),
        .init("an unknown log-format variable is refused, not written as text", frontendAndBackend([
            "log 127.0.0.1:514 local0", #"log-format "%Twx""#,
        ], []), .alerts([5])),
        .init("variables in a header value", frontendAndBackend(["http-request set-header X-A %ci:%cp-%HPO%%"], []), .valid),
        .init("a lone '%' in a header value is refused", frontendAndBackend(["http-request set-header X-A 100%"], []), .alerts([4])),
        .init("an unknown variable in a header value is refused", frontendAndBackend(["http-request set-header X-A %Twx"], []), .alerts([4])),
        // usher has no listener names in its sample context yet: refused at check time, never sent as text.
        .init("%[so_name] in a header value", frontendAndBackend(["http-request set-header X-A %[so_name]"], []), .valid, usher: .alerts([4])),
        .init("a server at 0.0.0.0 (the client's destination)", frontendAndBackend([], ["server z 0.0.0.0:8001 check"]), .valid),
        .init("use-server with a computed name", frontendAndBackend([], ["use-server %[req.hdr(x-server)] if { req.hdr(x-server) -m found }", "use-server srv_%[req.hdr(x)] if TRUE"]), .valid),
        .init("use-server without a condition is refused", frontendAndBackend([], ["use-server s"]), .alerts([7])),
        // (For the second, HAProxy names the frontend's line, usher the default_backend line.)
        // Both upgrade the TCP connection to HTTP for the backend.
        .init("a mode tcp frontend with a mode http backend", "frontend fe\n    mode tcp\n    bind 127.0.0.1:18443\n    default_backend be\nbackend be\n    mode http\n    server s 127.0.0.1:8000\n",
              .valid),
        .init("a mode http frontend with a mode tcp backend", "frontend fe\n    mode http\n    bind 127.0.0.1:18443\n    default_backend be\nbackend be\n    mode tcp\n    server s 127.0.0.1:8000\n",
              .alerts([1]), usher: .alerts([4])),
        .init("%[so_name] in a return's hdr value", frontendAndBackend(["http-request return status 200 hdr X-A %[so_name]"], []), .valid, usher: .alerts([4])),
        .init("an unknown variable in unique-id-format is refused", frontendAndBackend(["unique-id-format %Twx"], []), .alerts([4])),
        .init("repeated commas in %[…]", frontendAndBackend(["http-request set-header X-A %[req.hdr(host),,lower]"], []), .valid),
        .init("a space after a comma inside %[…] is refused", frontendAndBackend(["http-request set-header X-A %[req.hdr(host), lower]"], []), .alerts([4])),
        .init("variables, silent-drop and tarpit in rules", frontendAndBackend([
            "tcp-request connection set-var(sess.src) src", "tcp-request session set-var-fmt(sess.tag) s-%[src]",
            "tcp-request content set-var(txn.p) path", "http-request set-var(txn.host,ifnotempty,ifnotset) req.hdr(host),lower",
            "http-request set-var-fmt(txn.r) %[var(txn.host)]-%[src]", "http-request set-header X-H %[var(txn.host,none)]",
            "http-request set-header X-N %[var(sess.n,0),add(1),set-var(sess.n)]",
            "http-request silent-drop if { path /drop }", "http-request tarpit deny_status 403 if { path /t }", "timeout tarpit 2s",
            "http-request unset-var(txn.p)", "http-response set-var(res.s) status", "use_backend %[var(txn.host)] if { var(txn.host) -m found }",
        ], ["http-response set-header X-S %[var(res.s)]"]), .valid),
        .init("a variable of an unknown scope is refused", frontendAndBackend(["http-request set-var(foo.x) str(a)"], []), .alerts([4])),
        .init("an unknown set-var condition is refused", frontendAndBackend(["http-request set-var(txn.x,ifbogus) str(a)"], []), .alerts([4])),
        .init("unset-var takes no condition", frontendAndBackend(["http-request unset-var(txn.x,ifexists)"], []), .alerts([4])),
        // HAProxy also repeats "no such ACL" where it is used; usher reports the cause once.
        .init("an ACL on var() must say -m", frontendAndBackend(["acl v var(txn.x) foo", "http-request deny if v"], []), .alerts([4, 5]), usher: .alerts([4])),
        .init("tcp-request connection cannot read a header into a variable", frontendAndBackend(["tcp-request connection set-var(sess.h) req.hdr(host)"], []), .alerts([4])),
        // HAProxy accepts a rule that can never set anything; usher says so.
        .init("a txn variable in a tcp-request connection rule", frontendAndBackend(["tcp-request connection set-var(txn.x) src"], []), .valid, usher: .warnings([4])),
        .init("stick tables: tracking at every stage, fetches and converters", frontendAndBackend([
            "stick-table type ip size 100k expire 30s store conn_cur,conn_rate(10s),http_req_rate(10s),http_err_rate(10s),gpc0,gpc0_rate(1m),gpt0,bytes_out_rate(1m)",
            "tcp-request connection track-sc0 src", "tcp-request connection reject if { sc_conn_rate(0) gt 100 }",
            "tcp-request session track-sc1 src table be", "tcp-request content track-sc2 req.hdr(host) table hosts",
            "http-request track-sc2 src", "http-request sc-inc-gpc0(0) if { path_beg /admin }", "http-request sc-set-gpt0(0) 1 if { sc0_get_gpc0 gt 3 }",
            "http-request sc-inc-gpc1(1)", "http-request deny deny_status 429 if { sc_http_req_rate(0) gt 50 } || { src_get_gpt0 eq 1 }",
            "http-request set-header X-R %[sc0_http_req_rate]-%[src,table_conn_cur(be)]-%[sc_get_gpc0(0,be)]-%[table_cnt]-%[src,in_table(hosts)]",
            "http-response sc-inc-gpc0(0) if { status 404 }",
        ], ["stick-table type ip size 10 store gpc(2),conn_cnt", "http-request track-sc0 src"]) + "backend hosts\n    stick-table type string len 64 size 1k expire 10m store http_req_cnt\n",
              // HAProxy warns (without a line) that a `tcp-request content track-sc` on request
              // contents has no inspect-delay; in mode http usher runs these rules on the whole
              // head, so there is nothing to warn about.
              .warnings([0]), usher: .valid),
        // HAProxy names no line; usher names the rule's.
        .init("track-sc naming a table no one declares", frontendAndBackend(["http-request track-sc0 src table nowhere"], []), .alerts([0]), usher: .alerts([4])),
        .init("src_* in a proxy without a stick-table", frontendAndBackend(["http-request deny if { src_conn_cur gt 3 }"], []), .alerts([4])),
        .init("an unknown stored data type", frontendAndBackend(["stick-table type ip size 1k store http_req_rat(10s)"], []), .alerts([4])),
        .init("a rate without its period", frontendAndBackend(["stick-table type ip size 1k store http_req_rate"], []), .alerts([4])),
        .init("gpc(…) and gpc0 in one table", frontendAndBackend(["stick-table type ip size 1k store gpc(2),gpc0"], []), .alerts([4])),
        .init("a stick-table without a size", frontendAndBackend(["stick-table type ip expire 1m"], []), .alerts([4])),
        .init("a stick counter past sc2", frontendAndBackend(["stick-table type ip size 1k", "http-request track-sc3 src"], []), .alerts([5])),
        .init("stick rules in a backend", frontendAndBackend([], [
            "stick-table type ip size 1k expire 30m", "stick on src", "stick match req.hdr(x-id) table ids if { req.hdr(x-id) -m found }",
            "stick store-request req.hdr(x-id) table ids", "stick store-response res.hdr(x-id) table ids",
        ]) + "backend ids\n    stick-table type string len 32 size 1k\n", .valid),
        .init("tcp-request content rules in a backend", frontendAndBackend([], [
            "tcp-request content reject if { src 10.0.0.0/8 }", "tcp-request content track-sc0 src table be2", "tcp-request inspect-delay 2s",
        ]) + "backend be2\n    stick-table type ip size 1k\n", .valid),
        .init("HTTP fetches in a mode tcp frontend", "frontend fe\n    mode tcp\n    bind 127.0.0.1:18443\n    tcp-request inspect-delay 2s\n    tcp-request content accept if HTTP\n    use_backend be if { path_beg /x } METH_GET\n    default_backend be\nbackend be\n    mode tcp\n    server s 127.0.0.1:8000\n", .valid),
        .init("an HTTP ACL in a tcp-request connection rule never matches", "frontend fe\n    mode tcp\n    bind 127.0.0.1:18443\n    tcp-request connection reject if { path_beg /x }\n    default_backend be\nbackend be\n    mode tcp\n    server s 127.0.0.1:8000\n", .warnings([4])),
        .init("an HTTP fetch in a tcp-request connection set-var", "frontend fe\n    mode tcp\n    bind 127.0.0.1:18443\n    tcp-request connection set-var(sess.x) req.hdr(host)\n    default_backend be\nbackend be\n    mode tcp\n    server s 127.0.0.1:8000\n", .alerts([4])),
        .init("a stick rule in a frontend is ignored with a warning", frontendAndBackend(["stick on src"], []), .warnings([4])),
        .init("a stick rule without a table to use is refused", frontendAndBackend([], ["stick on src"]), .alerts([0]), usher: .alerts([7])),
        // No peer is named after this host: both warn that the section is ignored (HAProxy without
        // a line, usher at the section's); the table stays, local.
        .init("a peers section's table", "peers mesh\n    peer local 127.0.0.1:10000\n    table t type ip size 1k expire 1m store http_req_rate(10s)\n"
              + frontendAndBackend(["http-request track-sc0 src table mesh/t", "http-request deny if { sc_http_req_rate(0) gt 10 }"], []),
              .warnings([0]), usher: .warnings([1])),
        // DNS service discovery (resolvers sections, server-template).
        .init("resolvers, server-template and DNS server options",
              "resolvers dns\n    nameserver ns1 127.0.0.1:53\n    nameserver ns2 udp@127.0.0.1:5353\n    hold valid 1s\n    hold obsolete 1s\n    timeout retry 200ms\n    resolve_retries 2\n    accepted_payload_size 4096\n"
                + "frontend fe\n    bind 127.0.0.1:18443\n    default_backend be\nbackend be\n"
                + "    server-template web 3 _http._tcp.svc.test resolvers dns init-addr none check\n"
                + "    server app app.test:8080 resolvers dns init-addr none resolve-prefer ipv4 resolve-opts allow-dup-ip,ignore-weight resolve-net 10.0.0.0/8\n", .valid),
        // HAProxy names no line for it; usher names the server's.
        .init("a server naming an undeclared resolvers section",
              "resolvers dns\n    nameserver ns1 127.0.0.1:53\nfrontend fe\n    bind 127.0.0.1:18443\n    default_backend be\nbackend be\n    server app app.test:8080 resolvers dsn init-addr none\n",
              .alerts([0]), usher: .alerts([7])),
        .init("a nameserver without a port", "resolvers dns\n    nameserver ns1 127.0.0.1\n    nameserver ns2 127.0.0.1:53\nfrontend fe\n    bind 127.0.0.1:18443\n", .alerts([2])),
        .init("a bad hold period", "resolvers dns\n    nameserver ns1 127.0.0.1:53\n    hold valid soon\nfrontend fe\n    bind 127.0.0.1:18443\n", .alerts([3])),
        .init("an unknown hold status", "resolvers dns\n    nameserver ns1 127.0.0.1:53\n    hold forever 1s\nfrontend fe\n    bind 127.0.0.1:18443\n", .alerts([3])),
        .init("a bad server-template range", "resolvers dns\n    nameserver ns1 127.0.0.1:53\nfrontend fe\n    bind 127.0.0.1:18443\n    default_backend be\nbackend be\n    server-template w 3-1 web.test:80 resolvers dns init-addr none\n", .alerts([7])),
        // HAProxy 2.6 refuses it; 1.8 ignored it with a warning, and so does usher, which reads 1.x configurations.
        // Maps (files written by MapScenarios).
        .init("maps, -M ACLs and map actions that read well", frontendAndBackend([
            "acl known req.hdr(host) -M -f \(MapScenarios.directory)/hosts.map",
            "http-request set-header X-A %[req.hdr(host),map(\(MapScenarios.directory)/hosts.map,none)] if known",
            "http-request set-header X-B %[src,map_ip(\(MapScenarios.directory)/ip.map)]",
            "http-request set-map(\(MapScenarios.directory)/hosts.map) %[req.hdr(x-k)] %[req.hdr(x-v)]",
            "http-request add-acl(/nonexistent/usher-acl.lst) %[req.hdr(x-k)]",
            "use_backend %[req.hdr(host),lower,map_dom(\(MapScenarios.directory)/hosts.map,be)]",
        ], []), .valid),
        .init("a missing map file is an error at the line", frontendAndBackend([
            "http-request set-header X-A %[req.hdr(host),map(/nonexistent/usher-missing.map)]",
        ], []), .alerts([4])),
        .init("a map value that is not an integer is an error at the line", frontendAndBackend([
            "http-request set-header X-A %[req.hdr(host),map_str_int(\(MapScenarios.directory)/hosts.map)]",
        ], []), .alerts([4])),
        .init("a map key that is not an address is an error at the line", frontendAndBackend([
            "acl a path_beg /a",
            "http-request set-header X-B %[src,map_ip(\(MapScenarios.directory)/hosts.map)]",
        ], []), .alerts([5])),
        .init("a map's default that does not parse", frontendAndBackend([
            "http-request set-header X-A %[req.hdr(host),map_str_int(\(MapScenarios.directory)/num.map,abc)]",
        ], []), .alerts([4])),
        .init("an ACL reading a missing map", frontendAndBackend([
            "acl known req.hdr(host) -M -f /nonexistent/usher-missing.map",
        ], []), .alerts([4])),
        // Userlists and authentication.
        .init("userlists, http-request auth, http_auth* and stats http-request auth",
              "userlist L\n    group admins users alice\n    group staff\n    user alice insecure-password wonder\n"
                + "    user bob password $6$s6$MC93XOZK.SA4XYrBZo4wmdQjQNC52hkEmB78QBWoBDldcHtHf6eEVBdL82X2zgCSk3aqy0g4WOQWIRVj0BdW/0 groups staff\n"
                + frontendAndBackend([
                    "http-request auth if { path_beg /p } !{ http_auth(L) }", #"http-request auth realm "Admins only" unless { http_auth_group(L) admins staff }"#,
                    "http-request set-header X-U %[http_auth_user]-%[http_auth_type]-%[http_auth_group(L)]", "stats uri /stats",
                    "stats http-request auth realm Ops unless { http_auth(L) }",
                ], ["http-request auth unless { http_auth(L) }"]), .valid),
        .init("an unknown userlist in http_auth", "userlist L\n    user u insecure-password p\n" + frontendAndBackend(["http-request auth unless { http_auth(M) }"], []), .alerts([6])),
        // HAProxy 2.6.12 with Debian's libxcrypt takes any hash (its load-time test never sees a
        // failure: crypt returns "*0"), then refuses every password; usher says so at the line.
        .init("a password hash crypt(3) cannot check", "userlist L\n    user u password $9$nope\n" + frontendAndBackend([], []), .valid, usher: .alerts([2])),
        // HAProxy names no line for these; usher names the user's or the group's.
        .init("a user in an unknown group", "userlist L\n    group G\n    user u insecure-password p groups G,H\n" + frontendAndBackend([], []), .alerts([0]), usher: .alerts([3])),
        .init("a group naming an unknown user", "userlist L\n    group G users u,v\n    user u insecure-password p\n" + frontendAndBackend([], []), .alerts([0]), usher: .alerts([2])),
        .init("an unknown group in an http_auth_group ACL", "userlist L\n    group G\n" + frontendAndBackend(["http-request deny if { http_auth_group(L) G H }"], []), .alerts([0]), usher: .alerts([6])),
        .init("duplicated users, groups and userlists are ignored with a warning",
              "userlist L\n    group G\n    group G\n    user u insecure-password p\n    user u insecure-password q\nuserlist L\n" + frontendAndBackend([], []), .warnings([3, 5, 6])),
        .init("resolution_pool_size", "resolvers dns\n    nameserver ns1 127.0.0.1:53\n    resolution_pool_size 64\nfrontend fe\n    bind 127.0.0.1:18443\n", .alerts([3]), usher: .warnings([3])),
    ]

    @Test(arguments: cases)
    func sameVerdictAsHAProxy(_ testCase: Case) throws {
        try #require(DifferentialSettings.haproxyAvailable, "HAProxy 2.6 (/usr/sbin/haproxy) is required (CI=true)")
        var text = Self.defaults + testCase.body
        if testCase.name.contains("'stats bind-process' in global") {
            text = "global\n    stats bind-process 1\n" + text
        }
        let offset = testCase.name.contains("in global") ? Self.headerLines + 2 : Self.headerLines
        let haproxy = try Self.haproxyVerdict(text, offset: offset)
        #expect(haproxy == testCase.expected, "haproxy -c: \(haproxy)")
        let usher = Self.usherVerdict(text, offset: offset)
        #expect(usher.verdict == (testCase.usher ?? testCase.expected), "usher: \(usher.diagnostics)")
    }

    /// `haproxy -c` on `text`; the lines of its warnings and alerts, less `offset`.
    static func haproxyVerdict(_ text: String, offset: Int) throws -> Verdict {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("usher-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("t.cfg").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try ExternalProcess.run(["haproxy", "-c", "-f", path])
        let lines = (result.output + result.error).split(separator: "\n")
        func numbers(_ severity: String) -> [Int] {
            lines.filter { $0.contains("[\(severity)]") }.compactMap { line -> Int? in
                // "[t.cfg:12]" with the file's full path; a warning without a line counts as line 0.
                guard let range = line.range(of: "t.cfg:") else { return line.contains("Error(s) found") || line.contains("Fatal errors") || line.contains("Warnings were found") ? nil : 0 }
                return Int(line[range.upperBound...].prefix { $0.isNumber }).map { $0 - offset }
            }.sorted()
        }
        if result.status != 0 || result.output.contains("Fatal") || result.error.contains("[ALERT]") {
            return .alerts(numbers("ALERT"))
        }
        let warnings = numbers("WARNING")
        return warnings.isEmpty ? .valid : .warnings(warnings)
    }

    static func usherVerdict(_ text: String, offset: Int) -> (verdict: Verdict, diagnostics: [Diagnostic]) {
        let result = ConfigurationLoader(environment: [:]).compile([.init(name: "t.cfg", text: text)])
        let diagnostics = result.diagnostics
        func numbers(_ list: [Diagnostic]) -> [Int] { list.map { ($0.location?.line ?? offset) - offset }.sorted() }
        if !result.alerts.isEmpty { return (.alerts(numbers(result.alerts)), diagnostics) }
        return (result.warnings.isEmpty ? .valid : .warnings(numbers(result.warnings)), diagnostics)
    }
}
