import Foundation
import Testing

/// `slowstart`: a server back from maintenance (or brought up by its check) works up to its weight over the period, in
/// usher as in HAProxy 2.6 — read in `show stat`: `throttle` (the share in force, percent),
/// `weight` (reduced) and `uweight` (the configured one). Not at start: only a server seen down.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct SlowStartTests {
    @Test func weightGrowsAfterTheServerComesBack() throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this test")
        let directory = TemporaryDirectory()
        for kind in DifferentialSettings.kinds {
            let socket = "\(directory.path)/\(kind.rawValue).sock"
            let run = try ProxyRun(kind, template: """
                global
                    stats socket \(socket) level admin
                defaults
                    mode http
                    timeout connect 2s
                    timeout client 5s
                    timeout server 5s
                frontend fe
                    bind 127.0.0.1:{{PORT}}
                    default_backend be
                backend be
                    server s1 {{ORIGIN0}} weight 100 slowstart 20s check inter 200ms
                    server s2 {{ORIGIN1}} weight 100
                """, replies: [.ok])
            defer { run.stop() }
            // The runtime API's socket is bound after the listeners.
            for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) { usleep(10_000) }
            func row(_ server: String) throws -> [String: String] {
                let table = StatsTestSupport.CSV(try RuntimeAPIClient.ask(socket, "show stat"))
                return try #require(table["be/\(server)"], "\(kind)")
            }
            #expect(try row("s1")["throttle"] == "", "\(kind): no slow start at start")
            #expect(try row("s1")["weight"] == "100", "\(kind)")
            _ = try RuntimeAPIClient.ask(socket, "set server be/s1 state maint")
            _ = try RuntimeAPIClient.ask(socket, "set server be/s1 state ready")
            Thread.sleep(forTimeInterval: 0.6)
            let s1 = try row("s1")
            let throttle = Int(s1["throttle"] ?? "") ?? -1
            let weight = Int(s1["weight"] ?? "") ?? -1
            #expect((1...20).contains(throttle), "\(kind): \(s1)")
            #expect((1...25).contains(weight), "\(kind): \(s1)")
            #expect(s1["uweight"] == "100", "\(kind): \(s1)")
            #expect(try row("s2")["throttle"] == "", "\(kind)")
        }
    }
}
