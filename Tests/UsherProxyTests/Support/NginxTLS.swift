import Foundation

/// A real nginx (Debian's package) serving HTTPS on a free port of 127.0.0.1 with certificates
/// made by `openssl req -x509` for the test: `app.test` (the default server) and `other.test`, each
/// self-signed and so its own CA. Each answers `server=NAME sni=SNI host=HOST` and logs the SNI it
/// received; a `clientCertificate` port also asks for a client certificate signed by
/// `clientCA`, and a plain-HTTP port answers the same, unencrypted.
final class NginxTLS {
    let directory: ScratchDirectory
    /// HTTPS, `app.test` by default, `other.test` by SNI.
    let port: Int
    /// HTTPS that requires a client certificate (`client.pem` has one, with its key).
    let clientCertificatePort: Int
    /// Plain HTTP.
    let plainPort: Int
    private let process: Process

    static var isInstalled: Bool { ExternalProcess.exists("nginx") && ExternalProcess.exists("openssl") }

    /// `NAME.crt`, `NAME.key` and `NAME.pem` (both) for a self-signed certificate of `names`.
    static func makeCertificate(_ name: String, names: [String], in directory: ScratchDirectory) throws {
        let path = directory.path + "/" + name
        let san = names.map { "DNS:\($0)" }.joined(separator: ",")
        let result = try ExternalProcess.run([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", path + ".key", "-out", path + ".crt", "-days", "2", "-subj", "/CN=\(names[0])", "-addext", "subjectAltName=\(san)",
        ])
        guard result.status == 0 else { throw UsherUnderTest.Failure(description: "openssl req: \(result.error)") }
        let pem = try String(contentsOfFile: path + ".crt", encoding: .utf8) + String(contentsOfFile: path + ".key", encoding: .utf8)
        _ = try directory.write(name + ".pem", pem)
    }

    init() throws {
        directory = try ScratchDirectory()
        for (name, names) in [("app", ["app.test", "*.app.test"]), ("other", ["other.test"]), ("client", ["client.test"]), ("stranger", ["app.test"])] {
            try Self.makeCertificate(name, names: names, in: directory)
        }
        port = freePort()
        clientCertificatePort = freePort()
        plainPort = freePort()
        let d = directory.path
        func server(_ listen: String, name: String, certificate: String, extra: String = "") -> String {
            """
                server {
                    listen \(listen);
                    server_name \(name);
                    ssl_certificate \(d)/\(certificate).crt;
                    ssl_certificate_key \(d)/\(certificate).key;
                    \(extra)
                    location / { return 200 "server=\(certificate) sni=$ssl_server_name host=$http_host client=$ssl_client_s_dn\\n"; }
                }
            """
        }
        let configuration = """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(d)/nginx.pid;
            error_log \(d)/error.log;
            events { worker_connections 64; }
            http {
                log_format sni '$server_port|$ssl_server_name|$ssl_protocol|$request';
                access_log \(d)/access.log sni;
                ssl_protocols TLSv1.2 TLSv1.3;
                client_body_temp_path \(d)/body;
                proxy_temp_path \(d)/proxy;
                fastcgi_temp_path \(d)/fastcgi;
                uwsgi_temp_path \(d)/uwsgi;
                scgi_temp_path \(d)/scgi;
            \(server("127.0.0.1:\(port) ssl default_server", name: "app.test", certificate: "app"))
            \(server("127.0.0.1:\(port) ssl", name: "other.test", certificate: "other"))
            \(server("127.0.0.1:\(clientCertificatePort) ssl", name: "app.test", certificate: "app", extra: "ssl_verify_client on; ssl_client_certificate \(d)/client.crt;"))
                server {
                    listen 127.0.0.1:\(plainPort);
                    location / { return 200 "server=plain\\n"; }
                }
            }
            """
        let file = try directory.write("nginx.conf", configuration)
        process = try ExternalProcess.start(["nginx", "-c", file, "-e", d + "/error.log"])
        guard waitUntilListening(port), waitUntilListening(plainPort) else {
            kill(process.processIdentifier, SIGKILL)
            throw UsherUnderTest.Failure(description: "nginx did not start: \((try? String(contentsOfFile: d + "/error.log", encoding: .utf8)) ?? "")")
        }
    }

    /// A file of the scratch directory.
    func path(_ name: String) -> String { directory.path + "/" + name }

    /// One access-log line per request: `port|sni|protocol|request line`.
    func accessLog() -> [String] {
        ((try? String(contentsOfFile: path("access.log"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() {
        // nginx started from the test process ignores SIGTERM (it inherits a blocked signal mask).
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
