import NIOCore
import Testing
@testable import UsherConfig
@testable import UsherRouting

@Suite("ACL matching")
struct ACLTests {
    typealias F = RoutingFixtures

    func result(_ acl: String, payload: [UInt8] = [], final: Bool = true, source: String = "192.0.2.10") throws -> ACLResult {
        var context = F.context(source: source, payload: payload, final: final)
        return try F.acl(acl).evaluate(&context)
    }

    func sni(_ acl: String, _ name: String) throws -> ACLResult {
        try result(acl, payload: F.clientHello(serverName: name))
    }

    // MARK: - String methods on req_ssl_sni

    @Test func exactStringIsCaseSensitiveWithoutDashI() throws {
        #expect(try sni("req_ssl_sni example.com", "example.com") == .pass)
        #expect(try sni("req_ssl_sni example.com", "EXAMPLE.com") == .fail)
        #expect(try sni("req_ssl_sni -i example.com", "EXAMPLE.com") == .pass)
        #expect(try sni("req_ssl_sni -i EXAMPLE.COM", "example.com") == .pass)
        #expect(try sni("req_ssl_sni example.com", "www.example.com") == .fail)
    }

    @Test func severalValuesAreAlternatives() throws {
        #expect(try sni("req_ssl_sni a.test b.test c.test", "b.test") == .pass)
        #expect(try sni("req_ssl_sni a.test b.test c.test", "d.test") == .fail)
    }

    @Test func beginningEndSubstring() throws {
        #expect(try sni("req_ssl_sni -m beg www.", "www.example.com") == .pass)
        #expect(try sni("req_ssl_sni -m beg api.", "www.example.com") == .fail)
        #expect(try sni("req_ssl_sni -m end .example.com", "www.example.com") == .pass)
        #expect(try sni("req_ssl_sni -m end .example.com", "example.com") == .fail)
        #expect(try sni("req_ssl_sni -m sub ample", "www.example.com") == .pass)
        #expect(try sni("req_ssl_sni -i -m sub AMPLE", "www.example.com") == .pass)
        #expect(try sni("req_ssl_sni -m sub AMPLE", "www.example.com") == .fail)
    }

    @Test func suffixedFetchNamesSelectTheMethod() throws {
        #expect(try sni("req_ssl_sni_end .example.com", "www.example.com") == .pass)
        #expect(try sni("req_ssl_sni_beg www", "www.example.com") == .pass)
        #expect(try sni("req_ssl_sni_len 15", "www.example.com") == .pass)
        #expect(try sni("req_ssl_sni_reg ^w+\\.", "www.example.com") == .pass)
    }

    /// HAProxy's `dom`: the pattern between delimiters `/`, `?`, `.` or `:`.
    @Test func domainMatch() throws {
        #expect(try sni("req_ssl_sni -m dom example.com", "www.example.com") == .pass)
        #expect(try sni("req_ssl_sni -m dom example.com", "example.com") == .pass)
        #expect(try sni("req_ssl_sni -m dom example.com", "www.example.com.au") == .pass)
        #expect(try sni("req_ssl_sni -m dom example.com", "myexample.com") == .fail)
        #expect(try sni("req_ssl_sni -m dom example.com", "example.community") == .fail)
        #expect(try sni("req_ssl_sni -m dom .example.com.", "a.example.com") == .pass)
        #expect(try sni("req_ssl_sni -m dom www", "www.example.com") == .pass)
        // A Host with a port: ':' delimits too.
        #expect(Pattern.wordMatch("www.example.com:8080", "example.com", delimiters: Pattern.domainDelimiters))
        #expect(try sni("req_ssl_sni -i -m dom EXAMPLE", "www.example.com") == .pass)
    }

    /// HAProxy's `dir`: the pattern between `/` or `?`.
    @Test func directoryMatch() {
        let d = Pattern.directoryDelimiters
        #expect(Pattern.wordMatch("/img/logo.png", "img", delimiters: d))
        #expect(Pattern.wordMatch("/a/img/b", "/img/", delimiters: d))
        #expect(Pattern.wordMatch("/api/v1?x=1", "v1", delimiters: d))
        #expect(Pattern.wordMatch("/api/v1/users", "api/v1", delimiters: d))
        #expect(!Pattern.wordMatch("/images/x", "img", delimiters: d))
        #expect(!Pattern.wordMatch("/img.png", "img", delimiters: d))
        #expect(!Pattern.wordMatch("/x", "/", delimiters: d))
    }

    @Test func regex() throws {
        #expect(try sni(#"req_ssl_sni -m reg ^pump[0-9]\.example$"#, "pump2.example") == .pass)
        #expect(try sni(#"req_ssl_sni -m reg ^pump[0-9]\.example$"#, "pumpx.example") == .fail)
        // Unanchored: a match anywhere counts.
        #expect(try sni("req_ssl_sni -m reg mp2", "pump2.example") == .pass)
        #expect(try sni("req_ssl_sni -i -m reg ^PUMP", "pump2.example") == .pass)
        #expect(try sni("req_ssl_sni -m reg ^PUMP", "pump2.example") == .fail)
    }

    @Test func length() throws {
        #expect(try sni("req_ssl_sni -m len 11", "example.com") == .pass)
        #expect(try sni("req_ssl_sni -m len 1:10", "example.com") == .fail)
        #expect(try sni("req_ssl_sni -m len ge 5", "example.com") == .pass)
        #expect(try sni("req_ssl_sni -m len lt 5", "example.com") == .fail)
    }

    @Test func found() throws {
        #expect(try sni("req_ssl_sni -m found", "example.com") == .pass)
        // A hello without SNI: no value, so not found.
        #expect(try result("req_ssl_sni -m found", payload: F.clientHello(serverName: nil)) == .fail)
        #expect(try result("req_ssl_sni -m found", payload: Array("GET / HTTP/1.0\r\n\r\n".utf8)) == .fail)
    }

    @Test func foundTakesNoValues() {
        #expect(throws: RoutingError.self) { try F.acl("req_ssl_sni -m found x") }
    }

    // MARK: - Integers

    @Test func integerValuesRangesAndOperators() throws {
        let hello = F.clientHello(serverName: "a")
        #expect(try result("req_ssl_hello_type 1", payload: hello) == .pass)
        #expect(try result("req_ssl_hello_type 2", payload: hello) == .fail)
        #expect(try result("req_ssl_hello_type 0:5", payload: hello) == .pass)
        #expect(try result("req_ssl_hello_type 2:", payload: hello) == .fail)
        #expect(try result("req_ssl_hello_type :1", payload: hello) == .pass)
        #expect(try result("req_ssl_hello_type 0-5", payload: hello) == .pass)
        for (op, operand, expected) in [
            ("eq", 1, ACLResult.pass), ("eq", 2, .fail), ("ge", 1, .pass), ("ge", 2, .fail), ("gt", 0, .pass), ("gt", 1, .fail),
            ("le", 1, .pass), ("le", 0, .fail), ("lt", 2, .pass), ("lt", 1, .fail),
        ] {
            #expect(try result("req_ssl_hello_type \(op) \(operand)", payload: hello) == expected, "\(op) \(operand)")
        }
    }

    @Test func portsAsIntegers() throws {
        var context = F.context(sourcePort: 41830, destinationPort: 443)
        #expect(try F.acl("dst_port 443").evaluate(&context) == .pass)
        #expect(try F.acl("dst_port 80 8080").evaluate(&context) == .fail)
        #expect(try F.acl("src_port ge 1024").evaluate(&context) == .pass)
        #expect(try F.acl("dst_port 400:500").evaluate(&context) == .pass)
    }

    @Test func requestLength() throws {
        #expect(try result("req.len ge 3", payload: [1, 2, 3]) == .pass)
        #expect(try result("req.len gt 3", payload: [1, 2, 3]) == .fail)
        // Empty and not final: more may come.
        #expect(try result("req.len gt 0", payload: [], final: false) == .miss)
        #expect(try result("req.len gt 0", payload: [], final: true) == .fail)
    }

    /// `req_ssl_ver 3.1` is HAProxy's dotted notation for TLS 1.0 (0x30001).
    @Test func dottedSSLVersions() throws {
        let tls10 = F.clientHello(serverName: "a", version: 0x0301)
        let tls12 = F.clientHello(serverName: "a", version: 0x0303)
        #expect(try result("req_ssl_ver 3.1", payload: tls10) == .pass)
        #expect(try result("req_ssl_ver 3.1", payload: tls12) == .fail)
        #expect(try result("req_ssl_ver 3.3", payload: tls12) == .pass)
        #expect(try result("req_ssl_ver 3.0:3.2", payload: tls10) == .pass)
        #expect(try result("req_ssl_ver 3.0-3.2", payload: tls12) == .fail)
        #expect(try result("req_ssl_ver ge 3.2", payload: tls12) == .pass)
        #expect(try result("req_ssl_ver ge 3.2", payload: tls10) == .fail)
        #expect(try result("req_ssl_ver lt 3.3", payload: tls10) == .pass)
        #expect(try result("req.ssl_ver gt 3.1", payload: tls12) == .pass)
    }

    // MARK: - Addresses

    @Test(arguments: [
        ("src 192.0.2.10", "192.0.2.10", ACLResult.pass),
        ("src 192.0.2.0/24", "192.0.2.200", .pass),
        ("src 192.0.2.0/24", "192.0.3.1", .fail),
        ("src 10.0.0.0/255.0.0.0", "10.9.8.7", .pass),
        ("src 0.0.0.0/0", "203.0.113.5", .pass),
        ("src 10.0.0.0/8 192.168.0.0/16", "192.168.4.4", .pass),
        ("src 2001:db8::/32", "2001:db8:1::5", .pass),
        ("src 2001:db8::/32", "2001:db9::5", .fail),
        ("src ::1", "::1", .pass),
        ("src 2001:db8::/64", "2001:db8::ffff:1", .pass),
        ("src 2001:db8::1/128", "2001:db8::2", .fail),
        // An IPv4-mapped client address matches an IPv4 network, and the other way round.
        ("src 127.0.0.0/8", "::ffff:127.0.0.1", .pass),
        ("src ::ffff:10.0.0.0/104", "10.1.2.3", .pass),
        ("src 10.0.0.0/8", "2001:db8::1", .fail),
        ("src 2001:db8::/32", "10.0.0.1", .fail),
    ])
    func ipNetworks(acl: String, client: String, expected: ACLResult) throws {
        #expect(try result(acl, source: client) == expected)
    }

    @Test func missingSourceAddressFails() throws {
        var context = F.context(source: nil)
        #expect(try F.acl("src 0.0.0.0/0").evaluate(&context) == .fail)
    }

    @Test func binaryPayload() throws {
        let bytes: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0x10]
        #expect(try result("req.payload(0,3) 160301", payload: bytes) == .pass)
        #expect(try result("req.payload(0,3) 160303", payload: bytes) == .fail)
        #expect(try result("req.payload(1,2) -m bin 0301", payload: bytes) == .pass)
        // Not enough bytes yet.
        #expect(try result("req.payload(0,8) 00", payload: bytes, final: false) == .miss)
        #expect(try result("req.payload(0,8) 00", payload: bytes, final: true) == .fail)
    }

    // MARK: - Three-valued results

    @Test func missWhileDataMayStillComeFailOnceFinal() throws {
        #expect(try result("req_ssl_sni -i example.com", payload: [], final: false) == .miss)
        #expect(try result("req_ssl_sni -i example.com", payload: [], final: true) == .fail)
        let partial = Array(F.clientHello(serverName: "example.com").prefix(11))
        #expect(try result("req_ssl_sni -i example.com", payload: partial, final: false) == .miss)
        #expect(try result("req_ssl_sni -i example.com", payload: partial, final: true) == .fail)
        #expect(try result("req_ssl_hello_type 1", payload: [0x16], final: false) == .miss)
        #expect(try result("req_ssl_hello_type 1", payload: [0x16], final: true) == .fail)
    }

    @Test func definitelyNotTLSFailsAtOnce() throws {
        let http = Array("GET / HTTP/1.0\r\n\r\n".utf8)
        #expect(try result("req_ssl_hello_type 1", payload: http, final: false) == .fail)
        #expect(try result("req_ssl_sni -i example.com", payload: http, final: false) == .fail)
        #expect(try result("req_ssl_hello_type 1", payload: Array("GET / ".utf8), final: false) == .fail)
    }

    @Test func threeValuedLogic() {
        #expect(!ACLResult.miss == .miss)
        #expect(!ACLResult.pass == .fail)
        #expect((ACLResult.miss && .fail) == .fail)
        #expect((ACLResult.miss && .pass) == .miss)
        #expect((ACLResult.miss || .pass) == .pass)
        #expect((ACLResult.miss || .fail) == .miss)
    }

    // MARK: - Compile errors

    @Test func compileErrors() {
        func message(_ acl: String) -> String {
            do {
                _ = try F.acl(acl)
                Issue.record("'\(acl)' compiled")
                return ""
            } catch let error as RoutingError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        #expect(message("req.ssl_snii foo").contains("unknown sample fetch 'req.ssl_snii'; did you mean 'req.ssl_sni'?"))
        #expect(message("src 10.0.0.300").contains("'10.0.0.300' is not an IPv4 or IPv6 address"))
        #expect(message("src 10.0.0.0/33").contains("10.0.0.0/33"))
        #expect(message("req_ssl_sni -m reg (foo").contains("invalid regular expression '(foo'"))
        #expect(message("req_ssl_hello_type abc").contains("'abc' is not an integer"))
        #expect(message("req_ssl_hello_type 5:1").contains("5:1"))
        #expect(message("req_ssl_sni -m strr x").contains("did you mean 'str'"))
        #expect(message("req.payload(0) 00").contains("offset and a length"))
        #expect(message("req.payload(0,2) 0G").contains("hexadecimal"))
        #expect(message("req_ssl_sni,nosuchconv x").contains("'nosuchconv'"))
        #expect(message("src(1) 10.0.0.1").contains("no arguments"))
        #expect(message("req.body x").contains("not supported by usher yet"))
        #expect(message("hdr(host,first) x").contains("not an integer"))
        #expect(message("method -m meth GET").contains("unknown match method"))
    }

    @Test func patternFiles() throws {
        let definition = try ACLDefinition.parse(name: "hosts", words: ["req_ssl_sni", "-i", "-f", "/etc/hosts.lst", "c.test"], location: F.location).get()
        let acl = try CompiledACL(definition, loadPatternFile: { path in
            #expect(path == "/etc/hosts.lst")
            // As HAProxy reads them: a `#` only at the very start makes a comment, leading spaces go,
            // trailing ones stay (but not the CR of a CRLF line).
            return ["# comment", "", "  a.test", "B.test\r", "  #hash", "t.test  "]
        })
        for (name, expected) in [
            ("a.test", ACLResult.pass), ("b.TEST", .pass), ("c.test", .pass), ("d.test", .fail), ("# comment", .fail), ("#hash", .pass),
            ("t.test", .fail), ("t.test  ", .pass),
        ] {
            var context = F.context(payload: F.clientHello(serverName: name), final: true)
            #expect(acl.evaluate(&context) == expected, "\(name)")
        }
        struct Missing: Error {}
        #expect(throws: RoutingError.self) { try CompiledACL(definition, loadPatternFile: { _ in throw Missing() }) }
    }
}
