import Foundation
import Testing

/// `unique-id-format`, `unique-id-header`, the `unique-id`, `uuid`, `fe_name`, `be_name`,
/// `srv_name`… fetches and the `%ID`, `%rt`, `%f`, `%b`, `%s` variables in rules, through HAProxy
/// 2.6 and usher: the same texts, once the parts that differ between two runs (ports, time, pid)
/// are replaced by their shape.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct StreamFactsDifferentialTests {
    static let template = """
        global
            stats socket {{SOCKET}}
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:{{PORT}}
            unique-id-format %{+X}o\\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid
            unique-id-header X-Unique-ID
            http-request return status 200 content-type text/plain lf-string "id=%[unique-id] ID=%ID fe=%[fe_name]/%[fe_id] f=%f b=%b s=%s rt=%rt uuid=%[uuid] first=%[http_first_req]" if { path /here }
            http-request set-header X-Names %[fe_name],%f,%ID
            default_backend be
        backend be
            http-request set-header X-Backend %[be_name]/%[be_id]/%b
            http-response set-header X-Served-By %[srv_name]/%[srv_id]/%s/%b
            server web1 127.0.0.1:1 disabled
            server web2 {{ORIGIN0}}
        """

    /// The variable parts in their shape: a port `PORT`, the time `TS`, the pid `PID`, a UUID `UUID`.
    static func normalized(_ text: String) -> String {
        var result = text
        for (pattern, replacement) in [
            ("7F000001:[0-9A-F]{4}_7F000001:[0-9A-F]{4}_[0-9A-F]{8}_([0-9A-F]{4}):[0-9A-F]{4}", "7F000001:PORT_7F000001:PORT_TS_$1:PID"),
            ("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", "UUID"),
        ] {
            result = result.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return result
    }

    func observe(_ kind: ProxyKind) throws -> [String] {
        let directory = TemporaryDirectory()
        let template = Self.template.replacingOccurrences(of: "{{SOCKET}}", with: "\(directory.path)/\(kind.rawValue).sock")
        let run = try ProxyRun(kind, template: template, replies: [.ok("fine")])
        defer { run.stop() }
        var seen: [String] = []
        for path in ["/here", "/there", "/here"] {
            let response = try httpGet(port: run.port, path: path)
            let lines = response.split(separator: "\r\n", omittingEmptySubsequences: false)
            let body = lines.last.map(String.init) ?? ""
            // (HAProxy writes header names in lower case.)
            let servedBy = lines.first { $0.lowercased().hasPrefix("x-served-by:") }.map { "X-Served-By" + $0.dropFirst("x-served-by".count) } ?? "no X-Served-By"
            seen.append(path == "/here" ? Self.normalized(body) : Self.normalized(servedBy))
        }
        run.origins[0].settle()
        for request in run.origins[0].requests {
            for name in ["X-Unique-ID", "X-Names", "X-Backend"] {
                seen.append("\(name): \(request.message.values(name).map(Self.normalized))")
            }
        }
        return seen
    }

    @Test func sameTextsAsHAProxy() throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        let reference = try observe(.haproxy)
        #expect(reference.first == "id=7F000001:PORT_7F000001:PORT_TS_0000:PID ID=7F000001:PORT_7F000001:PORT_TS_0000:PID fe=fe/2 f=fe b=fe s=<NOSRV> rt=0 uuid=UUID first=1")
        #expect(reference.count == 6, "\(reference)")
        guard !DifferentialSettings.onlyHAProxy else { return }
        let ours = try observe(.usher)
        #expect(ours == reference)
    }
}
