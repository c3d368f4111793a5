import Testing
@testable import UsherRouting

/// `%ft`: HAProxy marks a frontend reached over TLS with a `~` after its name (`fe1~`), in the
/// httplog line and wherever a log format says `%ft`; `%f` stays the bare name.
struct TransportFrontendLogTests {
    func record(overTLS: Bool) -> HTTPLogRecord {
        var record = HTTPLogRecord(
            clientAddress: "127.0.0.1", clientPort: 4000, requestDate: LogTimestamp(year: 2026, month: 12, day: 2, hour: 12, minute: 0, second: 0), frontend: "fe1", backend: "be1",
            server: "srv1", requestTime: 0, queueTime: 0, connectTime: 0, responseTime: 0, activeTime: 1, status: 200, bytesToClient: 57,
            termination: .normal,
            counters: SessionCounters(
                activeConnections: 1, frontendConnections: 1, backendConnections: 0, serverConnections: 0, retries: 0,
                redispatched: false, serverQueue: 0, backendQueue: 0),
            requestLine: "OPTIONS * HTTP/1.1")
        record.overTLS = overTLS
        return record
    }

    @Test func httplogLineMarksTLS() {
        #expect(record(overTLS: true).line.contains("] fe1~ be1/srv1 "), "\(record(overTLS: true).line)")
        #expect(record(overTLS: false).line.contains("] fe1 be1/srv1 "), "\(record(overTLS: false).line)")
    }

    @Test func transportFrontendAndPlainName() {
        #expect(record(overTLS: true).transportFrontend == "fe1~")
        #expect(record(overTLS: true).frontend == "fe1")
        #expect(record(overTLS: false).transportFrontend == "fe1")
    }
}
