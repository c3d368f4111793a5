import ArgumentParser
import Dispatch
import Foundation
import Logging
import UsherDemo

#if canImport(Glibc)
import Glibc
#endif

/// `usher demo`: the seed's topology on unprivileged ports with stand-in services.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the seed's setup (pump.io and a web server sharing ports 80 and 443) on local ports, with stand-in services."
    )

    @Flag(help: "Print the configuration the demo runs and exit.")
    var printConfig = false

    @Option(help: "The port standing in for :80.")
    var httpPort = 8080

    @Option(help: "The port standing in for :443.")
    var httpsPort = 8443

    @Option(help: "Stop after this many seconds (default: run until Ctrl-C).")
    var seconds: Int?

    func run() throws {
        var ports = SeedConfiguration.Ports()
        ports.http = httpPort
        ports.https = httpsPort
        let topology = DemoTopology(ports: ports)
        if printConfig {
            print(topology.configurationText)
            return
        }
        var logger = Logger(label: "usher")
        logger.logLevel = .notice
        do {
            try topology.start(logger: logger)
        } catch {
            topology.stop()
            FileHandle.standardError.write(Data("[ALERT] the demo could not start: \(error)\n".utf8))
            throw ExitCode(1)
        }
        FileHandle.standardOutput.write(Data((topology.instructions + "\n").utf8))
        let waiter = SignalWaiter()
        if let seconds { waiter.stop(after: .seconds(seconds)) }
        waiter.wait()
        topology.stop()
    }
}
