import Testing
@testable import UsherConfig
@testable import UsherRouting

/// Expected results are HAProxy 2.6.12's for the same ACLs and requests.
@Suite("HTTP ACLs")
struct HTTPACLTests {
    typealias F = RoutingFixtures

    func result(_ acl: String, _ request: HTTPRequestHead? = HTTPFetchTests.browsing, response: HTTPResponseHead? = nil) throws -> ACLResult {
        var context = F.httpContext(request, response: response)
        return try F.acl(acl).evaluate(&context)
    }

    @Test func everyHeaderValueIsTried() throws {
        #expect(try result("hdr(x) b") == .pass)
        #expect(try result("hdr(x) a") == .pass)
        #expect(try result("hdr_beg(x) c") == .pass)
        #expect(try result("hdr_len(x) 1") == .pass)
        #expect(try result("req.fhdr(x) -m sub ,") == .pass)
        #expect(try result("hdr(x) -m found") == .pass)
        #expect(try result("hdr(nope) -m found") == .fail)
        // An explicit occurrence tries only that one.
        #expect(try result("hdr(x,1) b") == .fail)
        #expect(try result("hdr(x,2) b") == .pass)
        #expect(try result("hdr_cnt(x) 3") == .pass)
        #expect(try result("req.hdr_cnt(x) gt 3") == .fail)
    }

    @Test func hostMatching() throws {
        #expect(try result("hdr(host) -i www.example.com:8080") == .pass)
        #expect(try result("hdr_dom(host) -i example.com") == .pass)
        #expect(try result("hdr_end(host) -i .com:8080") == .pass)
        #expect(try result("hdr_reg(host) -i ^www\\.") == .pass)
        #expect(try result("hdr_sub(host) Example") == .pass)
        #expect(try result("hdr_sub(host) example") == .fail)
        #expect(try result("req.hdr(host),lower,field(1,:) www.example.com") == .pass)
        #expect(try result("req.hdr(host),host_only www.example.com") == .pass)
    }

    @Test func pathDerivatives() throws {
        #expect(try result("path /a/b/c") == .pass)
        #expect(try result("path_beg /a/") == .pass)
        #expect(try result("path_end /c") == .pass)
        #expect(try result("path_sub b/c") == .pass)
        #expect(try result("path_reg ^/a/[a-z]/") == .pass)
        #expect(try result("path_dir /b") == .pass)
        #expect(try result("path_dir b/c") == .pass)
        #expect(try result("path_dir a/b/c/d") == .fail)
        #expect(try result("path_dom b") == .pass)
        #expect(try result("path_len 6") == .pass)
        #expect(try result("path -m beg /a") == .pass)
        #expect(try result("url_beg /a/b/c?") == .pass)
        #expect(try result("url_end a=2") == .pass)
        #expect(try result("url_dir b") == .pass)
        #expect(try result("url_sub b=2") == .pass)
        #expect(try result("base_beg 127") == .fail)
        #expect(try result("base_beg WWW") == .pass)
        #expect(try result("query -m found") == .pass)
        #expect(try result("query -m found", F.request("GET /x HTTP/1.1")) == .fail)
    }

    @Test func cookiesAndURLParametersTryEveryOccurrence() throws {
        #expect(try result("cook(s) 1") == .pass)
        #expect(try result("cook(s) 2") == .pass)
        #expect(try result("req.cook(s) 3") == .fail)
        #expect(try result("cook_beg(t) 2") == .pass)
        #expect(try result("req.cook(t) -m found") == .pass)
        #expect(try result("urlp(a) 2") == .pass)
        #expect(try result("urlp(a) 1") == .pass)
        #expect(try result("url_param(b) 2") == .pass)
        #expect(try result("urlp_beg(b) 2") == .pass)
        #expect(try result("urlp_val(a) gt 1") == .pass)
    }

    /// HAProxy's method matching: known methods exactly; `-i` only helps methods it does not know.
    @Test func methods() throws {
        #expect(try result("method GET") == .pass)
        #expect(try result("method GET HEAD") == .pass)
        #expect(try result("method -i get") == .fail)
        #expect(try result("method get") == .fail)
        #expect(try result("method POST") == .fail)
        let purge = F.request("PURGE /x HTTP/1.1")
        #expect(try result("method PURGE", purge) == .pass)
        #expect(try result("method purge", purge) == .fail)
        #expect(try result("method -i purge", purge) == .pass)
        #expect(try result("method -i get", F.request("get /x HTTP/1.1")) == .pass)
        #expect(try result("method -m str -i get") == .pass)
    }

    @Test func responseACLs() throws {
        let response = F.response(404, ["Set-Cookie: SRV=A; path=/", "Content-Type: text/html; charset=utf-8"])
        #expect(try result("status 404", response: response) == .pass)
        #expect(try result("status 400:499", response: response) == .pass)
        #expect(try result("status 200", response: response) == .fail)
        #expect(try result("shdr_beg(content-type) text/", response: response) == .pass)
        #expect(try result("scook(SRV) A", response: response) == .pass)
        #expect(try result("res.cook(SRV) -m found", response: response) == .pass)
        #expect(try result("resp_ver 1.1", response: response) == .pass)
        // `hdr` ACLs read the request even when a response is there.
        #expect(try result("hdr(x) b", response: response) == .pass)
        #expect(try result("hdr_beg(content-type) text/", response: response) == .fail)
    }

    @Test func withoutARequestHTTPACLsFail() throws {
        for acl in ["hdr(host) -m found", "path_beg /", "method GET", "cook(s) -m found", "req.hdr_cnt(x) 0"] {
            #expect(try result(acl, nil) == .fail, "\(acl)")
        }
    }

    @Test func predefinedHTTPACLs() throws {
        let all = PredefinedACLs.compiled()
        #expect(Set(all.keys) == Set(PredefinedACLs.definitions.keys), "every predefined ACL compiles")
        #expect(HAProxyKeywords.predefinedACLs.subtracting(all.keys) == ["RDP_COOKIE"])
        func predefined(_ name: String, _ request: HTTPRequestHead) throws -> ACLResult {
            var context = F.httpContext(request)
            return try F.condition("if \(name)").evaluate(&context)
        }
        let get = HTTPFetchTests.browsing
        #expect(try predefined("HTTP", get) == .pass)
        #expect(try predefined("HTTP_1.1", get) == .pass)
        #expect(try predefined("HTTP_1.0", get) == .fail)
        #expect(try predefined("HTTP_1.0", F.request("GET / HTTP/1.0")) == .pass)
        #expect(try predefined("HTTP_URL_SLASH", get) == .pass)
        #expect(try predefined("HTTP_URL_ABS", get) == .fail)
        #expect(try predefined("HTTP_URL_ABS", F.request("GET http://h.example/p HTTP/1.1")) == .pass)
        #expect(try predefined("HTTP_URL_STAR", F.request("OPTIONS * HTTP/1.1")) == .pass)
        #expect(try predefined("HTTP_CONTENT", get) == .fail)
        #expect(try predefined("HTTP_CONTENT", F.request("POST / HTTP/1.1", ["Content-Length: 0"])) == .fail)
        #expect(try predefined("HTTP_CONTENT", F.request("POST / HTTP/1.1", ["Content-Length: 12"])) == .pass)
        #expect(try predefined("METH_GET", get) == .pass)
        #expect(try predefined("METH_GET", F.request("HEAD / HTTP/1.1")) == .pass)
        #expect(try predefined("METH_HEAD", get) == .fail)
        for method in ["CONNECT", "DELETE", "OPTIONS", "POST", "PUT", "TRACE"] {
            #expect(try predefined("METH_\(method)", F.request("\(method) / HTTP/1.1")) == .pass)
            #expect(try predefined("METH_\(method)", get) == .fail)
        }
    }
}
