import Foundation
import NIOCore
import Testing
@testable import UsherConfig
@testable import UsherRouting

private typealias F = RoutingFixtures

/// Map converters, `-M` ACLs and the in-memory pattern files they share.
@Suite struct MapTests {
    /// A file set whose files are `files`' texts.
    static func files(_ files: [String: String]) -> PatternFileSet {
        PatternFileSet(load: { path in
            guard let text = files[path] else { throw CocoaError(.fileNoSuchFile) }
            return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        })
    }

    /// Compiles `expression` with `set` as the configuration's files.
    static func sample(_ expression: String, _ set: PatternFileSet) throws -> CompiledSample {
        try PatternFileScope.$current.withValue(set) {
            try CompiledSample(SampleExpression.parse(expression).get())
        }
    }

    /// The value of `expression` for a connection from `source`.
    static func value(_ expression: String, _ set: PatternFileSet, source: String = "192.0.2.10") throws -> SampleValue? {
        var context = F.context(source: source)
        if case .value(let value) = try sample(expression, set).evaluate(&context) { return value }
        return nil
    }

    static func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return ""
        } catch let error as RoutingError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func mapFilesAreReadAsHAProxyReadsThem() throws {
        let set = Self.files(["/m": "# comment\n\n  foo.org   be2  \n  #k v\n\t\nbare\nsp\tx y z\r\n"])
        let file = try set.file("/m", layout: .map, user: .map)
        #expect(file.snapshot.map { "\($0.key)=\($0.value ?? "nil")@\($0.line)" } == ["foo.org=be2@3", "#k=v@4", "bare=@6", "sp=x y z@7"])
    }

    @Test func exactStringsFirstOfDuplicatesAndDefault() throws {
        let set = Self.files(["/h": "example.com be1\nfoo.org be2\nexample.com dup\n"])
        #expect(try Self.value("str(example.com),map(/h)", set) == .string("be1"))
        #expect(try Self.value("str(foo.org),map_str(/h,none)", set) == .string("be2"))
        #expect(try Self.value("str(EXAMPLE.com),map(/h,none)", set) == .string("none"))
        #expect(try Self.value("str(nothere),map(/h)", set) == nil)
    }

    @Test func prefixesTakeTheLongestAndOthersTheFirstInFileOrder() throws {
        let set = Self.files([
            "/beg": "/a be1\n/ab be2\n/abc/ be3\n",
            "/dom": "example.com a\nwww.example.com b\ncom c\n",
            "/end": "b c1\nab c2\n",
            "/sub": "bc s1\nb s2\n",
            "/dir": "api d1\nv1 d2\n",
            "/reg": "^/a c1\n^/ab c2\n",
        ])
        #expect(try Self.value("str(/abcd),map_beg(/beg)", set) == .string("be2"))
        #expect(try Self.value("str(/abc/d),map_beg(/beg)", set) == .string("be3"))
        #expect(try Self.value("str(/x),map_beg(/beg,none)", set) == .string("none"))
        #expect(try Self.value("str(www.example.com),map_dom(/dom)", set) == .string("a"))
        #expect(try Self.value("str(other.com:8080),map_dom(/dom)", set) == .string("c"))
        #expect(try Self.value("str(xab),map_end(/end)", set) == .string("c1"))
        #expect(try Self.value("str(abcd),map_sub(/sub)", set) == .string("s1"))
        #expect(try Self.value("str(/v1/api/x),map_dir(/dir)", set) == .string("d1"))
        #expect(try Self.value("str(/x/v1),map_dir(/dir)", set) == .string("d2"))
        #expect(try Self.value("str(/abc),map_reg(/reg)", set) == .string("c1"))
        #expect(try Self.value("str(/b),map_reg(/reg,no)", set) == .string("no"))
    }

    @Test func addressesTakeTheLongestPrefix() throws {
        let set = Self.files(["/ip": "10.0.0.0/8 a\n10.1.2.3 c\n10.1.0.0/16 b\n::1 six\n::ffff:127.0.0.0/104 mapped\n0.0.0.0/0 any\n"])
        #expect(try Self.value("src,map_ip(/ip)", set, source: "10.1.2.3") == .string("c"))
        #expect(try Self.value("src,map_ip(/ip)", set, source: "10.1.9.9") == .string("b"))
        #expect(try Self.value("src,map_ip(/ip)", set, source: "10.9.9.9") == .string("a"))
        #expect(try Self.value("src,map_ip(/ip)", set, source: "::1") == .string("six"))
        // IPv4 networks are searched before IPv6 ones, as HAProxy's two trees are.
        #expect(try Self.value("src,map_ip(/ip)", set, source: "127.0.0.1") == .string("any"))
        #expect(try Self.value("str(10.1.2.3),map_ip(/ip)", set) == .string("c"))
        #expect(try Self.value("str(not-an-ip),map_ip(/ip,x)", set) == nil)
    }

    @Test func integersAndOutputTypes() throws {
        let set = Self.files(["/int": "1:10 a\n5 b\n20 30\n", "/out": "a 5\nb 10.0.0.1\n", "/n": "a 5\n"])
        #expect(try Self.value("int(5),map_int(/int)", set) == .string("a"))
        #expect(try Self.value("int(20),map_int_int(/n,0),add(1)", Self.files(["/n": "20 30\n"])) == .integer(31))
        #expect(try Self.value("str(a),map_str_int(/n)", set) == .integer(5))
        #expect(try Self.value("str(zz),map_str_int(/n,7)", set) == .integer(7))
        #expect(try Self.value("str(b),map_str_ip(/ipout)", Self.files(["/ipout": "b 10.0.0.1\n"])) == .address(IPAddress("10.0.0.1")!))
        #expect(try Self.value("str(7),map_int(/int,none)", set) == .string("a"))
        #expect(try Self.value("str(x),map_int(/int,none)", set) == nil)
    }

    @Test func badFilesAndArgumentsAreErrors() throws {
        let set = Self.files(["/bad": "10.0.0.0/8 a\nnotip c\n", "/h": "example.com be1\n", "/i": "x 1\n"])
        #expect(Self.message { _ = try Self.sample("src,map_ip(/bad)", set) } == "'notip' is not a valid IPv4 or IPv6 address at line 2 of file '/bad'")
        #expect(Self.message { _ = try Self.sample("str(a),map_str_int(/h)", set) } == "unable to parse 'be1' at line 1 of file '/h'")
        #expect(Self.message { _ = try Self.sample("str(a),map(/missing)", set) }.contains("failed to open pattern file '/missing'"))
        #expect(Self.message { _ = try Self.sample("int(1),map_int(/i)", set) }.contains("'x' is not a number at line 1"))
        #expect(Self.message { _ = try Self.sample("str(a),map_str_int(/h2,abc)", Self.files(["/h2": ""])) }.contains("unable to parse 'abc'"))
        #expect(Self.message { _ = try Self.sample("str(a),map_foo(/h)", set) }.contains("unknown converter 'map_foo'"))
        #expect(Self.message { _ = try Self.sample("str(a),map_str_bin(/h)", set) }.contains("output type"))
        #expect(Self.message { _ = try Self.sample("str(a),map_regm(/h)", set) }.contains("not supported by usher yet"))
        #expect(Self.message { _ = try Self.sample("str(a),map()", set) }.contains("expects a map file"))
        #expect(Self.message { _ = try Self.sample("str(a),map_reg(/r)", Self.files(["/r": "([ x\n"])) }.contains("line 1 of file '/r'"))
    }

    @Test func convertersACLsAndChangesShareOneFile() throws {
        let set = Self.files(["/h": "example.com be1\n"])
        let map = try Self.sample("str(new.com),map(/h,none)", set)
        let definition = try ACLDefinition.parse(name: "known", words: ["str(new.com)", "-M", "-f", "/h"], location: F.location).get()
        let acl = try PatternFileScope.$current.withValue(set) { try CompiledACL(definition, loadPatternFile: { _ in [] }) }
        var context = F.context()
        #expect(map.evaluate(&context) == .value(.string("none")))
        #expect(acl.evaluate(&context) == .fail)
        let file = try #require(set["/h"])
        try file.add(key: "new.com", value: "be2")
        #expect(map.evaluate(&context) == .value(.string("be2")))
        #expect(acl.evaluate(&context) == .pass)
        #expect(try file.setValue("be3", forKey: "new.com"))
        #expect(map.evaluate(&context) == .value(.string("be3")))
        #expect(file.remove(key: "new.com"))
        #expect(!file.remove(key: "new.com"))
        #expect(map.evaluate(&context) == .value(.string("none")))
        #expect(acl.evaluate(&context) == .fail)
        file.clear()
        #expect(file.count == 0)
        // `#ID` as `show map` prints it.
        try file.add(key: "a", value: "1")
        let id = try #require(file.snapshot.first?.id)
        #expect(file.remove(key: "#0x" + String(id, radix: 16)))
    }

    @Test func changesAreCheckedForEveryUser() throws {
        let set = Self.files(["/n": "a 5\n"])
        _ = try Self.sample("str(a),map_str_int(/n)", set)
        let file = try #require(set["/n"])
        #expect(throws: PatternFile.ChangeError.invalid("unable to parse 'x'")) { try file.add(key: "b", value: "x") }
        #expect(file.count == 1)
        // The action form ignores a value that cannot be read.
        file.setOrAdd(key: "a", value: "x")
        #expect(try Self.value("str(a),map_str_int(/n)", set) == .integer(5))
        file.setOrAdd(key: "c", value: "9")
        #expect(try Self.value("str(c),map_str_int(/n)", set) == .integer(9))
    }

    @Test func anACLWithoutDashMCannotShareAMapsFile() throws {
        let set = Self.files(["/h": "example.com be1\n"])
        _ = try Self.sample("str(a),map(/h)", set)
        let definition = try ACLDefinition.parse(name: "x", words: ["str(a)", "-f", "/h"], location: F.location).get()
        #expect(throws: RoutingError.self) { try PatternFileScope.$current.withValue(set) { try CompiledACL(definition, loadPatternFile: { _ in [] }) } }
    }

    @Test func actionsChangeTheSharedMap() throws {
        let text = """
            \(F.quietDefaults)
            frontend fe
                mode http
                bind :80
                http-request set-map(/h) %[req.hdr(x-key)] %[req.hdr(x-value)] if { req.hdr(x-op) set }
                http-request del-map(/h) %[req.hdr(x-key)] if { req.hdr(x-op) del }
                http-request add-acl(/l) %[req.hdr(x-key)] if { req.hdr(x-op) add }
                http-request del-acl(/l) %[req.hdr(x-key)] if { req.hdr(x-op) delacl }
                acl listed req.hdr(host) -f /l
                http-request set-header x-found yes if listed
                use_backend %[req.hdr(host),lower,map_dom(/h,be_default)]
            backend be_default
                server s 127.0.0.1:1
            """
        let outcome = ConfigurationParser().parse(text, file: "t.cfg")
        let configuration = try #require(outcome.configuration, "\(outcome.alerts)")
        let (compiled, diagnostics) = RoutingTable.compile(configuration, loadPatternFile: { path in
            path == "/h" ? ["example.com be1"] : ["a.test"]
        })
        let table = try #require(compiled, "\(diagnostics)")
        let rules = try table.frontend("fe").httpRequestRules
        func run(_ headers: [(String, String)]) -> String? {
            var request = HTTPRequestHead(method: "GET", target: "/", version: .http1_1)
            for (name, value) in headers { request.headers.add(name, value) }
            var context = F.context()
            _ = rules.apply(to: &request, &context)
            return request.headers[first: "x-found"]
        }
        let hosts = try #require(table.patternFiles["/h"])
        _ = run([("host", "x"), ("x-op", "set"), ("x-key", "new.com"), ("x-value", "be2")])
        #expect(hosts.snapshot.map(\.key) == ["example.com", "new.com"])
        _ = run([("host", "x"), ("x-op", "set"), ("x-key", "new.com"), ("x-value", "be3")])
        #expect(hosts.snapshot.map { $0.value } == ["be1", "be3"])
        _ = run([("host", "x"), ("x-op", "del"), ("x-key", "example.com")])
        #expect(hosts.snapshot.map(\.key) == ["new.com"])
        #expect(run([("host", "b.test")]) == nil)
        _ = run([("host", "x"), ("x-op", "add"), ("x-key", "b.test")])
        _ = run([("host", "x"), ("x-op", "add"), ("x-key", "b.test")])
        #expect(table.patternFiles["/l"]?.count == 2)
        #expect(run([("host", "b.test")]) == "yes")
        _ = run([("host", "x"), ("x-op", "delacl"), ("x-key", "b.test")])
        #expect(run([("host", "b.test")]) == nil)
    }
}
