import NIOCore
import Testing
@testable import UsherRouting

@Suite("log-format lines")
struct LogFormatLineTests {
    static let facts = LogFormatLine.Facts(
        frontendAddress: "127.0.0.1", frontendPort: 8080, serverAddress: "10.0.0.5", serverPort: 8000, bytesFromClient: 321,
        acceptDate: LogTimestamp(year: 2026, month: 11, day: 27, hour: 3, minute: 53, second: 25, millisecond: 100), hostname: "box", pid: 42
    )

    func render(_ format: String, request: HTTPRequestHead? = nil) throws -> String {
        let record = HTTPLogRecordTests.record(
            port: 41548, date: (3, 53, 25, 228), frontend: "fe", backend: "be", server: "s1", times: (1, 0, 2, 3, 9), status: 404,
            bytes: 195, termination: TerminationState(.none, .none, clientCookie: .valid, serverCookie: .rewritten),
            headers: (["www.example.org"], nil), request: "GET /a/b?x=1 HTTP/1.1"
        )
        var context = SampleContext(
            connection: ConnectionInfo(source: IPAddress("127.0.0.1"), sourcePort: 41548, destination: nil, destinationPort: 8080),
            payload: ByteBuffer(), isFinal: true, request: request
        )
        return try LogFormatLine(format).render(record, Self.facts, &context)
    }

    @Test func variables() throws {
        #expect(try render("%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %U %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %{+Q}r")
            == #"127.0.0.1:41548 [27/Nov/2026:03:53:25.228] fe be/s1 1/0/2/3/9 404 195 321 --VR 1/1/0/0/0 0/0 {www.example.org} "GET /a/b?x=1 HTTP/1.1""#)
        #expect(try render("%HM %HU %HP %HQ %HV %fi:%fp %si:%sp %t %H %pid") == "GET /a/b?x=1 /a/b ?x=1 HTTP/1.1 127.0.0.1:8080 10.0.0.5:8000 27/Nov/2026:03:53:25.100 box 42")
        #expect(try render("100%% %ts \\%ci") == "100% -- %ci")
    }

    @Test func samples() throws {
        let request = HTTPRequestHead(method: "GET", target: "/x", version: .http1_1, headers: HTTPHeaders([("Host", "Example.ORG")]))
        #expect(try render("host=%[req.hdr(host),lower] %{+Q}[path]", request: request) == #"host=example.org "/x""#)
    }

    /// Every letter after `%` is the name: `%HPO` is the path alone, never `%HP` and the text `O`.
    @Test func requestLineParts() throws {
        #expect(try render("%HPO|%HP|%HQ|%HU|%HV|%HM") == "/a/b|/a/b|?x=1|/a/b?x=1|HTTP/1.1|GET")
        #expect(LogFormatLine.pathOnly("http://a.example/p/x?q=1") == "/p/x")
        #expect(LogFormatLine.pathOnly("http://a.example") == "")
        #expect(LogFormatLine.pathOnly("/p?q") == "/p")
    }

    /// Checked with HAProxy 2.6: `%T` the accept date in GMT, `%Tl` local, `%Ts` in seconds since
    /// the epoch; no TLS in usher, so `%sslv`/`%sslc` print `-` as for a clear-text connection.
    @Test func acceptDatesAndTLS() throws {
        #expect(try render("%T|%Tl|%Ts|%sslv|%sslc|%Td|%Tu") == "27/Nov/2026:03:53:25 +0000|27/Nov/2026:03:53:25 +0000|1795751605|-|-|3|9")
    }

    @Test(arguments: ["%Twx", "%HPOX", "%HPQ", "%lc", "%1"])
    func unknownOrUnsupportedVariablesAreRefused(_ format: String) {
        #expect(throws: RoutingError.self) { _ = try LogFormatLine(format) }
    }

    /// In a rule's value (a header, a path, a backend name) the same: a variable is filled in or
    /// refused, never copied as text.
    @Test func ruleValues() throws {
        let request = HTTPRequestHead(method: "GET", target: "http://a.example/p?q=1", version: .http1_1, headers: HTTPHeaders([("Host", "a.example")]))
        var context = SampleContext(
            connection: ConnectionInfo(source: IPAddress("192.0.2.7"), sourcePort: 4000, destination: IPAddress("127.0.0.1"), destinationPort: 80),
            payload: ByteBuffer(), isFinal: true, request: request
        )
        #expect(try LogFormatTemplate("%ci:%cp %fi:%fp %HM %HPO %HP %HQ %HV 100%%").render(&context)
            == "192.0.2.7:4000 127.0.0.1:80 GET /p http://a.example/p ?q=1 HTTP/1.1 100%")
        for bad in ["100%", "%Twx", "%lc", "%Tw", "%{+Q}ci"] {
            #expect(throws: RoutingError.self, "\(bad)") { _ = try LogFormatTemplate(bad) }
        }
    }

    @Test(arguments: ["%", "%{+Q", "%[src", "%zz", "%[nosuchfetch]"])
    func refusesBrokenFormats(_ format: String) {
        #expect(throws: RoutingError.self) { _ = try LogFormatLine(format) }
    }
}
