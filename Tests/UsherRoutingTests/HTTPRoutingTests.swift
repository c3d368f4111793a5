import NIOCore
import Testing
@testable import UsherConfig
@testable import UsherRouting

@Suite("HTTP routing rules")
struct HTTPRoutingTests {
    typealias F = RoutingFixtures

    static let configuration = F.quietDefaults + """

        frontend www
            mode http
            bind :80
            acl is_api path_beg /api/
            acl host_static hdr(host) -i static.example.com
            acl host_blog hdr_dom(host) -i blog
            use_backend api if is_api
            use_backend static if host_static METH_GET
            use_backend blog if host_blog
            use_backend %[req.hdr(host),lower,field(1,:)]
            default_backend static
        backend api
            mode http
        backend static
            mode http
        backend blog
            mode http
        backend shop.example.com
            mode http
        """

    func backend(_ request: HTTPRequestHead?) throws -> String? {
        let table = try F.table(Self.configuration)
        let routes = try table.frontend("www")
        var context = F.httpContext(request)
        return table.backendName(routes.chooseBackend(&context, backendsByName: table.backendsByName))
    }

    @Test func routesOnPathHostAndMethod() throws {
        #expect(try backend(F.request("GET /api/v1 HTTP/1.1", ["Host: static.example.com"])) == "api")
        #expect(try backend(F.request("GET /img HTTP/1.1", ["Host: STATIC.example.com"])) == "static")
        #expect(try backend(F.request("POST /img HTTP/1.1", ["Host: static.example.com"])) == "static")
        #expect(try backend(F.request("GET / HTTP/1.1", ["Host: www.blog.example:8080"])) == "blog")
        #expect(try backend(F.request("GET / HTTP/1.1", ["Host: Shop.Example.com:80"])) == "shop.example.com")
        #expect(try backend(F.request("GET / HTTP/1.1", ["Host: unknown.example"])) == "static")
        #expect(try backend(nil) == "static")
    }

    func alerts(_ body: String) throws -> [Diagnostic] {
        let outcome = ConfigurationParser().parse(F.quietDefaults + "\n" + body, file: "t.cfg")
        let configuration = try #require(outcome.configuration, "\(outcome.alerts)")
        let (table, diagnostics) = RoutingTable.compile(configuration, loadPatternFile: { _ in [] })
        let alerts = diagnostics.filter { $0.severity == .alert }
        #expect((table == nil) == !alerts.isEmpty)
        return alerts
    }

    /// In `mode tcp`, HTTP fetches read the request bytes as an HTTP/1 head, as HAProxy's do;
    /// only rules that run before any byte has arrived refuse them.
    @Test func httpInTCPModeReadsThePayload() throws {
        #expect(try alerts("frontend fe\n    bind :80\n    acl h hdr(host) a\n    use_backend be if h\nbackend be\n").isEmpty)
        #expect(try alerts("frontend fe\n    bind :80\n    use_backend %[req.hdr(host)]\nbackend be\n").isEmpty)
        #expect(try alerts("backend be\n    use-server s if { hdr(host) a }\n    server s 127.0.0.1:80\n").isEmpty)
        // Before any byte has arrived, an HTTP ACL never matches (a warning, as HAProxy gives).
        #expect(try alerts("frontend fe\n    bind :80\n    tcp-request connection reject if { path_beg /x }\nbackend be\n").isEmpty)
        let table = try F.table(F.quietDefaults + """

            frontend fe
                bind :80
                tcp-request inspect-delay 5s
                tcp-request content accept if HTTP
                use_backend api if { path_beg /api } { req.hdr(host) -i a.test }
                default_backend other
            backend api
            backend other
            """)
        let frontend = try #require(table.frontends.first)
        #expect(frontend.needsInspection)
        func route(_ bytes: String, final: Bool) -> (InspectionVerdict, String?) {
            var buffer = ByteBuffer()
            buffer.writeString(bytes)
            var context = SampleContext(
                connection: ConnectionInfo(source: nil, sourcePort: 0, destination: nil, destinationPort: 0), payload: buffer, isFinal: final
            )
            context.readsHTTPFromPayload = true
            let verdict = frontend.evaluateContentRules(&context)
            return (verdict, frontend.chooseBackend(&context, backendsByName: table.backendsByName).map { table.backends[$0].name })
        }
        #expect(route("GET /api/x HTTP/1.1\r\nHo", final: false).0 == .waitForData)
        #expect(route("GET /api/x HTTP/1.1\r\nHost: A.test\r\n\r\n", final: false) == (.accept, "api"))
        #expect(route("GET /other HTTP/1.1\r\nHost: a.test\r\n\r\n", final: false) == (.accept, "other"))
        #expect(route("SSH-2.0-OpenSSH\r\n", final: false) == (.accept, "other"))
    }

    @Test func rdpCookieIsNotSupported() throws {
        let found = try alerts("frontend fe\n    bind :3389\n    use_backend be if RDP_COOKIE\nbackend be\n")
        #expect(found.first?.message == "predefined ACL 'RDP_COOKIE' is not supported by usher yet")
    }
}
