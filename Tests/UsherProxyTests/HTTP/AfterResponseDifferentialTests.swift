import Foundation
import Testing

/// `http-after-response` rules through HAProxy 2.6 and usher: on a server's response, on the
/// proxy's own answers (`return`, `deny`, a 503 without a server, a redirect), the backend's rules
/// before the frontend's, `allow` ending a section's rules, `set-status`, variables and conditions.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct AfterResponseDifferentialTests {
    static let template = """
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:{{PORT}}
            http-request set-var(txn.path) path
            http-request return status 200 content-type text/plain string "made here" if { path /return }
            http-request deny if { path /deny }
            http-request redirect location /elsewhere if { path /redirect }
            http-after-response set-header X-Order "fe after %[res.hdr(X-Order)]"
            http-after-response set-header X-Status %[status]
            http-after-response set-header X-Path %[var(txn.path)]
            http-after-response set-status 418 if { status 404 }
            http-after-response set-status 299 if { path /teapot }
            http-after-response del-header X-Remove
            use_backend empty if { path /empty }
            default_backend be
        backend be
            http-response set-header X-Remove yes
            http-after-response set-header X-Order be
            http-after-response add-header X-Backend %[be_name]
            http-after-response allow if { var(txn.path) -m str /allow }
            http-after-response set-header X-Not-After-Allow yes
            server web {{ORIGIN0}}
        backend empty
            http-after-response set-header X-Order empty
        """

    /// The status line and the headers the rules touch, per path.
    func observe(_ kind: ProxyKind) throws -> [String] {
        let replies: [RecordingOrigin.Reply] = [.ok("1"), .ok("2"), .ok("3"), .status(404, "Not Found")]
        let run = try ProxyRun(kind, template: Self.template, replies: replies)
        defer { run.stop() }
        var seen: [String] = []
        for path in ["/", "/return", "/deny", "/redirect", "/teapot", "/allow", "/empty", "/missing"] {
            let response = try httpGet(port: run.port, path: path)
            let lines = response.split(separator: "\r\n", omittingEmptySubsequences: false)
            let status = lines.first.map { String($0.split(separator: " ").prefix(2).joined(separator: " ")) } ?? "nothing"
            var fields: [String] = []
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { break }
                let name = line[..<colon].lowercased()
                if name.hasPrefix("x-") && name != "x-origin" {
                    fields.append("\(name):\(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))")
                }
            }
            seen.append("\(path) \(status) \(fields.sorted().joined(separator: " "))")
        }
        return seen
    }

    @Test func sameAnswersAsHAProxy() throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        let reference = try observe(.haproxy)
        #expect(reference.first == "/ HTTP/1.1 200 x-backend:be x-not-after-allow:yes x-order:fe after be x-path:/ x-status:200")
        #expect(reference.last == "/missing HTTP/1.1 418 x-backend:be x-not-after-allow:yes x-order:fe after be x-path:/missing x-status:404", "\(reference)")
        guard !DifferentialSettings.onlyHAProxy else { return }
        let ours = try observe(.usher)
        #expect(ours == reference)
    }
}
