import Foundation
import Testing

/// Capture slots: `capture request|response header`, `declare capture`, `http-request capture …
/// len|id`, `http-response capture … id`, read back by `capture.req.hdr(N)`/`capture.res.hdr(N)` and
/// logged by `%hr`/`%hs`, through HAProxy 2.6 and usher.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct CaptureDifferentialTests {
    static let template = """
        global
            log stdout format raw local0
        defaults
            mode http
            log global
            timeout connect 2s
            timeout client 3s
            timeout server 3s
        frontend fe
            bind 127.0.0.1:{{PORT}}
            log-format "captures %hr %hs slot1=%[capture.req.hdr(1)]"
            capture request header Host len 10
            http-request capture req.hdr(X-A) len 5
            declare capture request len 8
            declare capture response len 6
            capture response header X-Origin len 4
            http-response capture res.hdr(X-R) id 0
            http-response set-header X-Slot0 %[capture.res.hdr(0)]
            default_backend be
        backend be
            http-request capture path id 2
            http-request set-header X-Slots %[capture.req.hdr(0)]/%[capture.req.hdr(1)]/%[capture.req.hdr(2)]
            server web {{ORIGIN0}}
        """

    func observe(_ kind: ProxyKind) throws -> [String] {
        let replies: [RecordingOrigin.Reply] = [.ok("a", [HTTPWire.Field("X-R", "response-value")]), .ok("b")]
        let run = try ProxyRun(kind, template: Self.template, replies: replies)
        defer { run.stop() }
        var seen: [String] = []
        for (path, headers) in [("/first/path/long", "X-A: abcdefgh\r\n"), ("/p", "")] {
            let response = try httpGet(port: run.port, path: path, headers: headers)
            seen += response.split(separator: "\r\n").filter { $0.lowercased().hasPrefix("x-slot0") }.map { $0.lowercased() }
        }
        run.origins[0].settle()
        seen += run.origins[0].requests.map { "origin: \($0.message.values("X-Slots"))" }
        for _ in 0..<100 where run.log.components(separatedBy: "captures ").count < 3 { usleep(20_000) }
        // Sorted: the lines come from different connections (the readiness probe's, closed without
        // a request, and the two requests'), and with two event loops a slow run (a sanitizer) can
        // log the probe's after the first request's. What each line holds is what is compared.
        seen += run.log.split(separator: "\n").filter { $0.hasPrefix("captures ") }.map(String.init).sorted()
        return seen
    }

    @Test func sameAsHAProxy() throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        let reference = try observe(.haproxy)
        #expect(reference.contains("captures {test|abcde|/first/p} {respon|orig} slot1=abcde"), "\(reference)")
        guard !DifferentialSettings.onlyHAProxy else { return }
        let ours = try observe(.usher)
        #expect(ours == reference)
    }
}
