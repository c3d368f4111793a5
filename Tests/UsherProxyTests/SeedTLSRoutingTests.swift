import Foundation
import NIOCore
import Testing
import UsherDemo

/// The seed's :443 path with real TLS clients (openssl s_client, curl) and real TLS services behind
/// usher: the connection is routed by the name in the ClientHello and never decrypted, so the client
/// sees the chosen service's own certificate.
@Suite(.serialized)
final class SeedTLSRoutingTests {
    let pumpCertificate: SelfSignedCertificate
    let webCertificate: SelfSignedCertificate
    let web: StandInService
    let webTLS: StandInService
    let pump: StandInService
    let usher: UsherUnderTest
    let directory: String

    init() throws {
        pumpCertificate = try SelfSignedCertificate(names: ["pump2.thisshitistemp.com"])
        webCertificate = try SelfSignedCertificate(names: ["www.example.test"])
        web = try StandInService.start(name: "web", port: 0, group: testGroup)
        webTLS = try StandInService.start(name: "web-tls", port: 0, tls: try webCertificate.serverTLSConfiguration(), group: testGroup)
        pump = try StandInService.start(name: "pump", port: 0, tls: try pumpCertificate.serverTLSConfiguration(), webSocketEcho: true, group: testGroup)
        usher = try UsherUnderTest(SeedFixture.configuration(.init(webServer: web.port, webServerTLS: webTLS.port, pumpIO: pump.port)))
        directory = NSTemporaryDirectory() + "usher-tls-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try pumpCertificate.writeCertificate(to: directory + "/pump.pem")
        try webCertificate.writeCertificate(to: directory + "/web.pem")
    }

    deinit {
        usher.stop()
        web.stop()
        webTLS.stop()
        pump.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The subject line openssl prints for the certificate the server presented.
    func subjectSeen(serverName: String?) throws -> String {
        var arguments = ["openssl", "s_client", "-connect", "127.0.0.1:\(usher.port("https-in"))"]
        if let serverName { arguments += ["-servername", serverName] } else { arguments += ["-noservername"] }
        let result = try ExternalProcess.run(arguments, input: "")
        return result.output.split(separator: "\n").first { $0.hasPrefix("subject=") }.map(String.init) ?? "no certificate: \(result.error)"
    }

    @Test(arguments: ["pump2.thisshitistemp.com", "PUMP2.THISSHITISTEMP.COM", "Pump2.ThisShitIsTemp.com"])
    func pumpNameInAnyCaseReachesPumpIO(name: String) throws {
        #expect(try subjectSeen(serverName: name).contains("CN = pump2.thisshitistemp.com"))
    }

    @Test(arguments: ["www.example.test", "other.example", "pump2.thisshitistemp.com.evil.example"])
    func otherNamesReachTheWebServersTLSPort(name: String) throws {
        #expect(try subjectSeen(serverName: name).contains("CN = www.example.test"))
    }

    @Test func noServerNameReachesTheDefaultBackend() throws {
        #expect(try subjectSeen(serverName: nil).contains("CN = www.example.test"))
    }

    @Test func curlCompletesTheHandshakeWithPumpIOsOwnCertificate() throws {
        let port = usher.port("https-in")
        let result = try ExternalProcess.run([
            "curl", "-sS", "--max-time", "10", "--cacert", directory + "/pump.pem",
            "--resolve", "pump2.thisshitistemp.com:\(port):127.0.0.1", "https://pump2.thisshitistemp.com:\(port)/inbox",
        ])
        #expect(result.status == 0, "curl failed: \(result.error)")
        #expect(result.output.contains("Hello from pump."))
        #expect(result.output.contains("GET /inbox"))
    }

    @Test func curlForAnotherNameVerifiesTheWebServersCertificate() throws {
        let port = usher.port("https-in")
        let result = try ExternalProcess.run([
            "curl", "-sS", "--max-time", "10", "--cacert", directory + "/web.pem",
            "--resolve", "www.example.test:\(port):127.0.0.1", "https://www.example.test:\(port)/",
        ])
        #expect(result.status == 0, "curl failed: \(result.error)")
        #expect(result.output.contains("Hello from web-tls."))
    }

    @Test func plainHTTPOnPort80ReachesTheWebServer() throws {
        let result = try ExternalProcess.run(["curl", "-sS", "--max-time", "10", "http://127.0.0.1:\(usher.port("http-in"))/index.html"])
        #expect(result.status == 0, "curl failed: \(result.error)")
        #expect(result.output.contains("Hello from web."))
    }
}
