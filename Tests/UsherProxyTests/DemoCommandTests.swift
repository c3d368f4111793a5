import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `usher demo` as a newcomer meets it: the configuration it prints is the seed's and passes
/// `usher -c`; the commands its instructions print work as they say; it stops by itself after
/// `--seconds`.
@Suite(.serialized)
struct DemoCommandTests {
    /// The ports the demo's stand-in services always use (the seed's server addresses).
    static let standInPorts = [8000, 8001, 31337]

    /// Whether nothing listens on 127.0.0.1:`port`, so the demo can bind it.
    static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static var standInPortsFree: Bool { standInPorts.allSatisfy(canBind) }

    @Test func printConfigShowsTheSeedWithPortsRemapped() throws {
        let result = try UsherProcess.run(["demo", "--print-config", "--http-port", "18080", "--https-port", "18443"])
        #expect(result.status == 0, "\(result.error)")
        let text = result.output
        #expect(text.contains("frontend http-in 127.0.0.1:18080\n"), "\(text)")
        #expect(text.contains("frontend https-in 127.0.0.1:"), "\(text)")
        #expect(text.contains("frontend https-in 127.0.0.1:18443\n"), "\(text)")
        #expect(text.contains("    use_backend pumpio-ssl if { req_ssl_sni -i pump2.thisshitistemp.com }\n"))
        #expect(text.contains("    tcp-request content accept if { req_ssl_hello_type 1 }\n"))
        #expect(text.contains("server pump 127.0.0.1:31337 weight 0"))
        #expect(!text.contains("*:80") && !text.contains("*:443"), "the seed's privileged ports are left in")

        // Line for line the seed's file: process settings are commented out, not removed, so a
        // FILE:LINE in the demo's configuration is the same line in the seed.
        let seed = try String(contentsOfFile: RepositoryPaths.seedConfiguration, encoding: .utf8)
        let seedLines = seed.split(separator: "\n", omittingEmptySubsequences: false)
        let demoLines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(demoLines.count >= seedLines.count - 1 && demoLines.count <= seedLines.count + 2, "\(demoLines.count) lines for the seed's \(seedLines.count)")
        for setting in ["daemon", "chroot /usr/share/haproxy", "user haproxy", "group haproxy", "pidfile /run/haproxy.pid"] {
            #expect(!demoLines.contains { $0.trimmingCharacters(in: .whitespaces) == setting }, "'\(setting)' is active in the demo")
        }

        // What it prints is a configuration usher accepts, with the seed's warnings on the seed's lines.
        let directory = try ScratchDirectory()
        let file = try directory.write("demo.cfg", text)
        let check = try UsherProcess.run(["-c", "-f", file])
        #expect(check.status == 0, "\(check.error)")
        #expect(check.output == "Configuration file is valid\n")
        #expect(check.alertLines.isEmpty, "\(check.error)")
        #expect(check.warningLines.contains { $0.hasPrefix("[WARNING] \(file):25: ") && $0.contains("'frontend http-in 127.0.0.1:18080' is HAProxy 1.x syntax") }, "\(check.error)")
        #expect(check.warningLines.contains { $0.hasPrefix("[WARNING] \(file):28: ") && $0.contains("HAProxy 1.x syntax") }, "\(check.error)")
    }

    @Test(
        .enabled(if: ExternalProcess.required("curl") && ExternalProcess.required("openssl"), "needs curl and openssl"),
        .enabled(if: DemoCommandTests.standInPortsFree, "skipped: the demo's stand-ins need 127.0.0.1 ports 8000, 8001 and 31337, and one of them is taken")
    )
    func theInstructionsWorkAndTheDemoStopsAfterItsSeconds() throws {
        let httpPort = freePort()
        var httpsPort = freePort()
        while httpsPort == httpPort { httpsPort = freePort() }
        let seconds = 8
        let started = ContinuousClock.now
        let demo = try UsherProcess(["demo", "--http-port", "\(httpPort)", "--https-port", "\(httpsPort)", "--seconds", "\(seconds)"])
        defer { demo.stop() }

        try #require(demo.waitForOutput("Stop with Ctrl-C.", timeout: 30), "no instructions: \(demo.output)\n\(demo.error)")
        let instructions = demo.output
        #expect(instructions.contains(":\(httpPort)") && instructions.contains(":\(httpsPort)"), "\(instructions)")

        // The commands, as a user would copy them from the instructions.
        let commands = instructions.split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("curl ") || $0.hasPrefix("openssl ") }
        #expect(commands.filter { $0.hasPrefix("curl ") }.count == 3, "\(commands)")
        #expect(commands.filter { $0.hasPrefix("openssl ") }.count == 2, "\(commands)")

        var certificateFiles: [String] = []
        var seen: [String: String] = [:]
        for command in commands {
            let result = try ExternalProcess.run(["sh", "-c", command], timeout: 10)
            let answer = result.output
            if let range = command.range(of: #"--cacert \S+"#, options: .regularExpression) {
                certificateFiles.append(String(command[range].dropFirst("--cacert ".count)))
            }
            if command.hasPrefix("curl ") && command.contains("https://pump2.thisshitistemp.com:\(httpsPort)") {
                seen["pump"] = answer
                #expect(answer.contains("Hello from pump.io"), "\(command)\n\(answer)\n\(result.error)")
            } else if command.hasPrefix("curl ") && command.contains("https://") {
                seen["web TLS"] = answer
                #expect(command.contains(":\(httpsPort)"), "\(command)")
                #expect(answer.contains("Hello from the web server's TLS site"), "\(command)\n\(answer)\n\(result.error)")
            } else if command.hasPrefix("curl ") {
                seen["http"] = answer
                #expect(command.contains("http://127.0.0.1:\(httpPort)"), "\(command)")
                #expect(answer.contains("Hello from the web server (stand-in for lighttpd, plain HTTP)"), "\(command)\n\(answer)\n\(result.error)")
            } else if command.contains("-servername pump2.thisshitistemp.com") {
                seen["pump subject"] = answer
                #expect(answer.contains("CN = pump2.thisshitistemp.com"), "\(command)\n\(answer)")
            } else {
                seen["other subject"] = answer
                #expect(command.contains("127.0.0.1:\(httpsPort)"), "\(command)")
                #expect(answer.contains("CN = www.example.test"), "\(command)\n\(answer)")
            }
        }
        #expect(Set(seen.keys) == ["pump", "web TLS", "http", "pump subject", "other subject"], "\(commands)")
        #expect(certificateFiles.count == 2)

        // It stops by itself: not before its seconds, and soon after.
        let status = demo.waitForExit(timeout: Double(seconds) + 20)
        let elapsed = ContinuousClock.now - started
        #expect(status == 0, "\(String(describing: status)): \(demo.error)")
        #expect(elapsed >= .seconds(seconds), "stopped after \(elapsed)")
        #expect(elapsed < .seconds(seconds + 15), "stopped after \(elapsed)")
        #expect(!CommandLineTests.isAccepting(httpPort) && !CommandLineTests.isAccepting(httpsPort), "still listening after the exit")
        #expect(Self.standInPortsFree, "a stand-in outlived the demo")
        for file in certificateFiles {
            #expect(!FileManager.default.fileExists(atPath: file), "\(file) is left behind")
        }
    }

    @Test(.enabled(if: DemoCommandTests.standInPortsFree, "skipped: the demo's stand-ins need 127.0.0.1 ports 8000, 8001 and 31337, and one of them is taken"))
    func demoRefusesAPortThatIsTaken() throws {
        // The https port is held by the test.
        let holder = try TCPBackend(name: "holder", behaviour: .announce, group: testGroup)
        defer { holder.stop() }
        let result = try UsherProcess.run(["demo", "--http-port", "\(freePort())", "--https-port", "\(holder.port)", "--seconds", "5"])
        #expect(result.status == 1)
        #expect(result.error.contains("[ALERT] the demo could not start"), "\(result.error)")
        #expect(result.error.contains("\(holder.port)"), "\(result.error)")
    }
}
