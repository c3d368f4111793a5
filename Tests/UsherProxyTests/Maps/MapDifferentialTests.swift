import Foundation
import Testing

/// Maps, differentially: routing by a map, headers from map lookups of every kind, `set-map` and
/// `del-map`/`add-acl`/`del-acl` changing later lookups, `-M` ACLs, and the runtime API's `map`
/// and `acl` commands, each run through HAProxy 2.6 and usher with the same configuration and
/// map files. The checks say what HAProxy 2.6.12 does.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct MapDifferentialTests {
    @Test(arguments: MapScenarios.all)
    func scenario(_ scenario: DifferentialScenario) throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        guard DifferentialSettings.selected(scenario.name) else { return }
        DifferentialRunner.verify(scenario)
    }

    /// The same commands on both sockets give the same answers (the entries' identifiers, which
    /// are addresses in HAProxy, and the numbers and descriptions of `show map`/`show acl`'s list aside).
    @Test func runtimeAPIAgrees() throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let files = MapScenarios.directory
        var transcripts: [ProxyKind: [String]] = [:]
        for kind in DifferentialSettings.kinds {
            let socket = "\(directory.path)/\(kind.rawValue).sock"
            let template = """
                global
                    stats socket \(socket) level admin
                \(MapScenarios.defaults)
                frontend fe
                    bind 127.0.0.1:{{PORT}}
                    http-request set-header X-Host %[req.hdr(host),map(\(files)/hosts.map,none)]
                    http-request set-header X-Beg %[path,map_beg(\(files)/beg.map,none)]
                    http-request set-header X-Ip %[src,map_ip(\(files)/ip.map,none)]
                    http-request set-header X-Num %[req.hdr(host),map_str_int(\(files)/num.map,0)]
                    acl listed req.hdr(host) -f \(files)/hosts.lst
                    http-request set-header X-Listed yes if listed
                    default_backend be
                backend be
                    server s {{ORIGIN0}}
                """
            let run = try ProxyRun(kind, template: template, replies: [.ok])
            defer { run.stop() }
            // The runtime API's socket is bound after the listeners.
            for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) { usleep(10_000) }
            var lines: [String] = []
            for command in [
                "show map", "show map \(files)/hosts.map", "get map \(files)/hosts.map example.com", "get map \(files)/hosts.map nope",
                "get map \(files)/beg.map /abcd", "get map \(files)/ip.map 10.1.9.9", "get map \(files)/ip.map 10.1.2.3",
                "get map \(files)/ip.map ::ffff:10.1.2.3", "get map \(files)/ip.map notip", "get map \(files)/num.map a.test",
                "get map \(files)/nosuch x", "get map \(files)/hosts.map",
                "add map \(files)/hosts.map new.com be9", "add map \(files)/hosts.map example.com dup", "show map \(files)/hosts.map",
                "get map \(files)/hosts.map example.com", "set map \(files)/hosts.map example.com changed", "show map \(files)/hosts.map",
                "set map \(files)/hosts.map nokey v", "set map \(files)/hosts.map foo.org", "del map \(files)/hosts.map example.com",
                "del map \(files)/hosts.map example.com", "del map \(files)/hosts.map", "show map \(files)/hosts.map",
                "add map \(files)/hosts.map onlykey", "add map \(files)/ip.map bad v", "add map \(files)/num.map k notint",
                "add map \(files)/num.map k 12", "get map \(files)/num.map k",
                "show acl \(files)/hosts.lst", "get acl \(files)/hosts.lst a.test", "get acl \(files)/hosts.lst zz",
                "add acl \(files)/hosts.lst c.test", "add acl \(files)/hosts.lst", "del acl \(files)/hosts.lst a.test",
                "del acl \(files)/hosts.lst nothere", "show acl \(files)/hosts.lst", "add acl \(files)/nosuch x",
                "clear acl \(files)/hosts.lst", "show acl \(files)/hosts.lst", "clear acl",
                "clear map \(files)/beg.map", "show map \(files)/beg.map", "clear map \(files)/nosuch", "show map \(files)/nosuch",
            ] {
                let answer = try RuntimeAPIClient.ask(socket, command)
                lines.append("> \(command)")
                lines += MapScenarios.normalized(answer).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            }
            // A change made on the socket is seen by the traffic.
            let response = try httpGet(port: run.port, path: "/abcd")
            lines.append(String(response.prefix(12)))
            transcripts[kind] = lines
        }
        guard let haproxy = transcripts[.haproxy], let usher = transcripts[.usher] else { return }
        #expect(haproxy.count > 80 && haproxy.contains("0xID example.com changed"))
        for (index, line) in haproxy.enumerated() {
            let other = index < usher.count ? usher[index] : "<missing>"
            #expect(other == line, "line \(index + 1) of the transcript")
        }
        #expect(usher.count == haproxy.count)
    }
}

enum MapScenarios {
    static let defaults = """
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        """

    /// A scratch directory with the map files the scenarios name, written once per test run.
    static let directory: String = {
        let directory = TemporaryDirectory().path
        let files = [
            "hosts.map": "# hosts and their backends\n\nexample.com be1\n  foo.org   be2  \nwww.example.com be2\n",
            "beg.map": "/a b1\n/ab b2\n/abc/ b3\n",
            "ip.map": "10.0.0.0/8 a\n10.1.2.3 c\n10.1.0.0/16 b\n127.0.0.0/8 lo8\n127.0.0.1 lo32\n",
            "num.map": "a.test 5\nb.test 40\n",
            "int.map": "1:10 small\n5 five\n100 hundred\n",
            "end.map": "b e1\nab e2\n",
            "sub.map": "bc s1\nb s2\n",
            "dir.map": "api d1\nv1 d2\n",
            "reg.map": "^/a r1\n^/ab r2\n\\.php$ r3\n",
            "dom.map": "example.com a\nwww.example.com b\ncom c\n",
            "hosts.lst": "a.test\n  b.test\n#c.test\n",
        ]
        for (name, text) in files {
            FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: Data(text.utf8))
        }
        return directory
    }()

    /// Entries' identifiers (addresses in HAProxy) as `0xID`, and the list of `show map`/`show
    /// acl` reduced to its identifiers and files (HAProxy's descriptions name the configuration's
    /// lines, and it lists its inline ACLs and internal ones, which usher does not).
    static func normalized(_ answer: String) -> String {
        answer.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line -> String? in
            var text = String(line)
            if let range = text.range(of: "^0x[0-9a-f]+ ", options: .regularExpression) {
                text.replaceSubrange(range, with: "0xID ")
            }
            if let range = text.range(of: "^[0-9]+ \\(", options: .regularExpression) {
                if text.contains(" () ") { return nil }
                // The numbers differ too: HAProxy counts its inline ACLs' pattern lists.
                let end = text.firstIndex(of: ")").map { text.index(after: $0) } ?? text.endIndex
                return "ID (" + String(text[range.upperBound..<end])
            }
            return text
        }.joined(separator: "\n")
    }

    static func host(_ path: String, _ host: String, _ fields: [String] = []) -> ClientStep {
        .send(Request.get(path, host: host, fields))
    }

    static var all: [DifferentialScenario] {
        let files = directory
        return [
            DifferentialScenario(
                "use_backend by map_dom, with a default",
                // One connection per client and `http-reuse never`: HAProxy would otherwise reuse
                // be1's idle connection after be2's request, which usher does not do yet (see the
                // differences).
                defaults + """

                        http-reuse never
                    frontend fe
                        bind 127.0.0.1:{{PORT}}
                        use_backend %[req.hdr(host),lower,map_dom(\(files)/hosts.map,be_default)]
                    backend be1
                        http-request set-header X-Backend be1
                        server s {{ORIGIN0}}
                    backend be2
                        http-request set-header X-Backend be2
                        server s {{ORIGIN0}}
                    backend be_default
                        http-request set-header X-Backend default
                        server s {{ORIGIN0}}
                    """,
                clients: [("/1", "www.Example.com"), ("/2", "foo.org:8080"), ("/3", "other.net"), ("/4", "example.com"), ("/5", "a.foo.org")].map {
                    [host($0.0, $0.1, ["Connection: close"])]
                },
                checks: [
                    .statuses([200], client: 0), .statuses([200], client: 4),
                    .originField("x-backend", ["be1"], request: 0), .originField("x-backend", ["be2"], request: 1),
                    .originField("x-backend", ["default"], request: 2), .originField("x-backend", ["be1"], request: 3),
                    .originField("x-backend", ["be2"], request: 4),
                ]
            ),
            DifferentialScenario(
                "headers from every kind of map lookup",
                defaults + """

                    frontend fe
                        bind 127.0.0.1:{{PORT}}
                        http-request set-header X-Str %[req.hdr(host),map(\(files)/hosts.map,none)]
                        http-request set-header X-Beg %[path,map_beg(\(files)/beg.map,none)]
                        http-request set-header X-Ip %[src,map_ip(\(files)/ip.map,none)]
                        http-request set-header X-Int %[url_param(n),map_int(\(files)/int.map,none)]
                        http-request set-header X-Num %[req.hdr(host),map_str_int(\(files)/num.map,0),add(1)]
                        http-request set-header X-End %[path,map_end(\(files)/end.map,none)]
                        http-request set-header X-Sub %[path,map_sub(\(files)/sub.map,none)]
                        http-request set-header X-Dir %[path,map_dir(\(files)/dir.map,none)]
                        http-request set-header X-Reg %[path,map_reg(\(files)/reg.map,none)]
                        http-request set-header X-Dom %[req.hdr(host),map_dom(\(files)/dom.map,none)]
                        http-request set-header X-Nodefault %[path,map_beg(\(files)/beg.map)]
                        default_backend be
                    backend be
                        server s {{ORIGIN0}}
                    """,
                clients: [[host("/abcd?n=5", "a.test"), host("/x/v1/api/index.php?n=100", "www.example.com"), host("/abc/ab?n=7", "foo.org")]],
                checks: [
                    .statuses([200, 200, 200]),
                    .originField("x-str", ["none"], request: 0), .originField("x-beg", ["b2"], request: 0),
                    .originField("x-ip", ["lo32"], request: 0), .originField("x-int", ["small"], request: 0),
                    .originField("x-num", ["6"], request: 0), .originField("x-end", ["none"], request: 0),
                    .originField("x-sub", ["s1"], request: 0), .originField("x-dir", ["none"], request: 0),
                    .originField("x-reg", ["r1"], request: 0), .originField("x-dom", ["none"], request: 0),
                    .originField("x-nodefault", ["b2"], request: 0),
                    .originField("x-str", ["be2"], request: 1), .originField("x-beg", ["none"], request: 1),
                    .originField("x-int", ["hundred"], request: 1), .originField("x-num", ["1"], request: 1),
                    .originField("x-end", ["none"], request: 1), .originField("x-dir", ["d1"], request: 1),
                    .originField("x-reg", ["r3"], request: 1), .originField("x-dom", ["a"], request: 1),
                    .originField("x-nodefault", [""], request: 1),
                    .originField("x-str", ["be2"], request: 2), .originField("x-beg", ["b3"], request: 2),
                    .originField("x-end", ["e1"], request: 2), .originField("x-sub", ["s1"], request: 2),
                    .originField("x-int", ["small"], request: 2),
                ]
            ),
            DifferentialScenario(
                "set-map and del-map change later lookups; add-acl and del-acl later matches",
                defaults + """

                    frontend fe
                        bind 127.0.0.1:{{PORT}}
                        acl listed req.hdr(host) -f \(files)/hosts.lst
                        http-request set-map(\(files)/hosts.map) %[url_param(k)] %[url_param(v)] if { path /set }
                        http-request del-map(\(files)/hosts.map) %[url_param(k)] if { path /del }
                        http-request add-acl(\(files)/hosts.lst) %[url_param(k)] if { path /add }
                        http-request del-acl(\(files)/hosts.lst) %[url_param(k)] if { path /delacl }
                        http-request set-header X-Value %[url_param(k),map(\(files)/hosts.map,none)]
                        http-request set-header X-Listed yes if listed
                        default_backend be
                    backend be
                        server s {{ORIGIN0}}
                    """,
                clients: [[
                    host("/get?k=new.com", "x.test"), host("/set?k=new.com&v=be9", "x.test"), host("/get?k=new.com", "x.test"),
                    host("/set?k=example.com&v=changed", "x.test"), host("/get?k=example.com", "x.test"),
                    host("/del?k=example.com", "x.test"), host("/get?k=example.com", "x.test"),
                    host("/get", "c.test"), host("/add?k=c.test", "x.test"), host("/get", "c.test"),
                    host("/delacl?k=a.test", "x.test"), host("/get", "a.test"), host("/get", "b.test"),
                ]],
                checks: [
                    .statuses(Array(repeating: 200, count: 13)),
                    .originField("x-value", ["none"], request: 0), .originField("x-value", ["be9"], request: 1),
                    .originField("x-value", ["be9"], request: 2), .originField("x-value", ["changed"], request: 4),
                    .originField("x-value", ["none"], request: 5), .originField("x-value", ["none"], request: 6),
                    .originField("x-listed", [], request: 7), .originField("x-listed", ["yes"], request: 9),
                    .originField("x-listed", [], request: 11), .originField("x-listed", ["yes"], request: 12),
                ]
            ),
            DifferentialScenario(
                "-M ACLs read a map's keys",
                defaults + """

                    frontend fe
                        bind 127.0.0.1:{{PORT}}
                        acl known req.hdr(host) -M -f \(files)/hosts.map
                        acl known_prefix path -m beg -M -f \(files)/beg.map
                        http-request set-header X-Known yes if known
                        http-request set-header X-Prefix yes if known_prefix
                        http-request set-header X-Value %[req.hdr(host),map(\(files)/hosts.map,none)] if known
                        default_backend be
                    backend be
                        server s {{ORIGIN0}}
                    """,
                clients: [[host("/abc", "example.com"), host("/x", "nope.test"), host("/a", "foo.org")]],
                checks: [
                    .statuses([200, 200, 200]),
                    .originField("x-known", ["yes"], request: 0), .originField("x-prefix", ["yes"], request: 0),
                    .originField("x-value", ["be1"], request: 0),
                    .originField("x-known", [], request: 1), .originField("x-prefix", [], request: 1),
                    .originField("x-known", ["yes"], request: 2), .originField("x-value", ["be2"], request: 2),
                ]
            ),
        ]
    }
}
