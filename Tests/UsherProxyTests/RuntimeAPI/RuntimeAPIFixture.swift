import Foundation
import NIOCore

/// usher with two HTTP origins behind `fe_main`/`be_app`, one TCP backend behind `fe_tcp`, and three
/// runtime API sockets: `admin.sock` (admin), `user.sock` (user), and TCP `apiPort` (operator).
final class RuntimeAPIFixture {
    let directory = TemporaryDirectory()
    let s1: RecordingOrigin
    let s2: RecordingOrigin
    let usher: UsherUnderTest
    let apiPort = freePort()

    var admin: String { directory.path + "/admin.sock" }
    var user: String { directory.path + "/user.sock" }
    var httpPort: Int { usher.port("fe_main") }
    var tcpPort: Int { usher.port("fe_tcp") }

    /// `global` lines go in the global section, `serverOptions` on be_app's server lines, `extra`
    /// sections at the end.
    init(global: String = "", serverOptions: String = "", extra: String = "") throws {
        s1 = try RecordingOrigin(name: "s1")
        s2 = try RecordingOrigin(name: "s2")
        let configuration = """
            global
                stats socket \(directory.path)/admin.sock mode 600 level admin
                stats socket \(directory.path)/user.sock level user
                stats socket ipv4@127.0.0.1:\(apiPort) level operator
            \(global)
            defaults
                mode http
                timeout connect 2s
                timeout client 10s
                timeout server 10s

            frontend fe_main
                bind 127.0.0.1:0
                default_backend be_app

            backend be_app
                balance roundrobin
                server s1 \(s1.address) \(serverOptions)
                server s2 \(s2.address) \(serverOptions)

            frontend fe_tcp
                mode tcp
                bind 127.0.0.1:0
                default_backend be_tcp

            backend be_tcp
                mode tcp
                server t1 \(s1.address)
            \(extra)
            """
        usher = try UsherUnderTest(configuration)
    }

    func ask(_ command: String) throws -> String {
        try RuntimeAPIClient.ask(admin, command)
    }

    /// The `show stat` row `proxy/service`.
    func stat(_ key: String) throws -> [String: String] {
        statTable(try ask("show stat"))[key] ?? [:]
    }

    func stop() {
        usher.stop()
        s1.stop()
        s2.stop()
        directory.remove()
    }
}
