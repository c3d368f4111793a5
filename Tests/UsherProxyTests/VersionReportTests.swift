import Foundation
import Testing

/// `usher -vv`: the version and the build's features in `haproxy -vv`'s layout, read the way
/// HAProxy's regression runner reads it.
@Suite struct VersionReportTests {
    /// The four lines the runner greps, after its `sed 's/.* [:=] //'`.
    static func runnerFields(_ output: String) -> [String] {
        output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { line in
            line.range(of: #"HA-?Proxy version|TARGET.*=|^Feature|^Available services"#, options: .regularExpression) != nil
        }.map { line in
            guard let separator = line.range(of: #".* [:=] "#, options: .regularExpression) else { return line }
            return String(line[separator.upperBound...])
        }
    }

    @Test func doubleVPrintsTheBuildReport() throws {
        let result = try UsherProcess.run(["-vv"])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first?.range(of: #"^usher version \d+\.\d+\.\d+ "#, options: .regularExpression) != nil, "\(result.output)")

        let fields = Self.runnerFields(result.output)
        #expect(fields.count == 4, "\(fields)")
        guard fields.count == 4 else { return }
        // The runner takes the third word of the version line and compares it as a version.
        #expect(fields[0].split(separator: " ")[2] == "2.6", "\(fields[0])")
        #expect(fields[1] == "linux-glibc")
        let features = " \(fields[2]) "
        for present in ["EPOLL", "THREAD", "GETADDRINFO", "UNIX_SOCKETS", "ABNS", "SWIFTNIO", "OPENSSL"] {
            #expect(features.contains(" +\(present) "), "\(present): \(features)")
        }
        // Nothing usher lacks is claimed: no Lua, no PCRE, no splice (+OPENSSL: it has TLS).
        for absent in ["LUA", "PCRE2", "LINUX_SPLICE", "TPROXY"] {
            #expect(features.contains(" -\(absent) "), "\(absent): \(features)")
        }
        let names = fields[2].split(separator: " ").map { $0.dropFirst() }
        #expect(names == names.sorted(), "sorted as HAProxy sorts them")
        #expect(fields[3] == "none" || fields[3].contains("prometheus-exporter"))
        #expect(features.contains(" +PROMEX ") == fields[3].contains("prometheus-exporter"))

        for section in ["Build options :", "Default settings :", "Available polling systems :", "Available multiplexer protocols :"] {
            #expect(result.output.contains("\n\(section)\n"), "\(section)")
        }
        #expect(result.output.contains("Running on: Linux "))
    }

    /// `-v` stays one line; `-v -v` is `-vv`.
    @Test func singleVIsOneLine() throws {
        let single = try UsherProcess.run(["-v"])
        #expect(single.output.split(separator: "\n").count == 1)
        let twice = try UsherProcess.run(["-v", "-v"])
        #expect(twice.output.contains("Feature list : "))
    }
}
