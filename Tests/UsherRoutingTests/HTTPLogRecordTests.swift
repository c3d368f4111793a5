import Testing
@testable import UsherRouting

/// Lines printed by HAProxy 2.6.12 (`option httplog`, `log stdout format raw`) in front of a small
/// Python origin, and the records that must print them.
@Suite("httplog line")
struct HTTPLogRecordTests {
    static func record(
        port: Int, date: (Int, Int, Int, Int), frontend: String, backend: String, server: String,
        times: (Int, Int, Int, Int, Int), status: Int = 200, bytes: Int64, cookies: (String?, String?) = (nil, nil),
        termination: TerminationState, retries: Int = 0, headers: ([String]?, [String]?) = (nil, nil), request: String?
    ) -> HTTPLogRecord {
        HTTPLogRecord(
            clientAddress: "127.0.0.1", clientPort: port,
            requestDate: LogTimestamp(year: 2026, month: 11, day: 27, hour: date.0, minute: date.1, second: date.2, millisecond: date.3),
            frontend: frontend, backend: backend, server: server, requestTime: times.0, queueTime: times.1, connectTime: times.2,
            responseTime: times.3, activeTime: times.4, status: status, bytesToClient: bytes, capturedRequestCookie: cookies.0,
            capturedResponseCookie: cookies.1, termination: termination,
            counters: SessionCounters(
                activeConnections: 1, frontendConnections: 1, backendConnections: 0, serverConnections: 0, retries: retries,
                redispatched: false, serverQueue: 0, backendQueue: 0
            ),
            capturedRequestHeaders: headers.0, capturedResponseHeaders: headers.1, requestLine: request
        )
    }

    @Test func insertedPersistenceCookie() {
        let line = Self.record(
            port: 41548, date: (3, 53, 25, 228), frontend: "fe_ins", backend: "be_ins", server: "s1", times: (0, 0, 0, 3, 3), bytes: 195,
            termination: TerminationState(.none, .none, clientCookie: .none, serverCookie: .inserted), request: "GET /a?x=1 HTTP/1.1"
        ).line
        #expect(line == #"127.0.0.1:41548 [27/Nov/2026:03:53:25.228] fe_ins be_ins/s1 0/0/0/3/3 200 195 - - --NI 1/1/0/0/0 0/0 "GET /a?x=1 HTTP/1.1""#)
    }

    @Test func prefixCookieRewritten() {
        let line = Self.record(
            port: 33582, date: (3, 53, 25, 355), frontend: "fe_pfx", backend: "be_pfx", server: "s1", times: (0, 0, 0, 1, 3), bytes: 263,
            termination: TerminationState(.none, .none, clientCookie: .valid, serverCookie: .rewritten),
            request: "GET /d?sc=JSESSIONID%3Dxyz%3B%20Path%3D%2F HTTP/1.1"
        ).line
        #expect(line == #"127.0.0.1:33582 [27/Nov/2026:03:53:25.355] fe_pfx be_pfx/s1 0/0/0/1/3 200 263 - - --VR 1/1/0/0/0 0/0 "GET /d?sc=JSESSIONID%3Dxyz%3B%20Path%3D%2F HTTP/1.1""#)
    }

    @Test func capturedHeadersAndCookies() {
        let line = Self.record(
            port: 58400, date: (3, 54, 8, 500), frontend: "fe_cap", backend: "be_pfx", server: "s1", times: (0, 0, 0, 3, 3), bytes: 264,
            cookies: ("JSESSIONID=A~abc123", "JSESSIONID=new1"), termination: TerminationState(.none, .none, clientCookie: .valid, serverCookie: .rewritten),
            headers: (["127.0.0.1:18105", "Mozil"], ["text/plain"]), request: "GET /cap?sc=JSESSIONID%3Dnew1%3B%20Path%3D%2F HTTP/1.1"
        ).line
        #expect(line == #"127.0.0.1:58400 [27/Nov/2026:03:54:08.500] fe_cap be_pfx/s1 0/0/0/3/3 200 264 JSESSIONID=A~abc123 JSESSIONID=new1 --VR 1/1/0/0/0 0/0 {127.0.0.1:18105|Mozil} {text/plain} "GET /cap?sc=JSESSIONID%3Dnew1%3B%20Path%3D%2F HTTP/1.1""#)
        let missingHost = Self.record(
            port: 58412, date: (3, 54, 8, 524), frontend: "fe_cap", backend: "be_pfx", server: "s1", times: (0, 0, 1, 1, 2), bytes: 173,
            termination: TerminationState(.none, .none, clientCookie: .none, serverCookie: .none), headers: (["", "curl/"], ["text/plain"]),
            request: "GET /nohost HTTP/1.1"
        ).line
        #expect(missingHost == #"127.0.0.1:58412 [27/Nov/2026:03:54:08.524] fe_cap be_pfx/s1 0/0/1/1/2 200 173 - - --NN 1/1/0/0/0 0/0 {|curl/} {text/plain} "GET /nohost HTTP/1.1""#)
    }

    @Test func withoutCookieConfigurationTheCookieFlagsAreDashes() {
        let line = Self.record(
            port: 47586, date: (3, 54, 8, 554), frontend: "fe_plain", backend: "be_plain", server: "s1", times: (0, 0, 0, 4, 4), bytes: 195,
            termination: .normal, request: #"GET /plain%20x?q="1" HTTP/1.1"#
        ).line
        #expect(line == #"127.0.0.1:47586 [27/Nov/2026:03:54:08.554] fe_plain be_plain/s1 0/0/0/4/4 200 195 - - ---- 1/1/0/0/0 0/0 "GET /plain%20x?q=#221#22 HTTP/1.1""#)
    }

    @Test func badRequest() {
        let line = Self.record(
            port: 47608, date: (3, 54, 9, 588), frontend: "fe_plain", backend: "fe_plain", server: "<NOSRV>", times: (-1, -1, -1, -1, 996),
            status: 400, bytes: 0, termination: TerminationState(.clientAbort, .request), request: nil
        ).line
        #expect(line == #"127.0.0.1:47608 [27/Nov/2026:03:54:09.588] fe_plain fe_plain/<NOSRV> -1/-1/-1/-1/996 400 0 - - CR-- 1/1/0/0/0 0/0 "<BADREQ>""#)
    }

    @Test func serverRefusedAfterARetry() {
        let line = Self.record(
            port: 56842, date: (4, 21, 50, 28), frontend: "fe_down", backend: "be_down", server: "s1", times: (0, 1002, -1, -1, 1002),
            status: 503, bytes: 217, termination: TerminationState(.serverAbort, .connect, clientCookie: .valid, serverCookie: .none), retries: 1,
            request: "GET /down HTTP/1.1"
        ).line
        #expect(line == #"127.0.0.1:56842 [27/Nov/2026:04:21:50.028] fe_down be_down/s1 0/1002/-1/-1/1002 503 217 - - SCVN 1/1/0/0/1 0/0 "GET /down HTTP/1.1""#)
    }

    @Test func escapingAndTruncation() {
        #expect(HTTPLogRecord.encode("a\u{1}b\"#é".utf8, HTTPLogRecord.requestEscapes) == "a#01b#22#23#C3#A9")
        #expect(HTTPLogRecord.encode("{a|b}".utf8, HTTPLogRecord.headerEscapes) == "#7Ba#7Cb#7D")
        #expect(HTTPLogRecord.encode("{a|b}".utf8, HTTPLogRecord.requestEscapes) == "{a|b}")
        var record = Self.record(
            port: 1, date: (0, 0, 0, 0), frontend: "f", backend: "b", server: "s", times: (0, 0, 0, 0, 0), bytes: 0, termination: .normal,
            headers: (["x{y}"], nil), request: "GET /x" + String(repeating: "é", count: 600) + " HTTP/1.1"
        )
        let line = record.line
        #expect(line.contains(" {x#7By#7D} \"GET /x#C3#A9"))
        // 1023 bytes of request line: "GET /x", 508 two-byte characters and half of the next.
        #expect(line.hasSuffix(String(repeating: "#C3#A9", count: 508) + "#C3\""))
        record.requestLine = "GET / HTTP/1.1"
        record.counters.redispatched = true
        record.counters.retries = 3
        #expect(record.line.contains(" 1/1/0/0/+3 0/0 {x#7By#7D} \"GET / HTTP/1.1\""))
    }

    @Test func captures() {
        let request = RoutingFixtures.fields([
            "Host: 127.0.0.1:18105", "User-Agent: Mozilla/5.0 long", "Cookie: x=1; JSESSIONID=A~abc123", "Cookie: JSESSIONIDX=2", "X: 1", "x: 2",
        ])
        #expect(HTTPLogRecord.capture("host", length: 20, in: request) == "127.0.0.1:18105")
        #expect(HTTPLogRecord.capture("User-Agent", length: 5, in: request) == "Mozil")
        #expect(HTTPLogRecord.capture("x", length: 5, in: request) == "2")
        #expect(HTTPLogRecord.capture("missing", length: 5, in: request) == "")
        #expect(HTTPLogRecord.captureCookie(prefix: "JSESSIONID", length: 32, in: request, response: false) == "JSESSIONID=A~abc123")
        #expect(HTTPLogRecord.captureCookie(prefix: "JSESSIONID", length: 12, in: request, response: false) == "JSESSIONID=A")
        #expect(HTTPLogRecord.captureCookie(prefix: "nope", length: 12, in: request, response: false) == nil)
        let spaced = RoutingFixtures.fields(["Cookie: a = 1 ; b=2"])
        #expect(HTTPLogRecord.captureCookie(prefix: "a", length: 32, in: spaced, response: false) == "a=1")
        let response = RoutingFixtures.fields(["Set-Cookie: other=1; path=/", "Set-Cookie: JSESSIONID=new1; Path=/"])
        #expect(HTTPLogRecord.captureCookie(prefix: "JSESSIONID", length: 32, in: response, response: true) == "JSESSIONID=new1")
        #expect(HTTPLogRecord.captureCookie(prefix: "path", length: 32, in: response, response: true) == nil)
    }

    @Test func fourCharacterTerminationStates() {
        #expect(TerminationState.normal.httpDescription == "----")
        #expect(TerminationState(.local, .request).httpDescription == "LR--")
        #expect(TerminationState(.clientTimeout, .request, clientCookie: .none, serverCookie: .none).httpDescription == "cRNN")
        #expect(TerminationState(.none, .none, clientCookie: .invalid, serverCookie: .inserted).httpDescription == "--II")
        #expect(TerminationState(.none, .none, clientCookie: .valid, serverCookie: .deleted).description == "--")
    }
}
