import Logging
import NIOCore
import NIOPosix
import UsherConfig
import UsherProxy

/// usher running in the test process from configuration text.
final class UsherUnderTest {
    let server: UsherServer
    let diagnostics: [Diagnostic]

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(_ configuration: String, group: EventLoopGroup? = nil) throws {
        let loaded = ConfigurationLoader(environment: [:]).compile([.init(name: "test.cfg", text: configuration)])
        guard let table = loaded.table else {
            throw Failure(description: "configuration refused:\n" + loaded.alerts.map(\.description).joined(separator: "\n"))
        }
        diagnostics = loaded.diagnostics
        var logger = Logger(label: "usher-test")
        logger.logLevel = .critical
        server = try UsherServer(table: table, logger: logger, group: group)
        try server.start()
    }

    /// The port a frontend listens on (its first bind).
    func port(_ frontend: String) -> Int {
        server.boundAddresses(frontend: frontend).first?.port ?? 0
    }

    func stop() {
        server.shutdown()
    }

    deinit {
        server.shutdown()
    }
}

/// One event loop group for the in-process peers of all tests.
let testGroup = MultiThreadedEventLoopGroup(numberOfThreads: 2)
