import Testing
@testable import UsherConfig

/// `server … addr HOST[:PORT]`: where the checks go. HAProxy reads the value as an address, a port
/// included (its TLS checks reg-test writes `addr 127.0.0.1:80` with `port N`).
struct CheckAddressTests {
    func server(_ options: String) throws -> Server {
        let outcome = parse(quietDefaults + "\nbackend be\n    server s 127.0.0.1:80 check \(options)\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        return try #require(outcome.configuration?.backends.first?.servers.first)
    }

    @Test func aHostAlone() throws {
        let s = try server("addr 10.0.0.9")
        #expect(s.options.checkAddress == "10.0.0.9")
        #expect(s.options.checkPort == nil)
    }

    @Test func aPortWithTheHostIsTheChecksPortUnlessPortSaysOtherwise() throws {
        let withPort = try server("addr 10.0.0.9:8081")
        #expect(withPort.options.checkAddress == "10.0.0.9")
        #expect(withPort.options.checkPort == 8081)
        #expect(try server("port 9000 addr 10.0.0.9:8081").options.checkPort == 9000)
        #expect(try server("addr 10.0.0.9:8081 port 9000").options.checkPort == 9000)
    }

    @Test func ipv6Forms() throws {
        #expect(try server("addr ::1").options.checkAddress == "::1")
        let bracketed = try server("addr [::1]:8081")
        #expect(bracketed.options.checkAddress == "::1")
        #expect(bracketed.options.checkPort == 8081)
    }

    @Test func aBadAddressIsAnError() throws {
        let outcome = parse(quietDefaults + "\nbackend be\n    server s 127.0.0.1:80 check addr 10.0.0.9:notaport\n")
        let alert = try outcome.singleAlert()
        #expect(alert.message.contains("'addr' expects an IP address or a host name"), "\(alert.message)")
    }
}
