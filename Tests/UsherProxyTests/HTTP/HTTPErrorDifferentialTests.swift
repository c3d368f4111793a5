import Foundation
import Testing

/// `http-error status …` replacing a proxy's own answers (a deny's 403, a 503 without a server),
/// through HAProxy 2.6 and usher: the same status, body and added header.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct HTTPErrorDifferentialTests {
    static let template = """
        defaults
            mode http
            timeout connect 2s
            timeout client 3s
            timeout server 3s
        frontend fe
            bind 127.0.0.1:{{PORT}}
            http-error status 403 content-type text/plain string "go away" hdr X-Why rules
            http-request deny if { path /deny }
            default_backend be
        backend be
            http-error status 503 content-type text/html string "<p>busy</p>"
            server s {{DEAD}} disabled
        """

    func observe(_ kind: ProxyKind) throws -> [String] {
        let run = try ProxyRun(kind, template: Self.template, replies: [.ok])
        defer { run.stop() }
        return try ["/deny", "/other"].map { path in
            let response = try httpGet(port: run.port, path: path)
            let lines = response.split(separator: "\r\n", omittingEmptySubsequences: false)
            let fields = lines.filter { ["x-why", "content-type", "content-length"].contains($0.split(separator: ":").first?.lowercased() ?? "") }
                .map { $0.lowercased() }.sorted()
            return "\(lines.first ?? "") \(fields) \(lines.last ?? "")"
        }
    }

    @Test func sameAsHAProxy() throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        let reference = try observe(.haproxy)
        #expect(reference == [
            "HTTP/1.1 403 Forbidden [\"content-length: 7\", \"content-type: text/plain\", \"x-why: rules\"] go away",
            "HTTP/1.1 503 Service Unavailable [\"content-length: 11\", \"content-type: text/html\"] <p>busy</p>",
        ], "\(reference)")
        guard !DifferentialSettings.onlyHAProxy else { return }
        #expect(try observe(.usher) == reference)
    }
}
