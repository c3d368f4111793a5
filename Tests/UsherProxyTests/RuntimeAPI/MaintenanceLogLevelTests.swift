import Foundation
import Testing

/// The log lines of `disable server` / `enable server` and the syslog level of each, as HAProxy
/// 2.6 sends them (its health-check reg-test waits for "going DOWN for maintenance" at `alert`,
/// then "has no server available!" at `emerg`): compared with HAProxy itself.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct MaintenanceLogLevelTests {
    @Test func levelsOfMaintenanceMessages() async throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this test")
        let directory = TemporaryDirectory()
        for kind in DifferentialSettings.kinds {
            let syslog = try SyslogCollector(group: testGroup)
            defer { syslog.stop() }
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
                    log 127.0.0.1:\(syslog.port) local0
                    server s1 {{ORIGIN0}}
                """, replies: [.ok])
            defer { run.stop() }
            for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) { usleep(10_000) }
            _ = try RuntimeAPIClient.ask(socket, "disable server be/s1")
            let down = try await syslog.waitFor("is going DOWN for maintenance")
            let none = try await syslog.waitFor("has no server available!")
            _ = try RuntimeAPIClient.ask(socket, "enable server be/s1")
            let up = try await syslog.waitFor("leaving forced maintenance")
            // local0 (16 × 8) plus the severity: alert 1, emerg 0, notice 5.
            #expect(down?.hasPrefix("<129>") == true, "\(kind): \(down ?? "none")")
            #expect(none?.hasPrefix("<128>") == true, "\(kind): \(none ?? "none")")
            #expect(up?.hasPrefix("<133>") == true, "\(kind): \(up ?? "none")")
        }
    }
}
