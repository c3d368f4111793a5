import Testing
@testable import UsherConfig

/// `bind` and `server` on UNIX-domain sockets: paths, `unix@`, `abns@`, and the socket file's
/// `mode`, `uid`/`user`, `gid`/`group`.
@Suite("UNIX and abstract socket addresses")
struct UnixSocketAddressTests {
    func address(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Address {
        try Address.parse(text, portRequired: true).get()
    }

    func failure(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String {
        switch Address.parse(text, portRequired: true) {
        case .success(let address):
            Issue.record("'\(text)' parsed as \(address)", sourceLocation: sourceLocation)
            return ""
        case .failure(let error): return error.message
        }
    }

    @Test(arguments: [
        ("/var/run/app.sock", UnixSocketName.path("/var/run/app.sock")),
        ("unix@/var/run/app.sock", .path("/var/run/app.sock")),
        ("uxst@/var/run/app.sock", .path("/var/run/app.sock")),
        ("unix@relative.sock", .path("relative.sock")),
        ("/run/a@b:80.sock", .path("/run/a@b:80.sock")),
        ("abns@usher-test", .abstract("usher-test")),
    ])
    func forms(text: String, expected: UnixSocketName) throws {
        let parsed = try address(text)
        #expect(parsed.unixSocket == expected)
        #expect(parsed.host == nil)
        #expect(parsed.ports == nil)
    }

    @Test func description() throws {
        #expect(try address("unix@/run/a.sock").description == "/run/a.sock")
        #expect(try address("abns@name").description == "abns@name")
    }

    /// `sun_path` is 108 bytes: HAProxy allows 97 for a path (room for its temporary name) and
    /// 107 for an abstract name.
    @Test func lengthLimits() throws {
        let path97 = "/" + String(repeating: "p", count: 96)
        #expect(try address(path97).unixSocket == .path(path97))
        #expect(failure(path97 + "p").contains("too long"))
        let name107 = String(repeating: "n", count: 107)
        #expect(try address("abns@" + name107).unixSocket == .abstract(name107))
        #expect(failure("abns@" + name107 + "n").contains("too long"))
    }

    @Test func emptyNamesAndMixedFamilies() {
        #expect(failure("unix@").contains("missing socket path"))
        #expect(failure("abns@").contains("missing socket name"))
        #expect(failure("ipv4@/run/a.sock").contains("socket path after an IP family"))
    }

    // MARK: - bind

    @Test func bindOnSocketsWithPermissions() throws {
        let outcome = parse(quietDefaults + """

            frontend fe
                bind /run/usher/a.sock,abns@usher mode 660 uid 33 gid 34 accept-proxy
                bind unix@/run/usher/b.sock user root group root mode 0600
                default_backend be
            backend be
                server s 127.0.0.1:80
            """)
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
        let binds = try outcome.proxy("fe").binds
        #expect(binds[0].addresses.map(\.unixSocket) == [.path("/run/usher/a.sock"), .abstract("usher")])
        #expect(binds[0].unixPermissions == UnixSocketPermissions(mode: 0o660, userID: 33, groupID: 34))
        #expect(binds[0].acceptProxy)
        #expect(binds[1].unixPermissions == UnixSocketPermissions(mode: 0o600, userID: 0, groupID: 0))
    }

    @Test(arguments: [
        ("bind /run/a.sock mode 800", "octal"),
        ("bind /run/a.sock mode rw", "octal"),
        ("bind /run/a.sock mode 17777", "octal"),
        ("bind /run/a.sock mode", "expects a value"),
        ("bind /run/a.sock uid nobody", "numeric user ID"),
        ("bind /run/a.sock gid -1", "numeric group ID"),
        ("bind /run/a.sock user no-such-user-usher", "unknown user 'no-such-user-usher'"),
        ("bind /run/a.sock group no-such-group-usher", "unknown group 'no-such-group-usher'"),
        ("bind unix@", "missing socket path"),
    ])
    func badBindOptionsNameTheLine(line: String, needle: String) throws {
        let outcome = parse(quietDefaults + "\nfrontend fe\n    \(line)\n")
        let alert = try outcome.singleAlert()
        #expect(alert.location?.line == 6)
        #expect(alert.message.contains(needle), "\(alert.message)")
    }

    /// HAProxy takes `mode` on a TCP bind and does nothing with it; usher takes it too, and says so.
    @Test func permissionsOnATCPBindAreAWarning() throws {
        let outcome = parse(quietDefaults + "\nfrontend fe\n    bind :8080 mode 600\n    default_backend be\nbackend be\n    server s 127.0.0.1:80\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.diagnostics)")
        let warning = try #require(outcome.diagnostics.first { $0.message.contains("apply only to UNIX socket paths") })
        #expect(warning.location?.line == 6)
        // On an abstract socket (no file) too.
        let abstract = parse(quietDefaults + "\nfrontend fe\n    bind abns@x user root\n    default_backend be\nbackend be\n    server s 127.0.0.1:80\n")
        #expect(abstract.diagnostics.contains { $0.message.contains("apply only to UNIX socket paths") })
    }

    // MARK: - server

    @Test func serversOnSockets() throws {
        let outcome = parse(quietDefaults + """

            backend be
                server a /run/app.sock check send-proxy-v2
                server b unix@/run/b.sock send-proxy
                server c abns@app check
            """)
        #expect(outcome.diagnostics.filter { $0.severity == .alert }.isEmpty, "\(outcome.diagnostics)")
        let servers = try outcome.proxy("be").servers
        #expect(servers.map(\.address.unixSocket) == [.path("/run/app.sock"), .path("/run/b.sock"), .abstract("app")])
        #expect(servers[0].proxyProtocol == .v2)
        #expect(servers[0].isChecked)
        #expect(servers[1].proxyProtocol == .v1)
    }

    /// `addr` sends the checks to an IP address, which needs a port (HAProxy refuses it too).
    @Test func checkAddressOnASocketServerNeedsAPort() throws {
        let outcome = parse(quietDefaults + "\nbackend be\n    server a /run/app.sock addr 127.0.0.1 check\n")
        let alert = try outcome.singleAlert()
        #expect(alert.location?.line == 6)
        #expect(alert.message.contains("no check 'port'"), "\(alert.message)")
        let fine = parse(quietDefaults + "\nbackend be\n    server a /run/app.sock addr 127.0.0.1 port 8080 check\n")
        #expect(fine.alerts.isEmpty, "\(fine.diagnostics)")
    }

    @Test func serverPathTooLong() throws {
        let outcome = parse(quietDefaults + "\nbackend be\n    server a /\(String(repeating: "x", count: 100))\n")
        #expect(try outcome.singleAlert().message.contains("too long"))
    }
}
