import Testing
@testable import UsherConfig
@testable import UsherRouting

/// What HAProxy 2.6.12 did with the same cookies (its origin echoing the request headers it got),
/// and the session-state characters it logged.
@Suite("Persistence cookie")
struct PersistenceCookieTests {
    typealias F = RoutingFixtures

    static func cookie(
        _ line: String, serverValues: [String?] = ["A", "B"], domains: [String] = [], attributes: [String] = []
    ) -> PersistenceCookie {
        var words = line.split(separator: " ").map(String.init)
        var configuration = CookiePersistence(name: words.removeFirst(), mode: .passive, location: F.location)
        var index = 0
        while index < words.count {
            switch words[index] {
            case "insert", "prefix", "rewrite": configuration.mode = CookiePersistence.Mode(rawValue: words[index])!
            case "indirect": configuration.indirect = true
            case "nocache": configuration.noCache = true
            case "postonly": configuration.postOnly = true
            case "preserve": configuration.preserve = true
            case "httponly": configuration.httpOnly = true
            case "secure": configuration.secure = true
            case "maxidle":
                index += 1
                configuration.maxIdle = .seconds(Int(words[index])!)
            case "maxlife":
                index += 1
                configuration.maxLife = .seconds(Int(words[index])!)
            default: Issue.record("unknown word \(words[index])")
            }
            index += 1
        }
        configuration.domains = domains
        configuration.attributes = attributes
        return PersistenceCookie(configuration, serverValues: serverValues)
    }

    static let now: Int64 = 1_795_754_016

    func request(
        _ cookie: PersistenceCookie, _ fields: [String], up: [Bool] = [true, false], persist: Bool = false, ignored: Bool = false,
        now: Int64 = now
    ) -> (outcome: PersistenceCookie.RequestOutcome, forwarded: [String]) {
        var headers = F.fields(["Host: h"] + fields)
        let outcome = cookie.processRequest(headers, serverIsUp: up, persistOnDownServers: persist, ignored: ignored, now: now)
        outcome.apply(to: &headers)
        return (outcome, headers.fields.dropFirst().map { "\($0.name): \($0.value)" })
    }

    // MARK: - Requests

    @Test func insertIndirectRemovesOurCookieAsHAProxyDoes() {
        let insert = Self.cookie("SRV insert indirect nocache")
        let cases: [([String], [String])] = [
            (["Cookie: a=1; SRV=A; b=2"], ["Cookie: a=1; b=2"]),
            (["Cookie: a=1;SRV=A;b=2"], ["Cookie: a=1; b=2"]),
            (["Cookie: a=1 ; SRV=A"], ["Cookie: a=1 "]),
            (["Cookie: a = 1; SRV=A"], ["Cookie: a=1"]),
            (["Cookie: $Version=1; SRV=A"], []),
            (["Cookie: SRV=A; $Path=/; b=2"], ["Cookie: b=2"]),
            (["Cookie: SRV=A", "Cookie: x=1"], ["Cookie: x=1"]),
            (["Cookie: SRV=A, x=1"], ["Cookie: x=1"]),
            (["Cookie: x=1; SRV=A; SRV=A; y=2"], ["Cookie: x=1; y=2"]),
            (["Cookie: SRV=A"], []),
            (["Cookie: a=1; flag; SRV=A"], ["Cookie: a=1; flag"]),
        ]
        for (fields, forwarded) in cases {
            let (outcome, result) = request(insert, fields)
            #expect(result == forwarded, "\(fields)")
            #expect(outcome.server == 0 && outcome.status == .valid, "\(fields)")
        }
    }

    @Test func statuses() {
        let insert = Self.cookie("SRV insert indirect nocache")
        var (outcome, forwarded) = request(insert, ["Cookie: SRV=B"])
        #expect(outcome.status == .down && outcome.server == nil && forwarded.isEmpty)
        (outcome, forwarded) = request(insert, ["Cookie: SRV=Z"])
        #expect(outcome.status == .invalid && outcome.server == nil)
        (outcome, forwarded) = request(insert, ["Cookie: SRV=; x=1"])
        #expect(outcome.status == .invalid && forwarded == ["Cookie: x=1"])
        (outcome, forwarded) = request(insert, ["Cookie: other=1"])
        #expect(outcome.status == .none && outcome.edits.isEmpty)
        // `option persist` follows the cookie to a down server.
        (outcome, _) = request(insert, ["Cookie: SRV=B"], persist: true)
        #expect(outcome.status == .down && outcome.server == 1)
        // The first usable server with that value wins.
        (outcome, _) = request(Self.cookie("SRV insert", serverValues: ["A", "A"]), ["Cookie: SRV=A"], up: [false, true])
        #expect(outcome.status == .valid && outcome.server == 1)
        // A cookie that finds no server does not undo a status already given; a later valid one
        // still wins.
        let plain = Self.cookie("SRV insert")
        (outcome, forwarded) = request(plain, ["Cookie: SRV=A; SRV=Z"])
        #expect(outcome.status == .valid && outcome.server == 0 && forwarded == ["Cookie: SRV=A; SRV=Z"])
        (outcome, _) = request(plain, ["Cookie: SRV=Z; SRV=A"])
        #expect(outcome.status == .valid && outcome.server == 0)
        (outcome, _) = request(plain, ["Cookie: SRV=B; SRV=Z"])
        #expect(outcome.status == .down && outcome.server == nil)
        (outcome, _) = request(plain, ["Cookie: SRV=A", "Cookie: SRV=Z"])
        #expect(outcome.status == .valid)
        // A use-server rule chose, or ignore-persist: the cookie is read, not followed.
        (outcome, forwarded) = request(Self.cookie("SRV insert indirect"), ["Cookie: SRV=A"], ignored: true)
        #expect(outcome.status == .unused && outcome.server == nil && forwarded.isEmpty)
        (outcome, _) = request(Self.cookie("SRV insert indirect"), ["Cookie: SRV=Z"], ignored: true)
        #expect(outcome.status == .unused)
        // Cookie names compare with case.
        (outcome, _) = request(plain, ["Cookie: srv=A"])
        #expect(outcome.status == .none)
    }

    @Test func prefixModeStripsTheServerPart() {
        let prefix = Self.cookie("JSESSIONID prefix", serverValues: ["A"])
        let (outcome, forwarded) = request(prefix, ["Cookie: JSESSIONID=A~abc; JSESSIONID=B~def; JSESSIONID=plain"], up: [true])
        #expect(forwarded == ["Cookie: JSESSIONID=abc; JSESSIONID=def; JSESSIONID=plain"])
        #expect(outcome.status == .valid && outcome.server == 0)
        let seed = request(prefix, ["Cookie: a=1; JSESSIONID=A~abc123; b=2"], up: [true])
        #expect(seed.forwarded == ["Cookie: a=1; JSESSIONID=abc123; b=2"])
    }

    @Test func passiveAndRewriteModesKeepTheCookie() {
        for mode in ["SRV", "SRV rewrite", "SRV insert"] {
            let (outcome, forwarded) = request(Self.cookie(mode), ["Cookie: SRV=A; x=1"])
            #expect(outcome.status == .valid && outcome.server == 0 && forwarded == ["Cookie: SRV=A; x=1"], "\(mode)")
        }
        #expect(!Self.cookie("SRV").logsCookieStatus)
        #expect(Self.cookie("SRV indirect").logsCookieStatus)
        #expect(Self.cookie("SRV insert").logsCookieStatus)
    }

    @Test func maxIdleAndMaxLife() {
        let dated = Self.cookie("SRV insert indirect maxidle 1800 maxlife 28800", serverValues: ["A"])
        func date(_ offset: Int64) -> String { PersistenceCookie.encodeDate(Self.now + offset) }
        var (outcome, _) = request(dated, ["Cookie: SRV=A|\(date(-60))|\(date(-600))"], up: [true])
        #expect(outcome.status == .valid && outcome.server == 0)
        #expect(outcome.lastSeen == (Self.now - 60 + 3) / 4 * 4 && outcome.firstSeen == (Self.now - 600 + 3) / 4 * 4)
        (outcome, _) = request(dated, ["Cookie: SRV=A|\(date(-3600))|\(date(-3700))"], up: [true])
        #expect(outcome.status == .expired && outcome.server == nil && outcome.lastSeen == 0)
        (outcome, _) = request(dated, ["Cookie: SRV=A|\(date(-60))|\(date(-9 * 3600))"], up: [true])
        #expect(outcome.status == .old && outcome.server == nil)
        (outcome, _) = request(dated, ["Cookie: SRV=A|\(date(90000))"], up: [true])
        #expect(outcome.status == .expired)
        (outcome, _) = request(dated, ["Cookie: SRV=A|!!!!!"], up: [true])
        #expect(outcome.status == .valid && outcome.lastSeen == 0)
        // Without maxidle/maxlife the dates are read but never expire.
        (outcome, _) = request(Self.cookie("SRV insert", serverValues: ["A"]), ["Cookie: SRV=A|\(date(-99999))"], up: [true])
        #expect(outcome.status == .valid)
    }

    @Test func dateEncoding() {
        // From HAProxy 2.6.12's `Set-Cookie: SRV=A|awkH9|awkH9` at 2026-11-27 04:32:51 UTC.
        #expect(PersistenceCookie.encodeDate(1_795_753_971) == "awkH9")
        #expect(PersistenceCookie.decodeDate(Array("awkH9".utf8)[...]) == 1_795_753_972)
        #expect(PersistenceCookie.decodeDate(Array("awk".utf8)[...]) == nil)
        #expect(PersistenceCookie.decodeDate(Array("aw=H9".utf8)[...]) == nil)
    }

    // MARK: - Responses

    func response(
        _ cookie: PersistenceCookie, _ fields: [String] = [], request: PersistenceCookie.RequestOutcome = .init(), method: String = "GET",
        status: Int = 200, server: Int? = 0, ignore: Bool = false, now: Int64 = now
    ) -> (action: ServerCookieAction, headers: [String]) {
        let head = F.response(status, ["Content-Type: text/plain"] + fields)
        let outcome = cookie.processResponse(head, request: request, method: method, server: server, ignorePersistence: ignore, now: now)
        var headers = head.headers
        outcome.apply(to: &headers)
        return (outcome.action, headers.fields.dropFirst().map { "\($0.name): \($0.value)" })
    }

    @Test func insertion() {
        let insert = Self.cookie("SRV insert indirect nocache")
        #expect(response(insert) == (.inserted, ["Set-Cookie: SRV=A; path=/"]))
        #expect(response(insert, ["Cache-Control: max-age=5"]) == (.inserted, ["Cache-Control: max-age=5", "Set-Cookie: SRV=A; path=/", "Cache-control: private"]))
        // The client came with the right cookie: nothing to insert; the server's own is dropped.
        let direct = PersistenceCookie.RequestOutcome(server: 0, status: .valid)
        #expect(response(insert, request: direct) == (.none, []))
        #expect(response(insert, ["Set-Cookie: SRV=x; Path=/"], request: direct) == (.deleted, []))
        // Redispatched from a down server: a new cookie.
        #expect(response(insert, request: PersistenceCookie.RequestOutcome(status: .down)) == (.inserted, ["Set-Cookie: SRV=A; path=/"]))
        // A server without a cookie value makes the client forget it.
        #expect(response(Self.cookie("SRV insert indirect", serverValues: [nil])) == (.inserted, ["Set-Cookie: SRV=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/"]))
        // No server, no cookie.
        #expect(response(insert, server: nil) == (.none, []))
    }

    @Test func insertWithoutIndirect() {
        let insert = Self.cookie("SRV insert")
        let direct = PersistenceCookie.RequestOutcome(server: 0, status: .valid)
        #expect(response(insert, request: direct) == (.none, []))
        #expect(response(insert, ["Set-Cookie: SRV=x; Path=/"], request: direct) == (.deleted, []))
        #expect(response(insert, ["Set-Cookie: SRV=x; Path=/"]) == (.inserted, ["Set-Cookie: SRV=A; path=/"]))
        #expect(response(insert, ["Set-Cookie: a=1", "Set-Cookie: SRV=x; Path=/", "Set-Cookie: b=2"]) == (.inserted, ["Set-Cookie: a=1", "Set-Cookie: b=2", "Set-Cookie: SRV=A; path=/"]))
    }

    @Test func insertedCookieAttributes() {
        let cookie = Self.cookie("SRV insert httponly secure", domains: [".example.com", "b.example"], attributes: ["SameSite=Lax", "Foo"])
        #expect(response(cookie).headers == ["Set-Cookie: SRV=A; path=/; domain=.example.com; domain=b.example; HttpOnly; Secure; SameSite=Lax; Foo"])
    }

    @Test func postOnlyAndPreserve() {
        let postOnly = Self.cookie("SRV insert postonly")
        #expect(response(postOnly) == (.none, []))
        #expect(response(postOnly, ["Set-Cookie: SRV=q"]) == (.deleted, []))
        #expect(response(postOnly, method: "POST") == (.inserted, ["Set-Cookie: SRV=A; path=/"]))
        let preserve = Self.cookie("SRV insert preserve indirect")
        #expect(response(preserve, ["Set-Cookie: SRV=bye"]) == (.passed, ["Set-Cookie: SRV=bye"]))
        #expect(response(preserve) == (.inserted, ["Set-Cookie: SRV=A; path=/"]))
    }

    @Test func prefixAndRewriteModes() {
        let prefix = Self.cookie("JSESSIONID prefix")
        #expect(response(prefix, ["Set-Cookie: JSESSIONID=xyz; Path=/"]) == (.rewritten, ["Set-Cookie: JSESSIONID=A~xyz; Path=/"]))
        #expect(response(prefix, ["Set-Cookie: JSESSIONID = x; Path=/"]) == (.rewritten, ["Set-Cookie: JSESSIONID=A~x; Path=/"]))
        #expect(response(prefix, ["Set-Cookie: OTHER = x"]) == (.none, ["Set-Cookie: OTHER=x"]))
        #expect(response(prefix) == (.none, []))
        let rewrite = Self.cookie("SRV rewrite")
        #expect(response(rewrite, ["Set-Cookie: SRV=xyz ; Path=/"]) == (.rewritten, ["Set-Cookie: SRV=A ; Path=/"]))
        #expect(response(Self.cookie("SRV rewrite", serverValues: [nil]), ["Set-Cookie: SRV=xyz"]) == (.passed, ["Set-Cookie: SRV=xyz"]))
        #expect(response(Self.cookie("SRV"), ["Set-Cookie: SRV=q"]) == (.passed, ["Set-Cookie: SRV=q"]))
    }

    @Test func datedCookies() {
        let dated = Self.cookie("SRV insert indirect maxidle 1800 maxlife 28800", serverValues: ["A"])
        let stamp = PersistenceCookie.encodeDate(Self.now)
        #expect(response(dated) == (.inserted, ["Set-Cookie: SRV=A|\(stamp)|\(stamp); path=/"]))
        // A valid cookie with a past last-seen date is refreshed, keeping its first date.
        let first = Self.now - 600 + 3
        let seen = PersistenceCookie.RequestOutcome(server: 0, status: .valid, lastSeen: Self.now - 60, firstSeen: first / 4 * 4)
        #expect(response(dated, request: seen) == (.updated, ["Set-Cookie: SRV=A|\(stamp)|\(PersistenceCookie.encodeDate(Self.now - 600)); path=/"]))
        // A last-seen date still ahead: nothing to do.
        let fresh = PersistenceCookie.RequestOutcome(server: 0, status: .valid, lastSeen: Self.now + 8, firstSeen: first / 4 * 4)
        #expect(response(dated, request: fresh) == (.none, []))
        // No dates yet: they are set.
        #expect(response(dated, request: PersistenceCookie.RequestOutcome(server: 0, status: .valid)) == (.updated, ["Set-Cookie: SRV=A|\(stamp)|\(stamp); path=/"]))
    }

    @Test func responsesLeftAlone() {
        let insert = Self.cookie("SRV insert indirect")
        #expect(response(insert, status: 100) == (.none, []))
        #expect(response(insert, status: 101).action == .inserted)
        #expect(response(insert, ["Set-Cookie: SRV=x"], ignore: true) == (.none, ["Set-Cookie: SRV=x"]))
    }

    @Test func cacheability() {
        func cacheable(_ method: String, _ status: Int, _ fields: [String]) -> Bool {
            HTTPCacheability.isCacheable(method: method, response: F.response(status, fields))
        }
        #expect(!cacheable("GET", 200, []))
        #expect(!cacheable("GET", 200, ["Cache-Control: public"]))
        #expect(cacheable("GET", 200, ["Cache-Control: max-age=10"]))
        #expect(cacheable("POST", 200, ["Cache-Control: public, max-age=10"]))
        #expect(!cacheable("POST", 200, ["Cache-Control: max-age=10"]))
        #expect(cacheable("GET", 200, ["Expires: x"]))
        #expect(cacheable("GET", 200, ["ETag: \"x\""]))
        #expect(cacheable("HEAD", 200, ["Last-Modified: x"]))
        #expect(!cacheable("GET", 302, ["Cache-Control: max-age=10"]))
        #expect(cacheable("GET", 302, ["Cache-Control: public,max-age=10"]))
        #expect(!cacheable("GET", 200, ["Pragma: no-cache", "Cache-Control: max-age=10"]))
        #expect(!cacheable("GET", 200, ["Cache-Control: max-age=0,s-maxage=10"]))
        #expect(cacheable("GET", 200, ["Cache-Control: private=\"x\",max-age=5"]))
        #expect(!cacheable("GET", 200, ["Cache-Control: max-age=5", "Cache-Control: no-store"]))
    }
}
