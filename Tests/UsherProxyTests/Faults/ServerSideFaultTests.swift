import Foundation
import NIOConcurrencyHelpers
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Servers that cannot be reached or will not stay up: a storm of connects to a server that
/// accepts nothing (each client gets a 503 once the retries are spent), and a server whose health
/// check flaps every 100 ms (every transition logged). The other backend serves throughout; usher's
/// memory and descriptors come back.
@Suite(.serialized)
final class ServerSideFaultTests {
    // MARK: - Connect-timeout storm

    @Test func connectTimeoutStorm() throws {
        let blackhole = try BlackholeListener()
        let good = try BulkHTTPOrigin(group: testGroup)
        defer { good.stop() }
        let port = freePort()
        let configuration = FaultConfiguration.http(
            port: port, faulty: blackhole.address, good: "127.0.0.1:\(good.port)",
            timeouts: ["timeout connect 300ms", "timeout client 30s", "timeout server 30s", "timeout http-request 5s", "retries 2"])
        let proxy = try FaultProxy(configuration: configuration, listening: [port])
        defer { proxy.stop() }
        let clients = 200
        var answers: [String: Int] = [:]
        try proxy.measure("connect-timeout storm ×\(clients)", bound: .few) {
            for _ in 0..<3 { try WellBehavedClient.download(port: port) }
        } during: {
            let others = ServedMeanwhile { try WellBehavedClient.download(port: port) }
            let results = concurrently(clients) { _ -> String in
                let client = try RawClient(port: port, timeout: 20)
                try client.send("GET /fault/storm HTTP/1.1\r\nHost: storm.test\r\n\r\n")
                let (bytes, ending) = client.receiveUntilEnd()
                return "\(String(decoding: bytes.prefix(12), as: UTF8.self)) then \(ending.rawValue)"
            }
            for result in results {
                switch result {
                case .success(let answer): answers[answer, default: 0] += 1
                case .failure(let error): answers["\(error)", default: 0] += 1
                }
            }
            let (served, failures) = others.stop()
            #expect(failures.isEmpty, "the other backend serves during the storm: \(failures.prefix(3))")
            #expect(served > 0)
        }
        print("connect-timeout storm: \(answers)")
        #expect(answers == ["HTTP/1.1 503 then closed": clients], "every client gets a 503 once the retries are spent")
    }

    // MARK: - Flapping health check

    /// A server that is up (accepting) and down (refusing) in turns of 100 ms.
    final class FlappingServer: Sendable {
        let port: Int
        private let running = NIOLockedValueBox(true)
        private let done = DispatchSemaphore(value: 0)

        init(period: Double = 0.1) throws {
            let port = freePort()
            self.port = port
            let running = self.running, done = self.done
            Thread.detachNewThread {
                while running.withLockedValue({ $0 }) {
                    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                    var one: Int32 = 1
                    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
                    var address = sockaddr_in()
                    address.sin_family = sa_family_t(AF_INET)
                    address.sin_port = in_port_t(UInt16(port).bigEndian)
                    address.sin_addr.s_addr = inet_addr("127.0.0.1")
                    _ = withUnsafePointer(to: &address) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                    }
                    listen(listener, 64)
                    // Up: accept (and close) whatever comes for one period.
                    let end = Date().addingTimeInterval(period)
                    while Date() < end {
                        var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                        if poll(&poller, 1, Int32(max(1, end.timeIntervalSinceNow * 1000))) > 0 {
                            let connection = accept(listener, nil, nil)
                            if connection >= 0 { close(connection) }
                        }
                    }
                    // Down: nothing listens, connects are refused.
                    close(listener)
                    Thread.sleep(forTimeInterval: period)
                }
                done.signal()
            }
        }

        var address: String { "127.0.0.1:\(port)" }

        func stop() {
            let wasRunning = running.withLockedValue { value -> Bool in
                let was = value
                value = false
                return was
            }
            guard wasRunning else { return }
            done.wait()
        }

        deinit { stop() }
    }

    @Test func healthCheckFlappingEvery100Milliseconds() throws {
        let seconds: Double = FaultSettings.full ? 60 : 10
        let syslog = try SyslogCollector(group: testGroup)
        defer { syslog.stop() }
        let flapping = try FlappingServer()
        defer { flapping.stop() }
        let good = try BulkHTTPOrigin(group: testGroup)
        defer { good.stop() }
        let port = freePort()
        var configuration = FaultConfiguration.http(
            port: port, faulty: flapping.address, good: "127.0.0.1:\(good.port)", faultyServer: "check inter 100ms fall 1 rise 1",
            global: ["log 127.0.0.1:\(syslog.port) local0"])
        // The healthy server is checked as often: it must never be seen down (three failed
        // checks in a row would mark it so).
        configuration = configuration.replacingOccurrences(of: "server g1 127.0.0.1:\(good.port)", with: "server g1 127.0.0.1:\(good.port) check inter 100ms fall 3 rise 1")
        // The frontend logs its requests: the warm-up's lines open the log socket (usher opens it
        // at the first line), so that it is in the baseline.
        configuration = configuration.replacingOccurrences(of: "frontend fe\n", with: "frontend fe\n    log global\n    option httplog\n")
        let proxy = try FaultProxy(configuration: configuration, listening: [port])
        defer { proxy.stop() }
        try proxy.measure("health check flapping every 100 ms for \(Int(seconds)) s", bound: .few) {
            for _ in 0..<3 { try WellBehavedClient.download(port: port) }
        } during: {
            let others = ServedMeanwhile { try WellBehavedClient.download(port: port) }
            Thread.sleep(forTimeInterval: seconds)
            let (served, failures) = others.stop()
            #expect(failures.isEmpty, "the healthy server serves throughout: \(failures.prefix(3))")
            #expect(served > 0)
            flapping.stop()
        }
        let lines = syslog.received
        let downs = lines.filter { $0.contains("Server faulty/f1 is DOWN") }.count
        let ups = lines.filter { $0.contains("Server faulty/f1 is UP") }.count
        print("flapping for \(Int(seconds)) s: \(downs) DOWN and \(ups) UP transitions logged")
        // One transition per 100–200 ms: at least a few per second.
        #expect(downs >= Int(seconds) && ups >= Int(seconds), "transitions logged: \(downs) DOWN, \(ups) UP")
        let healthy = lines.filter { $0.contains("Server good/g1 is") || $0.contains("backend good has no server") }
        #expect(healthy.isEmpty, "the healthy server never changes state: \(healthy.prefix(3))")
        #expect(lines.contains { $0.contains(" fe good/g1 ") }, "the requests to the healthy server are logged, as the warm-up expects")
    }
}
