import Foundation
import Testing

/// The same configuration run by HAProxy 2.6 and by usher, the same HTTP/2 requests sent to both
/// (curl over TLS with ALPN `h2`, and with prior knowledge on a `proto h2` bind): the httplog line
/// (every field but the dates, timers, byte counts and the ports, which differ by nature) and the
/// HTTP/1.1 request each HTTP/1.1 server receives (start line, field names in order, values) must
/// be the same.
@Suite(
    .serialized,
    .enabled(if: ExternalProcess.required("haproxy") && ExternalProcess.required("curl") && ExternalProcess.required("openssl"), "needs haproxy, curl, openssl"))
struct HTTP2DifferentialTests {
    static func configuration(syslog: Int, tlsPort: Int, clearPort: Int, certificate: String, origin: String) -> String {
        """
        global
            log 127.0.0.1:\(syslog) local0
        defaults
            mode http
            log global
            option httplog
            option forwardfor
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:\(tlsPort) ssl crt \(certificate) alpn h2,http/1.1
            bind 127.0.0.1:\(clearPort) proto h2
            http-request deny if { path_beg /forbidden }
            http-request set-header X-ALPN %[ssl_fc_alpn]
            http-request set-header X-Path %[path]
            http-request set-header X-Query %[query]
            http-request set-header X-Host %[req.hdr(host)]
            http-response set-header X-Rule yes
            default_backend bk
        backend bk
            server s1 \(origin)

        """
    }

    struct Observed {
        var lines: [String]
        var requests: [String]
    }

    /// Every client request of the comparison, against a proxy's two ports.
    static func play(tlsPort: Int, clearPort: Int) throws -> [String] {
        var outputs: [String] = []
        let common = ["curl", "-sS", "-k", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_version} %{http_code}"]
        outputs.append(try ExternalProcess.run(common + ["--http2", "--resolve", "a.test:\(tlsPort):127.0.0.1", "-H", "Cookie: a=1", "-H", "Cookie: b=2", "https://a.test:\(tlsPort)/one/two?x=1&y=2"]).output)
        outputs.append(try ExternalProcess.run(common + ["--http2", "--resolve", "a.test:\(tlsPort):127.0.0.1", "-d", "posted", "https://a.test:\(tlsPort)/form"]).output)
        outputs.append(try ExternalProcess.run(common + ["--http2-prior-knowledge", "-H", "X-Custom: v", "http://127.0.0.1:\(clearPort)/plain"]).output)
        outputs.append(try ExternalProcess.run(common + ["--http2-prior-knowledge", "http://127.0.0.1:\(clearPort)/forbidden"]).output)
        return outputs
    }

    /// A log line without what differs by nature: the client port, the dates, the timers, the
    /// byte count; the proxy's ports in the request line become `PORT`.
    static func normalised(_ line: String, ports: [Int]) -> String {
        guard let start = line.range(of: "]: ") ?? line.range(of: "> ") else { return line }
        var fields = String(line[start.upperBound...]).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        // client:port [date] frontend backend/server timers status bytes …
        if fields.count > 6 {
            fields[0] = fields[0].split(separator: ":").first.map(String.init) ?? fields[0]
            fields[1] = "[date]"
            fields[4] = fields[4].split(separator: "/").map { $0 == "-1" ? "-1" : "t" }.joined(separator: "/")
            fields[6] = "bytes"
        }
        var text = fields.joined(separator: " ")
        for port in ports { text = text.replacingOccurrences(of: ":\(port)", with: ":PORT") }
        return text
    }

    /// A received request as its start line and fields, the proxy's port made `PORT`.
    static func normalised(_ message: HTTPWire.Message, ports: [Int]) -> String {
        var text = ([message.startLine] + message.fields.map { "\($0.name.lowercased()): \($0.value)" }).joined(separator: "\n")
        text += "\n\n" + String(decoding: message.body, as: UTF8.self)
        for port in ports { text = text.replacingOccurrences(of: ":\(port)", with: ":PORT") }
        return text
    }

    @Test func sameLogLinesAndServerRequestsAsHAProxy() async throws {
        let certificates = try TestCertificates()
        var observed: [Observed] = []
        for kind in ["haproxy", "usher"] {
            let syslog = try SyslogCollector(group: testGroup)
            defer { syslog.stop() }
            let origin = try RecordingOrigin(name: "origin")
            defer { origin.stop() }
            let tlsPort = freePort(), clearPort = freePort()
            let text = Self.configuration(syslog: syslog.port, tlsPort: tlsPort, clearPort: clearPort, certificate: certificates.a, origin: origin.address)
            var process: Process?
            var usher: UsherUnderTest?
            let directory = try ScratchDirectory()
            if kind == "haproxy" {
                let file = try directory.write("haproxy.cfg", text)
                let started = try ExternalProcess.start(["haproxy", "-db", "-f", file], logFile: directory.path + "/haproxy.log")
                process = started
                #expect(waitUntilListening(tlsPort) && waitUntilListening(clearPort), "haproxy did not start")
            } else {
                usher = try UsherUnderTest(text)
            }
            defer {
                if let process, process.isRunning {
                    process.terminate()
                    process.waitUntilExit()
                }
                usher?.stop()
            }
            let outputs = try Self.play(tlsPort: tlsPort, clearPort: clearPort)
            #expect(outputs == ["2 200", "2 200", "2 200", "2 403"], "\(kind): \(outputs)")
            let deadline = Date().addingTimeInterval(5)
            while syslog.received.count < 4 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let ports = [tlsPort, clearPort]
            let lines = syslog.received.filter { $0.contains("HTTP/2.0") }.map { Self.normalised($0, ports: ports) }
            observed.append(Observed(lines: lines, requests: origin.requests.map { Self.normalised($0.message, ports: ports) }))
        }
        let (haproxy, usher) = (observed[0], observed[1])
        if DifferentialSettings.verbose {
            print("HAProxy:\n\(haproxy.lines.joined(separator: "\n"))\n\(haproxy.requests.joined(separator: "\n---\n"))")
            print("usher:\n\(usher.lines.joined(separator: "\n"))\n\(usher.requests.joined(separator: "\n---\n"))")
        }
        #expect(haproxy.lines.count == 4, "\(haproxy.lines)")
        #expect(usher.lines == haproxy.lines, "\nHAProxy:\n\(haproxy.lines.joined(separator: "\n"))\nusher:\n\(usher.lines.joined(separator: "\n"))")
        #expect(haproxy.requests.count == 3)
        for (index, (expected, actual)) in zip(haproxy.requests, usher.requests).enumerated() {
            #expect(actual == expected, "request \(index + 1)\nHAProxy's server received:\n\(expected)\nusher's:\n\(actual)")
        }
    }
}
