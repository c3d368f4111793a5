import Foundation
import Testing

/// The statistics page end to end, with curl as the client and a real origin behind usher:
/// authentication, the exports, the options, and the admin form acting on servers.
@Suite(.serialized) struct StatsPageTests {
    static let configuration = """
    \(TestConfigurations.httpDefaults)
    frontend fe
      bind 127.0.0.1:0
      default_backend be
    backend be
      cookie SRV insert indirect nocache
      server s1 {{ORIGIN0}} cookie one
      server s2 {{ORIGIN1}} cookie two
    listen stats
      bind 127.0.0.1:0
      stats uri /stats
      stats realm Operators\\ only
      stats refresh 7s
      stats auth admin:s3cret
      stats admin if { src 127.0.0.1 }
      stats show-legends
      stats show-node edge1
    listen viewer
      bind 127.0.0.1:0
      stats enable
      stats uri /view
    listen guarded
      bind 127.0.0.1:0
      stats uri /g
      stats http-request deny unless { req.hdr(x-ok) -m found }
      stats http-request allow
    """

    final class Setup {
        let origins: [RecordingOrigin]
        let usher: UsherUnderTest
        init() throws {
            origins = try (0..<2).map { try RecordingOrigin(name: "o\($0)") }
            var text = StatsPageTests.configuration
            for (index, origin) in origins.enumerated() { text = text.replacingOccurrences(of: "{{ORIGIN\(index)}}", with: origin.address) }
            usher = try UsherUnderTest(text)
        }
        var stats: String { "http://127.0.0.1:\(usher.port("stats"))/stats" }
        var site: String { "http://127.0.0.1:\(usher.port("fe"))" }
        deinit {
            usher.stop()
            for origin in origins { origin.stop() }
        }
    }

    @Test func authenticationIsRequired() throws {
        let setup = try Setup()
        let anonymous = try StatsTestSupport.curl(["-i", setup.stats])
        #expect(anonymous.status == 401)
        #expect(anonymous.body.contains("www-authenticate: Basic realm=\"Operators only\""))
        let wrong = try StatsTestSupport.curl(["-u", "admin:guess", setup.stats])
        #expect(wrong.status == 401)
        let garbage = try StatsTestSupport.curl(["-H", "Authorization: Basic !!!notbase64", setup.stats])
        #expect(garbage.status == 401)
        let right = try StatsTestSupport.curl(["-i", "-u", "admin:s3cret", setup.stats])
        #expect(right.status == 200)
        #expect(right.body.contains("refresh: 7"))
        #expect(right.body.contains("content-type: text/html"))
        // The page a person reads: one table per proxy, servers coloured by state.
        #expect(right.body.contains("Statistics Report for pid"))
        #expect(right.body.contains(" on edge1"))
        for proxy in ["fe", "be", "stats", "viewer"] { #expect(right.body.contains("<a name=\"\(proxy)\"></a>")) }
        #expect(right.body.contains("<tr class=\"active_no_check\">"))
        #expect(right.body.contains("name=\"s\" value=\"s1\""))
    }

    @Test func exportsAndOptions() throws {
        let setup = try Setup()
        for _ in 0..<3 { try StatsTestSupport.curl([setup.site + "/"]) }
        let csv = try StatsTestSupport.curl(["-i", "-u", "admin:s3cret", setup.stats + ";csv;norefresh"])
        #expect(csv.status == 200)
        #expect(csv.body.contains("content-type: text/plain"))
        #expect(!csv.body.contains("refresh:"))
        let table = StatsTestSupport.CSV(String(csv.body[csv.body.range(of: "# pxname")!.lowerBound...]))
        #expect(table["fe/FRONTEND"]?["req_tot"] == "3")
        #expect(table["fe/FRONTEND"]?["hrsp_2xx"] == "3")
        #expect(table["be/BACKEND"]?["stot"] == "3")
        // `show-legends`: addresses and cookies shown.
        #expect(table["be/s1"]?["addr"] == setup.origins[0].address)
        #expect(table["be/s1"]?["cookie"] == "one")
        let json = try StatsTestSupport.curl(["-u", "admin:s3cret", setup.stats + ";json"])
        #expect(json.body.hasPrefix("[[{\"objType\":\"Frontend\""))
        let typed = try StatsTestSupport.curl(["-u", "admin:s3cret", setup.stats + ";typed"])
        #expect(typed.body.contains("F.1.0.0.pxname.1:KNS:str:fe\n"))
        let scoped = try StatsTestSupport.curl(["-u", "admin:s3cret", setup.stats + ";csv?scope=be"])
        #expect(StatsTestSupport.CSV(scoped.body).rows.map(\.key) == ["be/s1", "be/s2", "be/BACKEND"])
        // As HAProxy: the scope matches without regard to case; one with a byte a proxy name cannot
        // hold is dropped, never written back into the page or a redirect.
        let upper = try StatsTestSupport.curl(["-u", "admin:s3cret", setup.stats + ";csv?scope=BE"])
        #expect(StatsTestSupport.CSV(upper.body).rows.map(\.key) == ["be/s1", "be/s2", "be/BACKEND"])
        let hostile = try StatsTestSupport.curl(["-u", "admin:s3cret", setup.stats + "?scope=%22%3E%3Cscript%3Ex%3C/script%3E"])
        #expect(hostile.status == 200)
        #expect(!hostile.body.contains("<script>") && !hostile.body.contains("scope=%22"))
        let splitting = try StatsTestSupport.curl(["-i", "-u", "admin:s3cret", "-d", "s=s1&action=ready&b=%232",
                                                   setup.stats + "?scope=%0D%0ASet-Cookie:%20a=1"])
        #expect(splitting.status == 303)
        #expect(!splitting.body.lowercased().contains("set-cookie"))
        // `;up`: as HAProxy, the backend's status carries its usable and total servers.
        let up = try StatsTestSupport.curl(["-u", "admin:s3cret", setup.stats + ";csv;up"])
        #expect(StatsTestSupport.CSV(up.body)["be/BACKEND"]?["status"] == "UP (2/2)")
        let head = try StatsTestSupport.curl(["-I", "-u", "admin:s3cret", setup.stats])
        #expect(head.status == 200)
        // A page without `show-legends` keeps addresses to itself; without `stats auth` it is open.
        let viewer = try StatsTestSupport.curl(["http://127.0.0.1:\(setup.usher.port("viewer"))/view;csv"])
        #expect(viewer.status == 200)
        #expect(StatsTestSupport.CSV(viewer.body)["be/s1"]?["addr"] == "")
    }

    @Test func adminFormDrainsAndRestores() throws {
        let setup = try Setup()
        let drained = try StatsTestSupport.curl(["-i", "-u", "admin:s3cret", "-d", "s=s1&action=drain&b=%232", setup.stats])
        #expect(drained.status == 303)
        #expect(drained.body.contains("location: /stats;st=DONE"))
        var table = StatsTestSupport.CSV(try StatsTestSupport.curl(["-u", "admin:s3cret", setup.stats + ";csv"]).body)
        #expect(table["be/s1"]?["status"] == "DRAIN")
        // New clients avoid the draining server; a client with s1's cookie still reaches it.
        for _ in 0..<4 {
            let answer = try StatsTestSupport.curl(["-i", setup.site + "/"])
            #expect(answer.body.contains("X-Origin: o1"))
        }
        let persistent = try StatsTestSupport.curl(["-i", "-b", "SRV=one", setup.site + "/"])
        #expect(persistent.body.contains("X-Origin: o0"))
        let partial = try StatsTestSupport.curl(["-i", "-u", "admin:s3cret", "-d", "s=s1&s=nosuch&action=maint&b=be", setup.stats])
        #expect(partial.body.contains("location: /stats;st=PART"))
        table = StatsTestSupport.CSV(try StatsTestSupport.curl(["-u", "admin:s3cret", setup.stats + ";csv"]).body)
        #expect(table["be/s1"]?["status"] == "MAINT")
        let bad = try StatsTestSupport.curl(["-i", "-u", "admin:s3cret", "-d", "s=s1&action=explode&b=be", setup.stats])
        #expect(bad.body.contains("location: /stats;st=ERRP"))
        let ready = try StatsTestSupport.curl(["-i", "-u", "admin:s3cret", "-d", "s=s1&action=ready&b=be", setup.stats])
        #expect(ready.body.contains("location: /stats;st=DONE"))
        table = StatsTestSupport.CSV(try StatsTestSupport.curl(["-u", "admin:s3cret", setup.stats + ";csv"]).body)
        #expect(table["be/s1"]?["status"] == "no check")
        // A form larger than the limit is refused as HAProxy does (EXCD), and the page still works.
        let huge = "s=" + String(repeating: "x", count: 20_000) + "&action=drain&b=be"
        let excess = try StatsTestSupport.curl(["-i", "-u", "admin:s3cret", "-d", huge, setup.stats])
        #expect(excess.body.contains("location: /stats;st=EXCD"))
        #expect(try StatsTestSupport.curl(["-u", "admin:s3cret", setup.stats]).status == 200)
    }

    @Test func adminFormNeedsTheAdminCondition() throws {
        let setup = try Setup()
        let viewer = "http://127.0.0.1:\(setup.usher.port("viewer"))/view"
        let denied = try StatsTestSupport.curl(["-i", "-d", "s=s1&action=maint&b=be", viewer])
        #expect(denied.status == 303)
        #expect(denied.body.contains("location: /view;st=DENY"))
        let table = StatsTestSupport.CSV(try StatsTestSupport.curl([viewer + ";csv"]).body)
        #expect(table["be/s1"]?["status"] == "no check")
    }

    /// `stats` in a backend: the page is served once the request is routed there (HAProxy's way).
    @Test func pageServedByABackend() throws {
        let origin = try RecordingOrigin(name: "o")
        defer { origin.stop() }
        let usher = try UsherUnderTest("""
        \(TestConfigurations.httpDefaults)
        frontend fe
          bind 127.0.0.1:0
          use_backend monitoring if { path_beg /admin }
          default_backend site
        backend monitoring
          stats enable
          stats uri /admin/stats
        backend site
          server s1 \(origin.address)
        """)
        defer { usher.stop() }
        let base = "http://127.0.0.1:\(usher.port("fe"))"
        let page = try StatsTestSupport.curl([base + "/admin/stats;csv"])
        #expect(page.status == 200)
        #expect(StatsTestSupport.CSV(page.body)["monitoring/BACKEND"]?["stot"] == "1")
        // Elsewhere the request goes to the servers as usual.
        let site = try StatsTestSupport.curl(["-i", base + "/admin/other"])
        #expect(site.status == 503)
        #expect(try StatsTestSupport.curl(["-i", base + "/"]).body.contains("X-Origin: o"))
    }

    @Test func statsHTTPRequestRulesDecide() throws {
        let setup = try Setup()
        let base = "http://127.0.0.1:\(setup.usher.port("guarded"))/g"
        #expect(try StatsTestSupport.curl([base]).status == 403)
        #expect(try StatsTestSupport.curl(["-H", "X-OK: 1", base]).status == 200)
        // Counted as a denied request on the proxy.
        let table = StatsTestSupport.CSV(try StatsTestSupport.curl(["-H", "X-OK: 1", base + ";csv"]).body)
        #expect(table["guarded/FRONTEND"]?["dreq"] == "1")
    }
}
