import Foundation
import Testing

/// The seed's configuration, ports remapped, in front of a real lighttpd as the seed's web server:
/// port 80 is proxied in mode http with `option httpclose`, `option forwardfor` and a
/// `cookie JSESSIONID prefix` persistence cookie.
@Suite(.serialized, .enabled(if: Lighttpd.isInstalled, "needs lighttpd (apt-get install lighttpd)"))
final class SeedWebServerTests {
    let lighttpd: Lighttpd
    let usher: UsherUnderTest
    let syslog: SyslogCollector

    init() throws {
        lighttpd = try Lighttpd(pages: ["index.html": "<p>the seed's web server</p>\n", "about.html": "about page\n"])
        syslog = try SyslogCollector(group: testGroup)
        usher = try UsherUnderTest(SeedFixture.configuration(.init(webServer: lighttpd.port, webServerTLS: 1, pumpIO: 1, syslog: syslog.port)))
    }

    deinit {
        usher.stop()
        lighttpd.stop()
        syslog.stop()
    }

    var base: String { "http://127.0.0.1:\(usher.port("http-in"))" }

    @Test func curlGetsLighttpdsPagesWithThePrefixedCookie() throws {
        let result = try ExternalProcess.run(["curl", "-sS", "-i", "--max-time", "10", base + "/index.html"])
        #expect(result.status == 0, "curl failed: \(result.error)")
        #expect(result.output.contains("<p>the seed's web server</p>"))
        #expect(result.output.contains("Server: lighttpd"))
        // The server set JSESSIONID=abc123; the client sees it prefixed with server1's cookie value.
        #expect(result.output.contains("Set-Cookie: JSESSIONID=A~abc123; Path=/"), "\(result.output)")
        // The frontend is in http-server-close (from defaults): the client's connection stays open.
        #expect(!result.output.lowercased().contains("connection: close"))
        let entries = lighttpd.waitForEntries(1)
        #expect(entries.last?.requestLine == "GET /index.html HTTP/1.1")
        // The client (127.0.0.1) is in the frontend's `except 127.0.0.0/8`: no X-Forwarded-For.
        #expect(entries.last?.forwardedFor == "-")
    }

    @Test func thePrefixedCookieComesBackToTheServerWithoutItsPrefix() async throws {
        let result = try ExternalProcess.run([
            "curl", "-sS", "--max-time", "10", "-H", "Cookie: JSESSIONID=A~abc123; theme=dark", base + "/about.html",
        ])
        #expect(result.status == 0, "curl failed: \(result.error)")
        #expect(result.output == "about page\n")
        let entries = lighttpd.waitForEntries(1)
        #expect(entries.last?.cookie == "JSESSIONID=abc123; theme=dark", "\(entries)")
        // The httplog line says the client's cookie was valid (V) and the server's was rewritten (R).
        let line = try await syslog.waitFor("\"GET /about.html HTTP/1.1\"")
        #expect(line?.contains(" http-in servers/server1 ") == true, "\(String(describing: line))")
        #expect(line?.contains(" 200 ") == true && line?.contains(" --VR ") == true, "\(String(describing: line))")
    }

    @Test func eachRequestIsItsOwnServerConnection() throws {
        // One curl, three requests it would like to send on one connection.
        let result = try ExternalProcess.run([
            "curl", "-sS", "-v", "--max-time", "10", base + "/index.html", base + "/about.html", base + "/index.html",
        ])
        #expect(result.status == 0, "curl failed: \(result.error)")
        let entries = lighttpd.waitForEntries(3)
        #expect(entries.count == 3)
        // lighttpd saw three client ports (three connections), each request asking it to close.
        #expect(Set(entries.map(\.clientPort)).count == 3, "\(entries)")
        #expect(entries.allSatisfy { $0.connection == "close" }, "\(entries)")
        // While the client kept its one connection: `httpclose` in the backend closes the server's
        // side only; the frontend's `http-server-close` keeps the client's.
        #expect(result.error.components(separatedBy: "Connected to 127.0.0.1").count - 1 == 1, "\(result.error)")
    }
}
