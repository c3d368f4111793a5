import Testing
@testable import UsherConfig

/// `fd@N`: a listening socket the process was started with, as VTest (HAProxy's regression test
/// harness) and socket-activating supervisors pass them — on `bind` lines and `stats socket`.
@Suite("Inherited sockets (fd@N)")
struct InheritedSocketAddressTests {
    @Test func bindAddressIsTheDescriptor() throws {
        let address = try Address.parseListener("fd@7").get()
        #expect(address.inheritedDescriptor == 7)
        #expect(address.host == nil && address.ports == nil && address.unixSocket == nil)
        #expect(address.description == "fd@7")
        // Everything else reads as before.
        #expect(try Address.parseListener("127.0.0.1:80").get().ports == 80...80)
        #expect(try Address.parseListener("127.0.0.1:80").get().inheritedDescriptor == nil)
    }

    @Test(arguments: ["fd@", "fd@x", "fd@-1", "fd@3x", "fd@99999999999"])
    func badDescriptorIsRefused(text: String) {
        guard case .failure(let error) = Address.parseListener(text) else {
            Issue.record("'\(text)' was accepted")
            return
        }
        #expect(error.message.contains("expects a file descriptor number after 'fd@'"), "\(error.message)")
    }

    @Test func onlyABindListensOnAnInheritedSocket() {
        guard case .failure(let error) = Address.parse("fd@3", portRequired: false) else {
            Issue.record("a server address accepted fd@3")
            return
        }
        #expect(error.message.contains("can only be listened on, on a 'bind' line"), "\(error.message)")
        let outcome = parse(quietDefaults + "\nfrontend fe\n    bind :80\n    default_backend be\nbackend be\n    server s fd@3\n")
        #expect(outcome.alerts.count == 1, "\(outcome.alerts)")
        #expect(outcome.alerts.first?.message.contains("fd@") == true, "\(outcome.alerts)")
    }

    @Test func bindLineWithAnEnvironmentVariable() throws {
        // VTest's configurations: `bind "fd@${fe1}"`, the variable holding the descriptor.
        let outcome = parse(
            quietDefaults + "\nfrontend fe\n    bind \"fd@${fe1}\"\n    bind fd@4,127.0.0.1:8080\n    default_backend be\nbackend be\n    server s 127.0.0.1:80\n",
            environment: ["fe1": "5"])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let frontend = try #require(outcome.configuration?.frontends.first)
        #expect(frontend.binds.flatMap(\.addresses).map(\.description) == ["fd@5", "fd@4", "127.0.0.1:8080"])
    }

    @Test func statsSocketOnAnInheritedSocket() throws {
        let outcome = parse(
            "global\n    stats socket \"fd@${cli}\" level admin\n    stats socket fd@9 level user\n" + quietDefaults
                + "\nfrontend fe\n    bind :80\n    default_backend be\nbackend be\n    server s 127.0.0.1:80\n",
            environment: ["cli": "6"])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let sockets = try #require(outcome.configuration).global.runtimeAPI.sockets
        #expect(sockets.map(\.endpoint) == [.inherited(6), .inherited(9)])
        #expect(sockets.map(\.level) == [.admin, .user])
        #expect(sockets[0].endpoint.description == "fd@6")
    }

    @Test func statsSocketBadDescriptorAndModeAreRefused() throws {
        let bad = parse("global\n    stats socket fd@abc\n" + quietDefaults + "\nfrontend fe\n    bind :80\n    default_backend be\nbackend be\n    server s 127.0.0.1:80\n")
        try bad.expectSingleAlert(line: 2, ["expects a file descriptor number after 'fd@'"])
        let mode = parse("global\n    stats socket fd@3 mode 600\n" + quietDefaults + "\nfrontend fe\n    bind :80\n    default_backend be\nbackend be\n    server s 127.0.0.1:80\n")
        try mode.expectSingleAlert(line: 2, ["only apply to a UNIX socket"])
    }
}
