import Testing
@testable import UsherConfig

@Suite("Addresses in bind and server lines")
struct AddressTests {
    func address(_ text: String, portRequired: Bool = true, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Address {
        switch Address.parse(text, portRequired: portRequired) {
        case .success(let address): return address
        case .failure(let error):
            Issue.record("'\(text)' failed: \(error.message)", sourceLocation: sourceLocation)
            throw error
        }
    }

    func failure(_ text: String, portRequired: Bool = true, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String {
        switch Address.parse(text, portRequired: portRequired) {
        case .success(let address):
            Issue.record("'\(text)' parsed as \(address)", sourceLocation: sourceLocation)
            return ""
        case .failure(let error): return error.message
        }
    }

    @Test(arguments: [
        ("*:443", nil, Address.Family.unspecified, 443),
        (":443", nil, .unspecified, 443),
        ("0.0.0.0:443", nil, .ipv4, 443),
        ("[::]:443", nil, .ipv6, 443),
        (":::443", nil, .ipv6, 443),
        ("ipv4@:443", nil, .ipv4, 443),
        ("ipv6@:443", nil, .ipv6, 443),
        ("ipv4@0.0.0.0:443", nil, .ipv4, 443),
        ("ipv6@[::]:443", nil, .ipv6, 443),
        ("tcp4@:80", nil, .ipv4, 80),
        ("127.0.0.1:8000", "127.0.0.1", .ipv4, 8000),
        ("[::1]:8443", "::1", .ipv6, 8443),
        ("[2001:db8::1]:80", "2001:db8::1", .ipv6, 80),
        ("ipv6@::1:80", "::1", .ipv6, 80),
        ("localhost:80", "localhost", .unspecified, 80),
    ] as [(String, String?, Address.Family, Int)])
    func wildcardAndHostForms(text: String, host: String?, family: Address.Family, port: Int) throws {
        let parsed = try address(text)
        #expect(parsed.host == host)
        #expect(parsed.family == family)
        #expect(parsed.ports == port...port)
    }

    @Test func portRange() throws {
        #expect(try address("127.0.0.1:8000-8010").ports == 8000...8010)
        #expect(try address(":8000-8000").ports == 8000...8000)
        #expect(failure(":8010-8000").contains("invalid port"))
    }

    @Test func portIsOptionalForServers() throws {
        let parsed = try address("10.0.0.1", portRequired: false)
        #expect(parsed.host == "10.0.0.1")
        #expect(parsed.ports == nil)
        #expect(try address("[::1]", portRequired: false).ports == nil)
        #expect(failure("10.0.0.1").contains("missing port"))
    }

    @Test func badPorts() {
        #expect(failure(":99999").contains("invalid port '99999'"))
        #expect(failure(":65536").contains("invalid port"))
        #expect(failure(":http").contains("invalid port 'http'"))
        #expect(failure(":-80").contains("invalid port"))
        #expect(failure(":80-90-100").contains("invalid port"))
    }

    @Test func otherFamiliesAreRefusedWithAReason() {
        #expect(failure("fd@3").contains("can only be listened on, on a 'bind' line"))
        #expect(failure("udp@1.2.3.4:53").contains("not supported by usher yet"))
        #expect(failure("sockpair@3").contains("a socket pair ('sockpair@') can only be listened on, on a 'bind' line"))
    }

    @Test func unknownPrefix() {
        #expect(failure("ipv5@1.2.3.4:80").contains("unknown address prefix 'ipv5@'"))
    }

    @Test func malformedIPv6() {
        #expect(failure("[::1:80").contains("missing ']'"))
        #expect(failure("[::1]80").contains("unexpected"))
    }

    /// HAProxy: "could not resolve address '127.0.0.300'".
    @Test func digitsAndDotsMustBeAnIPv4Address() {
        #expect(failure("127.0.0.300:80").contains("127.0.0.300"))
        #expect(failure("1.2.3.4.5:80").contains("invalid IPv4 address"))
        #expect(failure("1..2.3:80").contains("invalid IPv4 address"))
    }

    @Test func shortIPv4FormsAsTheResolverReadsThem() throws {
        #expect(try address("127.1:80").host == "127.1")
        #expect(try address("10.65535:80").host == "10.65535")
        #expect(failure("10.65536.1:80").contains("invalid IPv4 address"))
    }

    @Test func description() throws {
        #expect(try address("*:443").description == "*:443")
        #expect(try address(":::443").description == "[::]:443")
        #expect(try address("127.0.0.1:8000-8010").description == "127.0.0.1:8000-8010")
        #expect(try address("[::1]:80").description == "[::1]:80")
    }

    // MARK: - Through the parser

    @Test func severalAddressesOnOneBind() throws {
        let outcome = parse(quietDefaults + "\nfrontend fe\n    bind :80,:8080 name web\n    default_backend be\nbackend be\n    server s 127.0.0.1:80\n")
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
        let binds = try outcome.proxy("fe").binds
        #expect(binds.count == 1)
        #expect(binds[0].addresses.map(\.ports) == [80...80, 8080...8080])
        #expect(binds[0].name == "web")
        #expect(binds[0].location.line == 6)
    }

    @Test func bindErrorsNameTheLine() throws {
        for (line, needle) in [("bind :99999", "99999"), ("bind /run/\(String(repeating: "x", count: 100))", "too long"), ("bind 127.0.0.1", "missing port"), ("bind :80,ipv9@:81", "ipv9@")] {
            let outcome = parse(quietDefaults + "\nfrontend fe\n    \(line)\n")
            let alert = try outcome.singleAlert()
            #expect(alert.location?.line == 6, "\(line)")
            #expect(alert.message.contains(needle), "\(line): \(alert.message)")
        }
    }

    @Test func serverAddressErrors() throws {
        for (line, needle) in [
            ("server s1 127.0.0.300:80", "127.0.0.300"),
            ("server s1 127.0.0.1:8000-8010", "one port"),
            ("server s1 127.0.0.1:70000", "70000"),
        ] {
            let outcome = parse(quietDefaults + "\nbackend be\n    \(line)\n")
            let alert = try outcome.singleAlert()
            #expect(alert.location?.line == 6, "\(line)")
            #expect(alert.message.contains(needle), "\(line): \(alert.message)")
        }
    }

    /// As in HAProxy 2.6, a server without a host (`:80`, `*:80`, `0.0.0.0:80`) is the address the
    /// client connected to.
    @Test(arguments: ["server s1 :80", "server s1 *:80", "server s1 0.0.0.0:80", "server s1 0.0.0.0"])
    func serverAtTheClientsDestination(_ line: String) throws {
        let outcome = parse(quietDefaults + "\nbackend be\n    \(line)\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(try outcome.proxy("be").servers.first?.address.host == nil)
    }

    @Test func unknownBindOptionSuggestsOne() throws {
        let outcome = parse(quietDefaults + "\nfrontend fe\n    bind :443 sslx\n")
        let alert = try outcome.singleAlert()
        #expect(alert.message.contains("'sslx'"))
        #expect(alert.message.contains("did you mean 'ssl'"))
    }
}
