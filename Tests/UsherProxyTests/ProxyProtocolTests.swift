import Foundation
import Testing

/// `send-proxy-v2` and `send-proxy` tell the server the client's real address, checked by a real
/// PROXY-protocol reader: nginx's `listen … proxy_protocol`. `accept-proxy` reads such a header.
@Suite(.serialized, .enabled(if: ExternalProcess.required("nginx")))
final class ProxyProtocolTests {
    let directory: String
    let nginxPort: Int
    let nginx: Process

    init() throws {
        directory = NSTemporaryDirectory() + "usher-nginx-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        nginxPort = freePort()
        let configuration = """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path \(directory)/body;
                proxy_temp_path \(directory)/proxy;
                fastcgi_temp_path \(directory)/fastcgi;
                uwsgi_temp_path \(directory)/uwsgi;
                scgi_temp_path \(directory)/scgi;
                server {
                    listen 127.0.0.1:\(nginxPort) proxy_protocol;
                    location / { return 200 "client=$proxy_protocol_addr:$proxy_protocol_port server=$proxy_protocol_server_addr:$proxy_protocol_server_port\\n"; }
                }
            }
            """
        try configuration.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        nginx = try ExternalProcess.start(["nginx", "-c", directory + "/nginx.conf", "-e", directory + "/error.log"])
        guard waitUntilListening(nginxPort) else {
            throw UsherUnderTest.Failure(description: "nginx did not start: \((try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? "")")
        }
    }

    deinit {
        // nginx started from the test process ignores SIGTERM (it inherits a blocked signal mask).
        kill(nginx.processIdentifier, SIGKILL)
        nginx.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func configuration(serverOption: String) -> String {
        """
        defaults
            mode tcp
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:0
            default_backend app
        backend app
            server nginx 127.0.0.1:\(nginxPort) \(serverOption)
        """
    }

    /// curl through usher; returns nginx's answer and curl's own local port.
    func fetch(port: Int) throws -> (body: String, clientPort: String) {
        let result = try ExternalProcess.run(["curl", "-sS", "--max-time", "10", "-w", "\\n%{local_port}", "http://127.0.0.1:\(port)/"])
        #expect(result.status == 0, "curl: \(result.error)")
        let lines = result.output.split(separator: "\n")
        return (String(lines.first ?? ""), String(lines.last ?? ""))
    }

    @Test(arguments: ["send-proxy-v2", "send-proxy"])
    func serverLearnsTheClientsAddress(option: String) throws {
        let usher = try UsherUnderTest(configuration(serverOption: option))
        defer { usher.stop() }
        let port = usher.port("fe")
        let (body, clientPort) = try fetch(port: port)
        #expect(body == "client=127.0.0.1:\(clientPort) server=127.0.0.1:\(port)", "nginx read: \(body)")
    }

    @Test func acceptProxyReadsTheHeaderAndPassesTheOriginalClientOn() throws {
        // usher A adds a v2 header; usher B reads it (accept-proxy) and passes the same client on in v1.
        let inner = try UsherUnderTest("""
            defaults
                mode tcp
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:0 accept-proxy
                default_backend app
            backend app
                server nginx 127.0.0.1:\(nginxPort) send-proxy
            """)
        defer { inner.stop() }
        let outer = try UsherUnderTest(configuration(serverOption: "send-proxy-v2").replacingOccurrences(of: "127.0.0.1:\(nginxPort)", with: "127.0.0.1:\(inner.port("fe"))"))
        defer { outer.stop() }
        let (body, clientPort) = try fetch(port: outer.port("fe"))
        #expect(body == "client=127.0.0.1:\(clientPort) server=127.0.0.1:\(outer.port("fe"))", "nginx read: \(body)")
    }

    @Test func acceptProxyRefusesAConnectionWithoutHeader() throws {
        let usher = try UsherUnderTest("""
            defaults
                mode tcp
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:0 accept-proxy
                default_backend app
            backend app
                server nginx 127.0.0.1:\(nginxPort)
            """)
        defer { usher.stop() }
        let client = try RawClient(port: usher.port("fe"))
        try client.send("GET / HTTP/1.0\r\n\r\n")
        #expect(client.isClosedByPeer(within: 2))
    }
}
