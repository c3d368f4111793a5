import Foundation
import Testing

/// nghttp2's own clients against usher: `nghttp` for one exchange, `h2load` for 100 concurrent
/// streams on one connection, in clear (`proto h2`) and over TLS (ALPN `h2`).
@Suite(.serialized, .enabled(if: ExternalProcess.required("nghttp") && ExternalProcess.required("h2load") && ExternalProcess.required("openssl")))
struct HTTP2RealClientTests {
    func withUsher(_ body: (_ tls: Int, _ clear: Int, RecordingOrigin) throws -> Void) throws {
        let certificates = try TestCertificates()
        let origin = try RecordingOrigin(name: "origin", replies: [.ok("from origin\n")])
        defer { origin.stop() }
        let usher = try UsherUnderTest("""
            defaults
                mode http
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            frontend fe
                bind 127.0.0.1:0 ssl crt \(certificates.a) alpn h2,http/1.1
                bind 127.0.0.1:0 proto h2
                default_backend bk
            backend bk
                server s1 \(origin.address)
            """)
        defer { usher.stop() }
        let ports = usher.server.boundAddresses(frontend: "fe").compactMap(\.port)
        try body(ports[0], ports[1], origin)
    }

    @Test func nghttpGetsItsAnswer() throws {
        try withUsher { tls, clear, origin in
            let plain = try ExternalProcess.run(["nghttp", "-v", "http://127.0.0.1:\(clear)/n"])
            #expect(plain.status == 0, "\(plain.output) \(plain.error)")
            #expect(plain.output.contains(":status: 200"), "\(plain.output)")
            #expect(plain.output.contains("from origin"))
            let secure = try ExternalProcess.run(["nghttp", "-v", "https://127.0.0.1:\(tls)/t"])
            #expect(secure.output.contains(":status: 200"), "\(secure.output) \(secure.error)")
            #expect(secure.output.contains("h2 negotiated") || secure.output.contains("The negotiated protocol: h2"), "\(secure.output)")
            #expect(origin.requests.map(\.message.startLine) == ["GET /n HTTP/1.1", "GET /t HTTP/1.1"])
        }
    }

    /// 100 streams open at once on one connection (usher's default `tune.h2.max-concurrent-streams`),
    /// every one answered.
    @Test(arguments: ["clear", "tls"])
    func hundredConcurrentStreamsAllAnswered(_ transport: String) throws {
        try withUsher { tls, clear, origin in
            let url = transport == "tls" ? "https://127.0.0.1:\(tls)/load" : "http://127.0.0.1:\(clear)/load"
            let result = try ExternalProcess.run(["h2load", "-n", "100", "-c", "1", "-m", "100", url], timeout: 60)
            #expect(result.output.contains("100 succeeded, 0 failed, 0 errored"), "\(result.output) \(result.error)")
            #expect(result.output.contains("status codes: 100 2xx"), "\(result.output)")
            #expect(origin.requests.count == 100)
        }
    }
}
