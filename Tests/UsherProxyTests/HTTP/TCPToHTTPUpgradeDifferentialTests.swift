import Foundation
import Testing

/// A mode tcp frontend that hands connections to a mode http backend: the connection becomes an
/// HTTP one (the backend's `http-request` rules apply, keep-alive requests are each routed again),
/// as HAProxy 2.6 does. Two public configurations do this: one port shared by HTTP and another
/// protocol, and a frontend whose author left out `mode http`.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct TCPToHTTPUpgradeDifferentialTests {
    /// One port for HTTP (to `webdav`, in mode http) and anything else (to `raw`, in mode tcp).
    static let sharedPort = """
        defaults
            timeout connect 2s
            timeout client 3s
            timeout server 3s
        frontend shared
            bind 127.0.0.1:{{PORT}}
            mode tcp
            tcp-request inspect-delay 2s
            tcp-request content set-var(sess.proto) str(http) if HTTP
            tcp-request content accept if HTTP
            acl is_disk path_beg /disk
            use_backend webdav if is_disk
            default_backend raw
        backend webdav
            mode http
            http-request set-header X-Upgraded %[var(sess.proto)]
            http-response set-header X-Backend %[be_name]
            server web {{ORIGIN0}}
        backend raw
            mode tcp
            server other {{ORIGIN1}}
        """

    /// No `mode` in the frontend (so tcp) and HTTP backends chosen by path: without an inspect
    /// delay the rules run on whatever has arrived, so the clients here send a moment after they
    /// connect: the path is not there yet, and the default backend takes it all. (HAProxy routes
    /// by the path when the request comes with the connection; usher decides at once.)
    static let forgottenMode = """
        defaults
            timeout connect 2s
            timeout client 3s
            timeout server 3s
        frontend front
            bind 127.0.0.1:{{PORT}}
            acl is_static path_beg /static
            use_backend storage if is_static
            default_backend app
        backend app
            mode http
            http-request set-header X-App yes
            server app {{ORIGIN0}}
        backend storage
            mode http
            http-request set-path /cdn%[path]
            server storage {{ORIGIN1}}
        """

    /// What the client and the origins saw, in a form both proxies must agree on.
    static func observe(_ kind: ProxyKind, _ template: String, _ play: (Int) throws -> [String]) throws -> [String] {
        let run = try ProxyRun(kind, template: template, replies: [.ok("fine")])
        defer { run.stop() }
        var seen = try play(run.port)
        for (index, origin) in run.origins.enumerated() {
            origin.settle()
            for request in origin.requests {
                let marks = ["X-Upgraded", "X-App"].compactMap { name in request.message.values(name).first.map { "\(name)=\($0)" } }
                seen.append("origin\(index) conn\(request.connection): \(request.message.startLine) \(marks.joined(separator: " "))")
            }
            if origin.requests.isEmpty, !origin.receivedPerConnection.isEmpty {
                seen.append("origin\(index) raw: \(origin.receivedPerConnection.map { HTTPWire.printable($0) })")
            }
        }
        return seen
    }

    /// The status lines and `X-Backend` of the responses on one connection.
    static func statuses(_ response: String) -> String {
        response.split(separator: "\r\n").filter { $0.hasPrefix("HTTP/") || $0.lowercased().hasPrefix("x-backend:") }
            .map { $0.lowercased() }.joined(separator: " | ")
    }

    static func playSharedPort(_ port: Int) throws -> [String] {
        var seen: [String] = []
        // Two requests on one connection, both to the HTTP backend.
        let keepAlive = try RawClient(port: port)
        try keepAlive.send("GET /disk/a HTTP/1.1\r\nHost: t\r\n\r\n")
        var first = String(decoding: try keepAlive.receive(), as: UTF8.self)
        while !first.contains("fine") { first += String(decoding: try keepAlive.receive(), as: UTF8.self) }
        try keepAlive.send("GET /disk/b HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        seen.append("keep-alive: " + statuses(first + String(decoding: try keepAlive.receiveAll(), as: UTF8.self)))
        // HTTP to the TCP backend: passed as it came.
        seen.append("other path: " + statuses(try httpGet(port: port, path: "/elsewhere")))
        return seen
    }

    static func playForgottenMode(_ port: Int) throws -> [String] {
        try ["/static/logo.png", "/"].map { path in
            let client = try RawClient(port: port)
            usleep(300_000)
            try client.send("GET \(path) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            return "response: " + statuses(String(decoding: try client.receiveAll(), as: UTF8.self))
        }
    }

    @Test(arguments: ["shared port", "forgotten mode"])
    func sameAsHAProxy(_ name: String) throws {
        try #require(DifferentialSettings.haproxyAvailable, "CI=true: haproxy (2.6) must be installed for this suite")
        let (template, play) = name == "shared port" ? (Self.sharedPort, Self.playSharedPort) : (Self.forgottenMode, Self.playForgottenMode)
        let reference = try Self.observe(.haproxy, template, play)
        if name == "shared port" {
            #expect(reference.contains("origin0 conn0: GET /disk/b HTTP/1.1 X-Upgraded=http"), "\(reference)")
        } else {
            #expect(reference.contains("origin0 conn0: GET /static/logo.png HTTP/1.1 X-App=yes"), "\(reference)")
        }
        guard !DifferentialSettings.onlyHAProxy else { return }
        let ours = try Self.observe(.usher, template, play)
        #expect(ours == reference)
    }
}
