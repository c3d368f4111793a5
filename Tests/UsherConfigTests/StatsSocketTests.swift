import Testing
@testable import UsherConfig

/// `stats socket`, `stats timeout` and `stats maxconn` in `global`.
struct StatsSocketTests {
    func global(_ lines: [String]) -> ConfigurationParser.Outcome {
        parse("global\n" + lines.map { "    \($0)\n" }.joined() + quietDefaults + "\nfrontend fe\n    bind :80\n    default_backend be\nbackend be\n    server s 127.0.0.1:80\n")
    }

    @Test func socketsTimeoutAndMaxconnAreParsed() throws {
        let outcome = global([
            "stats socket /run/haproxy/admin.sock mode 660 level admin expose-fd-not-here",
        ])
        try outcome.expectSingleAlert(line: 2, ["unknown keyword 'expose-fd-not-here'"])
        let good = global([
            "stats socket /run/haproxy/admin.sock mode 660 uid 0 gid 0 level admin",
            "stats socket unix@/tmp/user.sock user root group root level user",
            "stats socket ipv4@127.0.0.1:9999 level operator",
            "stats socket 127.0.0.1:9998",
            "stats timeout 2m",
            "stats maxconn 5",
        ])
        #expect(good.alerts.isEmpty, "\(good.alerts)")
        let api = try #require(good.configuration).global.runtimeAPI
        #expect(api.sockets.map(\.endpoint) == [
            .unixPath("/run/haproxy/admin.sock"), .unixPath("/tmp/user.sock"), .tcp(host: "127.0.0.1", port: 9999), .tcp(host: "127.0.0.1", port: 9998),
        ])
        #expect(api.sockets.map(\.level) == [.admin, .user, .operator, .admin])
        #expect(api.sockets[0].mode == 0o660)
        #expect(api.sockets[0].uid == 0 && api.sockets[0].gid == 0)
        #expect(api.sockets[1].user == "root" && api.sockets[1].group == "root")
        #expect(api.sockets[1].uid == 0 && api.sockets[1].gid == 0)
        #expect(api.sockets[2].location.line == 4)
        #expect(api.timeout == .seconds(120))
        #expect(api.maxConnections == 5)
        #expect(api.sockets[2].endpoint.description == "ipv4@127.0.0.1:9999")
    }

    @Test func defaultsAreHAProxys() {
        let settings = RuntimeAPISettings()
        #expect(settings.effectiveTimeout == .seconds(10))
        #expect(settings.effectiveMaxConnections == 10)
    }

    @Test(arguments: [
        ("stats socket", "expects an address"),
        ("stats socket /x.sock level bogus", "'level' only supports 'user', 'operator', and 'admin' (got 'bogus')"),
        ("stats socket /x.sock mode 999", "'mode' expects an octal"),
        ("stats socket /x.sock level", "'level' expects a value"),
        ("stats socket ipv4@127.0.0.1 level admin", "missing port"),
        ("stats socket ipv4@127.0.0.1:99999", "invalid port"),
        ("stats socket ipv4@127.0.0.1:9999 mode 600", "only apply to a UNIX socket"),
        ("stats socket /x.sock expose-fd other", "'expose-fd' only supports 'listeners'"),
        ("stats socket abns@cli", "not supported by usher yet"),
        ("stats socket /x.sock user no-such-user-here", "unknown user 'no-such-user-here'"),
        ("stats socket /x.sock group no-such-group-here", "unknown group 'no-such-group-here'"),
        ("stats socket /x.sock process 1", "not supported by usher yet"),
        ("stats timeout abc", "'stats timeout' expects a duration"),
        ("stats timeout", "'stats timeout' expects a duration"),
        ("stats maxconn 0", "'stats maxconn' expects a positive integer"),
        ("stats maxconn many", "'stats maxconn' expects a positive integer"),
        ("stats bind-process x", "expects a process number"),
        ("stats enable", "expects 'socket', 'timeout' or 'maxconn'"),
        ("stats", "expects 'socket'"),
    ])
    func badInputIsAnErrorAtItsLine(line: String, message: String) throws {
        try global([line]).expectSingleAlert(line: 2, [message])
    }
}
