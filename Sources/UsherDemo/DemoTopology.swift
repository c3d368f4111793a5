import Foundation
import Logging
import NIOCore
import NIOPosix
import UsherConfig
import UsherProxy

/// The seed's setup, whole, in one process: the stand-in web server (HTTP and TLS), a stand-in
/// pump.io (TLS with a WebSocket echo), and usher in front with the seed's configuration.
public final class DemoTopology {
    public static let pumpName = "pump2.thisshitistemp.com"
    public static let webName = "www.example.test"

    public let ports: SeedConfiguration.Ports
    public let configurationText: String
    private let group: MultiThreadedEventLoopGroup
    private var services: [StandInService] = []
    private var server: UsherServer?
    public private(set) var certificateDirectory: String = ""

    public init(ports: SeedConfiguration.Ports) {
        self.ports = ports
        self.configurationText = SeedConfiguration.demo(ports: ports)
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    }

    /// Starts the stand-ins and usher. Throws with a readable message if a port is taken or the
    /// configuration is refused.
    public func start(logger: Logger) throws {
        let pumpCertificate = try SelfSignedCertificate(names: [Self.pumpName])
        let webCertificate = try SelfSignedCertificate(names: [Self.webName, "localhost"])
        let directory = NSTemporaryDirectory() + "usher-demo-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try pumpCertificate.writeCertificate(to: directory + "/pump.pem")
        try webCertificate.writeCertificate(to: directory + "/web.pem")
        certificateDirectory = directory

        services.append(try StandInService.start(name: "the web server (stand-in for lighttpd, plain HTTP)", port: ports.webServer, group: group))
        services.append(try StandInService.start(
            name: "the web server's TLS site (stand-in for lighttpd on its TLS port)", port: ports.webServerTLS,
            tls: try webCertificate.serverTLSConfiguration(), group: group
        ))
        services.append(try StandInService.start(
            name: "pump.io (stand-in, with a WebSocket echo)", port: ports.pumpIO,
            tls: try pumpCertificate.serverTLSConfiguration(), webSocketEcho: true, group: group
        ))

        let loaded = ConfigurationLoader().compile([.init(name: "demo.cfg", text: configurationText)])
        for diagnostic in loaded.diagnostics {
            logger.debug("\(diagnostic.description)")
        }
        guard let table = loaded.table else {
            throw DemoError(message: loaded.alerts.map(\.description).joined(separator: "\n"))
        }
        let server = try UsherServer(table: table, logger: logger)
        try server.start()
        self.server = server
    }

    /// What to type to see it work.
    public var instructions: String {
        let c = certificateDirectory
        return """
            usher is running the seed's configuration (see it with: usher demo --print-config).
              :\(ports.http)\(padding(ports.http, ports.https)) -> plain HTTP, proxied to the web server (127.0.0.1:\(ports.webServer))
              :\(ports.https)\(padding(ports.https, ports.http)) -> TLS, routed by SNI without decryption:
                   \(Self.pumpName) -> pump.io (127.0.0.1:\(ports.pumpIO)), anything else -> the web server's TLS port (127.0.0.1:\(ports.webServerTLS))

            Try, in another terminal:
              # TLS for pump.io's name reaches pump.io; the certificate is pump.io's own, usher never decrypts:
              curl --cacert \(c)/pump.pem --resolve \(Self.pumpName):\(ports.https):127.0.0.1 https://\(Self.pumpName):\(ports.https)/
              # any other name goes to the web server's TLS site:
              curl --cacert \(c)/web.pem --resolve \(Self.webName):\(ports.https):127.0.0.1 https://\(Self.webName):\(ports.https)/
              # see which certificate answers for a name (the subject line):
              openssl s_client -connect 127.0.0.1:\(ports.https) -servername \(Self.pumpName) </dev/null 2>/dev/null | grep subject
              openssl s_client -connect 127.0.0.1:\(ports.https) -servername other.example </dev/null 2>/dev/null | grep subject
              # plain HTTP on the first port:
              curl http://127.0.0.1:\(ports.http)/

            Each TLS connection is logged below in HAProxy's tcplog format. Stop with Ctrl-C.
            """
    }

    /// Spaces that line up two port numbers of different widths.
    private func padding(_ port: Int, _ other: Int) -> String {
        String(repeating: " ", count: max(0, String(other).count - String(port).count))
    }

    public func stop() {
        server?.shutdown()
        for service in services { service.stop() }
        try? group.syncShutdownGracefully()
        if !certificateDirectory.isEmpty { try? FileManager.default.removeItem(atPath: certificateDirectory) }
    }
}

public struct DemoError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
