import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Switches for the fault suite, from the environment.
enum FaultSettings {
    /// `USHER_FAULT_FULL=1`: the full sizes and durations (1 GiB transfers, a minute of flapping)
    /// instead of the suite's shorter ones.
    static let full = ProcessInfo.processInfo.environment["USHER_FAULT_FULL"] == "1"
}

/// The proxy under a fault: the built `usher` executable as its own process (so its memory and
/// descriptors can be read from /proc), or HAProxy 2.6 on the same configuration for comparison.
final class FaultProxy {
    let kind: ProxyKind
    let directory: ScratchDirectory
    private(set) var usher: UsherProcess?
    private(set) var haproxy: Process?

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `configuration` and waits until every port of `listening` accepts connections.
    /// `openFileLimit`: the process's open-file limit (soft and hard), set by prlimit(1).
    init(_ kind: ProxyKind = .usher, configuration: String, listening: [Int], openFileLimit: Int? = nil) throws {
        self.kind = kind
        directory = try ScratchDirectory()
        let file = try directory.write("proxy.cfg", configuration)
        switch kind {
        case .usher:
            if let openFileLimit {
                usher = try UsherProcess(["-db", "-f", file], openFileLimit: openFileLimit)
            } else {
                usher = try UsherProcess(["-db", "-f", file])
            }
        case .haproxy:
            haproxy = try ExternalProcess.start(["haproxy", "-db", "-f", file], logFile: directory.path + "/haproxy.log")
        }
        for port in listening where !waitUntilListening(port, timeout: 10) {
            throw Failure(description: "\(kind) is not listening on \(port): \(log)")
        }
    }

    var pid: Int32 { usher?.pid ?? haproxy?.processIdentifier ?? 0 }
    var isRunning: Bool { usher?.isRunning ?? haproxy?.isRunning ?? false }

    /// What the process printed (usher's stderr and stdout; HAProxy's log file).
    var log: String {
        if let usher { return usher.error + usher.output }
        return (try? String(contentsOfFile: directory.path + "/haproxy.log", encoding: .utf8)) ?? ""
    }

    var footprint: Footprint? { Footprint.of(pid) }

    /// The footprint once the connections of what came before (a warm-up's) have closed: read
    /// until the descriptor count has held still for 300 ms (at most 3 s).
    func quietFootprint() -> Footprint? {
        guard var last = footprint else { return nil }
        var still = 0
        let deadline = ContinuousClock.now + .seconds(3)
        while still < 6 && ContinuousClock.now < deadline {
            usleep(50_000)
            guard let now = footprint else { return nil }
            still = now.descriptors == last.descriptors ? still + 1 : 0
            last = now
        }
        return last
    }

    /// Waits (up to `timeout` seconds) until the footprint is back within `bound` of `baseline`;
    /// returns the last reading.
    func settle(baseline: Footprint, bound: FootprintBound, timeout: Double = 20) -> Footprint {
        var last = footprint ?? baseline
        _ = CommandLineTests.waitUntil(timeout: timeout) {
            guard let now = footprint else { return true }
            last = now
            return now.residentBytes <= baseline.residentBytes + bound.residentBytes
                && now.descriptors <= baseline.descriptors + bound.descriptors
        }
        return last
    }

    /// Runs `fault` with the footprint sampled throughout, then waits for it to return within
    /// `bound` of the baseline taken just before (after `warmUp`, which should serve a request or
    /// two so that what the first request allocates once is in the baseline). Expects usher to be
    /// running still and back within the bound; prints the figures.
    @discardableResult
    func measure(
        _ fault: String, bound: FootprintBound, settleTimeout: Double = 20, warmUp: () throws -> Void, during body: () throws -> Void
    ) throws -> FaultFigures {
        try warmUp()
        let baseline = try #require(quietFootprint(), "\(kind) is gone: \(log)")
        let sampler = FootprintSampler(pid: pid, start: baseline)
        do {
            try body()
        } catch {
            _ = sampler.stop()
            throw error
        }
        let after = settle(baseline: baseline, bound: bound, timeout: settleTimeout)
        let peak = sampler.stop()
        let figures = FaultFigures(fault: fault, baseline: baseline, peak: peak, after: after, bound: bound)
        print(figures)
        #expect(isRunning, "\(kind) survived the fault: \(log.suffix(2000))")
        #expect(figures.isWithinBound, "back to its baseline after the fault: \(figures)")
        return figures
    }

    func stop() {
        usher?.stop()
        if let haproxy, haproxy.isRunning {
            haproxy.terminate()
            haproxy.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// Configurations for the fault suite: a frontend whose `/fault…` requests go to the misbehaving
/// server and all others to a well-behaved one, so the two kinds of client share a listener.
enum FaultConfiguration {
    static func http(
        port: Int, faulty: String, good: String, timeouts: [String] = [], faultyServer: String = "", faultyBackend: [String] = [],
        global: [String] = []
    ) -> String {
        let timeoutLines = timeouts.isEmpty
            ? ["timeout connect 2s", "timeout client 10s", "timeout server 10s", "timeout http-request 5s"] : timeouts
        return (["global", "    maxconn 5000"] + global.map { "    " + $0 }
            + ["defaults", "    mode http", "    maxconn 5000"] + timeoutLines.map { "    " + $0 }
            + ["frontend fe", "    bind 127.0.0.1:\(port)", "    use_backend faulty if { path_beg /fault }", "    default_backend good"]
            + ["backend faulty"] + faultyBackend.map { "    " + $0 } + ["    server f1 \(faulty) \(faultyServer)"]
            + ["backend good", "    server g1 \(good)"]).joined(separator: "\n") + "\n"
    }

    /// Two TCP frontends: `port` to the misbehaving server, `goodPort` to a well-behaved one.
    static func tcp(port: Int, goodPort: Int, faulty: String, good: String, timeouts: [String] = [], global: [String] = []) -> String {
        let timeoutLines = timeouts.isEmpty ? ["timeout connect 2s", "timeout client 10s", "timeout server 10s"] : timeouts
        return (["global", "    maxconn 5000"] + global.map { "    " + $0 }
            + ["defaults", "    mode tcp", "    maxconn 5000"] + timeoutLines.map { "    " + $0 }
            + ["frontend fe", "    bind 127.0.0.1:\(port)", "    default_backend faulty"]
            + ["frontend good", "    bind 127.0.0.1:\(goodPort)", "    default_backend good"]
            + ["backend faulty", "    server f1 \(faulty)"]
            + ["backend good", "    server g1 \(good)"]).joined(separator: "\n") + "\n"
    }
}
