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

    /// HAProxy would parse the payload of a `mode tcp` connection as HTTP/1; usher refuses the rule
    /// rather than never matching it.
    @Test func httpInTCPModeIsRefused() throws {
        let named = try alerts("frontend fe\n    bind :80\n    acl h hdr(host) a\n    use_backend be if h\nbackend be\n")
        #expect(named.count == 1)
        #expect(named.first?.location?.line == 8)
        #expect(named.first?.message.contains("'h' in frontend 'fe' reads HTTP") == true)
        #expect(named.first?.message.contains("not supported by usher yet") == true)
        let anonymous = try alerts("frontend fe\n    bind :80\n    use_backend be if { path_beg /x }\nbackend be\n")
        #expect(anonymous.first?.message.contains("'path'") == true)
        let dynamic = try alerts("frontend fe\n    bind :80\n    use_backend %[req.hdr(host)]\nbackend be\n")
        #expect(dynamic.first?.message.contains("'req.hdr'") == true)
        let useServer = try alerts("backend be\n    use-server s if { hdr(host) a }\n    server s 127.0.0.1:80\n")
        #expect(useServer.first?.message.contains("backend 'be'") == true)
        // Declared but unused HTTP ACLs, and the same rules in mode http, are fine.
        #expect(try alerts("frontend fe\n    bind :80\n    acl h hdr(host) a\n    default_backend be\nbackend be\n").isEmpty)
        #expect(try alerts("frontend fe\n    mode http\n    bind :80\n    acl h hdr(host) a\n    use_backend be if h METH_GET\n    use_backend %[req.hdr(host)]\nbackend be\n    mode http\n").isEmpty)
    }

    @Test func rdpCookieIsNotSupported() throws {
        let found = try alerts("frontend fe\n    bind :3389\n    use_backend be if RDP_COOKIE\nbackend be\n")
        #expect(found.first?.message == "predefined ACL 'RDP_COOKIE' is not supported by usher yet")
    }
}
