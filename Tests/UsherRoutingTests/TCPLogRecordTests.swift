import Testing
@testable import UsherRouting

/// Lines from docs/haproxy-reference-observations.md §2, printed by HAProxy 2.6.
@Suite("tcplog line")
struct TCPLogRecordTests {
    static let acceptDate = LogTimestamp(year: 2026, month: 11, day: 27, hour: 1, minute: 23, second: 54, millisecond: 452)

    static func record(
        port: Int = 41830, date: LogTimestamp = acceptDate, backend: String = "pumpio-ssl", server: String = "pump",
        times: (Int, Int, Int) = (1, 0, 7), bytes: Int = 1901, termination: TerminationState = .normal,
        counts: (Int, Int, Int, Int) = (1, 1, 0, 0), retries: Int = 0, redispatched: Bool = false
    ) -> TCPLogRecord {
        TCPLogRecord(
            clientAddress: "127.0.0.1", clientPort: port, acceptDate: date, frontend: "https-in", backend: backend, server: server,
            queueTime: times.0, connectTime: times.1, totalTime: times.2, bytesToClient: bytes, termination: termination,
            activeConnections: counts.0, frontendConnections: counts.1, backendConnections: counts.2, serverConnections: counts.3,
            retries: retries, redispatched: redispatched, serverQueue: 0, backendQueue: 0
        )
    }

    @Test func sniRoutedConnection() {
        #expect(Self.record().line == "127.0.0.1:41830 [27/Nov/2026:01:23:54.452] https-in pumpio-ssl/pump 1/0/7 1901 -- 1/1/0/0/0 0/0")
    }

    @Test func defaultBackend() {
        let date = LogTimestamp(year: 2026, month: 11, day: 27, hour: 1, minute: 23, second: 57, millisecond: 728)
        let line = Self.record(port: 58704, date: date, backend: "servers-ssl", server: "server-ssl1").line
        #expect(line == "127.0.0.1:58704 [27/Nov/2026:01:23:57.728] https-in servers-ssl/server-ssl1 1/0/7 1901 -- 1/1/0/0/0 0/0")
    }

    @Test func serverDownNoServer() {
        let date = LogTimestamp(year: 2026, month: 11, day: 27, hour: 1, minute: 24, second: 11, millisecond: 531)
        let line = Self.record(
            port: 56726, date: date, backend: "servers-ssl", server: "<NOSRV>", times: (-1, -1, 0), bytes: 0,
            termination: TerminationState(.serverAbort, .connect)
        ).line
        #expect(line == "127.0.0.1:56726 [27/Nov/2026:01:24:11.531] https-in servers-ssl/<NOSRV> -1/-1/0 0 SC 1/1/0/0/0 0/0")
    }

    @Test func retriesWithRedispatch() {
        let date = LogTimestamp(year: 2026, month: 11, day: 27, hour: 1, minute: 24, second: 15, millisecond: 770)
        let line = Self.record(
            port: 56728, date: date, server: "<NOSRV>", times: (1, -1, 3006), bytes: 0,
            termination: TerminationState(.serverAbort, .connect), retries: 3, redispatched: true
        ).line
        #expect(line == "127.0.0.1:56728 [27/Nov/2026:01:24:15.770] https-in pumpio-ssl/<NOSRV> 1/-1/3006 0 SC 1/1/0/0/+3 0/0")
    }

    @Test func retriesWithoutRedispatch() {
        #expect(Self.record(retries: 2).line.hasSuffix(" 1/1/0/0/2 0/0"))
    }

    @Test func idleClientThenClose() {
        let date = LogTimestamp(year: 2026, month: 11, day: 27, hour: 1, minute: 24, second: 59, millisecond: 32)
        let line = Self.record(port: 59214, date: date, backend: "servers-ssl", server: "server-ssl1", times: (5003, 0, 12019), bytes: 7).line
        #expect(line == "127.0.0.1:59214 [27/Nov/2026:01:24:59.032] https-in servers-ssl/server-ssl1 5003/0/12019 7 -- 1/1/0/0/0 0/0")
    }

    @Test func acceptDatePadsEveryField() {
        let date = LogTimestamp(year: 2026, month: 1, day: 5, hour: 0, minute: 7, second: 9, millisecond: 3)
        #expect(date.acceptDateText == "05/Jan/2026:00:07:09.003")
    }

    @Test func terminationStates() {
        #expect(TerminationState.normal.description == "--")
        #expect(TerminationState(.clientTimeout, .request).description == "cR")
        #expect(TerminationState(.clientAbort, .data).description == "CD")
        #expect(TerminationState(.proxy, .request).description == "PR")
        #expect(TerminationState(.serverTimeout, .data).description == "sD")
    }
}
