import Testing

@testable import UsherConfig

@Suite("http-request rules and redirect")
struct HTTPRequestRuleTests {
    static func rules(_ lines: String..., files: [String: String]? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [HTTPRequestRule] {
        let outcome = parseHTTPFrontend(lines, files: files)
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)", sourceLocation: sourceLocation)
        return try outcome.proxy("fe", sourceLocation: sourceLocation).httpRequestRules
    }

    @Test func headerActions() throws {
        let rules = try Self.rules(
            "http-request set-header X-Client %[src]",
            "http-request add-header X-Via \"usher proxy\"",
            "http-request del-header X-Secret",
            "http-request del-header X-Debug- -m beg if { src 10.0.0.0/8 }",
            #"http-request replace-header Cookie foo=([^;]*);(.*) foo=\1;ip=%bi;\2"#,
            #"http-request replace-value X-Forwarded-For ^192\.168\.(.*)$ 172.16.\1"#,
            "http-request del-header ^x-.*-debug$ -m reg"
        )
        #expect(
            rules.map(\.action) == [
                .header(.set(name: "X-Client", value: "%[src]")),
                .header(.add(name: "X-Via", value: "usher proxy")),
                .header(.delete(name: "X-Secret", match: .exact)),
                .header(.delete(name: "X-Debug-", match: .prefix)),
                .header(.replace(name: "Cookie", regex: "foo=([^;]*);(.*)", replacement: #"foo=\1;ip=%bi;\2"#)),
                .header(.replaceValue(name: "X-Forwarded-For", regex: #"^192\.168\.(.*)$"#, replacement: #"172.16.\1"#)),
                .header(.delete(name: "^x-.*-debug$", match: .regex)),
            ])
        #expect(rules.map(\.location.line) == Array(8...14))
        #expect(rules[3].condition?.anonymousACLs.first?.criterion.fetch.name == "src")
        #expect(rules[0].condition == nil)
    }

    @Test func uriAndMethodRewrites() throws {
        let rules = try Self.rules(
            "http-request set-path /api%[path]",
            "http-request set-query %[query,regsub(%3D,=,g)]",
            "http-request set-uri /maintenance unless { path_beg /static }",
            "http-request set-method GET"
        )
        #expect(rules.map(\.action) == [.setPath("/api%[path]"), .setQuery("%[query,regsub(%3D,=,g)]"), .setURI("/maintenance"), .setMethod("GET")])
        #expect(rules[2].condition?.polarity == .unless)
    }

    @Test func allowDenyTarpit() throws {
        let rules = try Self.rules(
            "http-request allow if { src 127.0.0.1 }",
            "http-request deny",
            "http-request deny deny_status 429 if { path /busy }",
            "http-request deny status 418",
            "http-request deny status 403 content-type text/plain string \"go away\" hdr X-Reason blocked",
            "http-request tarpit",
            "http-request tarpit deny_status 503"
        )
        #expect(rules[0].action == .allow)
        #expect(rules[1].action == .deny(HTTPReply(status: 403, payload: .proxyErrorPage)))
        #expect(rules[2].action == .deny(HTTPReply(status: 429, payload: .proxyErrorPage)))
        // `status` (unlike `deny_status`) without a payload is a bare response with that status.
        #expect(rules[3].action == .deny(HTTPReply(status: 418, payload: .none)))
        #expect(
            rules[4].action
                == .deny(HTTPReply(status: 403, contentType: "text/plain", payload: .string("go away"), headers: [HTTPHeaderField(name: "X-Reason", value: "blocked")])))
        #expect(rules[5].action == .tarpit(HTTPReply(status: 500, payload: .proxyErrorPage)))
        #expect(rules[6].action == .tarpit(HTTPReply(status: 503, payload: .proxyErrorPage)))
    }

    @Test func returnReplies() throws {
        let page = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        let rules = try Self.rules(
            "http-request return",
            "http-request return status 204",
            #"http-request return status 403 content-type text/plain lf-string "denied: %[src]" hdr Cache-Control no-store hdr X-Src %[src]"#,
            "http-request return content-type image/x-icon file /icons/favicon.ico if { path /favicon.ico }",
            "http-request return status 200 errorfile /pages/ping.http",
            "http-request return status 503 default-errorfiles",
            files: ["/icons/favicon.ico": "ICO", "/pages/ping.http": page]
        )
        #expect(rules[0].action == .return(HTTPReply(status: 200, payload: .none)))
        #expect(rules[1].action == .return(HTTPReply(status: 204, payload: .none)))
        #expect(
            rules[2].action
                == .return(
                    HTTPReply(
                        status: 403, contentType: "text/plain", payload: .logFormat("denied: %[src]"),
                        headers: [HTTPHeaderField(name: "Cache-Control", value: "no-store"), HTTPHeaderField(name: "X-Src", value: "%[src]")])))
        #expect(rules[3].action == .return(HTTPReply(status: 200, contentType: "image/x-icon", payload: .file(path: "/icons/favicon.ico", contents: Array("ICO".utf8)))))
        #expect(rules[4].action == .return(HTTPReply(status: 200, payload: .errorFile(path: "/pages/ping.http", contents: Array(page.utf8)))))
        #expect(rules[5].action == .return(HTTPReply(status: 503, payload: .proxyErrorPage)))
    }

    @Test func replyArgumentsWithoutEffectWarn() throws {
        let outcome = parseHTTPFrontend(["http-request return status 200 content-type text/plain", "http-request deny errorfile /e.http hdr X-A b"], files: ["/e.http": ""])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.specificWarnings.map(\.location?.line) == [8, 9])
        #expect(outcome.specificWarnings[0].message.contains("'content-type text/plain' ignored"))
        #expect(outcome.specificWarnings[1].message.contains("'hdr' ignored"))
        let rules = try outcome.proxy("fe").httpRequestRules
        #expect(rules[0].action == .return(HTTPReply(status: 200, payload: .none)))
        #expect(rules[1].action == .deny(HTTPReply(status: 403, payload: .errorFile(path: "/e.http", contents: []))))
    }

    @Test func redirects() throws {
        let rules = try Self.rules(
            "http-request redirect scheme https code 301 if !{ ssl_fc }",
            "http-request redirect code 308 location https://www.%[hdr(host)]%[capture.req.uri] ignore-empty",
            "http-request redirect prefix https://example.com drop-query append-slash set-cookie SEEN=1",
            "http-request redirect location / clear-cookie USERID="
        )
        #expect(rules[0].action == .redirect(HTTPRedirect(kind: .scheme, value: "https", valueIsLogFormat: true, code: 301)))
        #expect(rules[0].condition?.alternatives.first?.first?.negated == true)
        #expect(
            rules[1].action == .redirect(HTTPRedirect(kind: .location, value: "https://www.%[hdr(host)]%[capture.req.uri]", valueIsLogFormat: true, code: 308, ignoreEmpty: true)))
        #expect(
            rules[2].action
                == .redirect(HTTPRedirect(kind: .prefix, value: "https://example.com", valueIsLogFormat: true, dropQuery: true, appendSlash: true, cookie: .set("SEEN=1"))))
        #expect(rules[3].action == .redirect(HTTPRedirect(kind: .location, value: "/", valueIsLogFormat: true, cookie: .clear("USERID="))))
    }

    @Test func standaloneRedirectIsKeptApartAndIsPlainText() throws {
        let outcome = parseHTTPFrontend([
            "redirect scheme https code 301 if { hdr(host) -i example.com }",
            "redirect code 301 prefix / drop-query append-slash",
            "http-request set-header X-A b",
        ])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let fe = try outcome.proxy("fe")
        #expect(fe.redirectRules.map(\.action) == [
            .redirect(HTTPRedirect(kind: .scheme, value: "https", valueIsLogFormat: false, code: 301)),
            .redirect(HTTPRedirect(kind: .prefix, value: "/", valueIsLogFormat: false, code: 301, dropQuery: true, appendSlash: true)),
        ])
        #expect(fe.httpRequestRules.count == 1)
        // HAProxy evaluates every http-request rule before the redirect rules, and says so.
        #expect(outcome.specificWarnings.map(\.location?.line) == [10])
        #expect(outcome.specificWarnings.first?.message.contains("still evaluated before") == true)
    }

    @Test func redirectAfterUseBackendWarns() throws {
        let outcome = parse(httpDefaults + "frontend fe\n    bind :80\n    use_backend be if TRUE\n    redirect location /x\nbackend be\n    server s 127.0.0.1:80\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.specificWarnings.map(\.location?.line) == [9])
        #expect(outcome.specificWarnings.first?.message.contains("'redirect' rule placed after a 'use_backend' rule") == true)
    }

    @Test func rulesAreNotInheritedAndRefusedInDefaults() throws {
        let named = parse("defaults web\n" + httpDefaults.dropFirst("defaults\n".count) + "    http-request deny\n")
        let alert = try named.singleAlert()
        #expect(alert.location?.line == 6)
        #expect(alert.message.contains("not supported by usher yet"))
        let anonymous = parse(httpDefaults + "    http-response del-header Server\n")
        #expect(try anonymous.singleAlert().message.contains("not allowed in an anonymous defaults section"))
        let redirectInDefaults = parse(httpDefaults + "    redirect location /x\n")
        #expect(try redirectInDefaults.singleAlert().message.contains("not allowed in defaults section"))
    }

    @Test(arguments: [
        ("http-request set-heder X-A b", ["unknown action 'set-heder' in 'http-request'", "did you mean 'set-header'"]),
        ("http-request frobnicate", ["unknown action 'frobnicate'"]),
        ("http-request", ["'http-request' expects an action"]),
        ("http-request set-var(foo.x) str(1)", ["invalid variable name 'foo.x'", "'proc', 'sess', 'txn', 'req', 'res' or 'check'"]),
        ("http-request send-spoe-group agents grp", ["'http-request send-spoe-group'", "not supported by usher yet"]),
        ("http-request lua.auth", ["'http-request lua.auth'", "not supported by usher yet"]),
        ("http-request cache-use static", ["'http-request cache-use'", "not supported by usher yet"]),
        ("http-request set-log-level silent", ["'http-request set-log-level'", "not supported by usher yet"]),
        ("http-request capture req.hdr(host) len", ["'http-request capture' expects a sample expression, 'len' or 'id' and a number"]),
        ("http-request set-header X-A", ["'http-request set-header' expects a header name and a value format"]),
        ("http-request set-header X-A if TRUE", ["'http-request set-header' expects a header name and a value format"]),
        ("http-request set-header X-A a b", ["unexpected 'b' in 'http-request set-header'", "'if' or 'unless'"]),
        ("http-request allow extra", ["unexpected 'extra' in 'http-request allow'"]),
        ("http-request del-header X-A -m foo", ["unknown matching method 'foo'", "str, beg, end, sub or reg"]),
        ("http-request replace-header X-A (( b", ["invalid regular expression '(('", "'http-request replace-header'"]),
        ("http-request replace-value X-A ^a(.*", ["'http-request replace-value' expects a header name, a regular expression and a replacement format"]),
        ("http-request set-path", ["'http-request set-path' expects a path format"]),
        ("http-request deny deny_status 418", ["status 418", "proxy's error page", "400, 401, 403"]),
        ("http-request tarpit deny_status 999", ["'deny_status' in 'http-request tarpit' expects a status code from 200 to 599, not '999'"]),
        ("http-request return status 100", ["from 200 to 599, not '100'"]),
        ("http-request return deny_status 403", ["unexpected 'deny_status' in 'http-request return'"]),
        ("http-request return status 200 string ok", ["needs 'content-type TYPE'"]),
        ("http-request return content-type text/plain string ok lf-string no", ["unexpected 'lf-string'", "'string' already gives the response"]),
        ("http-request return content-type text/plain string \"\"", ["'string' in 'http-request return' expects a non-empty text"]),
        ("http-request return hdr X-A", ["'hdr X-A' in 'http-request return' expects a value"]),
        ("http-request return bogus", ["unexpected 'bogus' in 'http-request return'"]),
        ("http-request return status 418 default-errorfiles", ["status 418"]),
        ("http-request return lf-file /x.txt", ["'lf-file' in 'http-request return'", "not supported by usher yet"]),
        ("http-request return errorfiles site", ["'errorfiles' in 'http-request return'", "not supported by usher yet"]),
        ("http-request return content-type text/plain file /nonexistent/usher-test", ["cannot read '/nonexistent/usher-test'"]),
        ("http-request redirect", ["'http-request redirect' expects 'location', 'prefix' or 'scheme'"]),
        ("http-request redirect scheme", ["'scheme' in 'http-request redirect' expects a value"]),
        ("http-request redirect location /x code 304", ["unsupported redirect code '304'", "301, 302, 303, 307 or 308"]),
        ("http-request redirect location /x bogus", ["unexpected 'bogus' in 'http-request redirect'"]),
        ("redirect foo /x", ["unexpected 'foo' in 'redirect'"]),
        ("http-request deny if", ["missing condition"]),
    ])
    func badRulesNameTheirLine(line: String, needles: [String]) throws {
        try parseHTTPFrontend([line]).expectSingleAlert(line: 8, needles)
    }

    @Test func aFileTooLargeForABufferIsRefused() throws {
        let big = String(repeating: "a", count: 16385)
        let outcome = parseHTTPFrontend(["http-request return content-type text/plain file /big.txt"], files: ["/big.txt": big])
        #expect(try outcome.singleAlert().message.contains("larger than a buffer (tune.bufsize, 16384 bytes)"))
        let tuned = parse("global\n    tune.bufsize 32768\n" + httpDefaults + "frontend fe\n    bind :80\n    http-request return content-type text/plain file /big.txt\n", files: ["/big.txt": big])
        #expect(tuned.alerts.isEmpty, "\(tuned.alerts)")
    }

    @Test func conditionsMustNameKnownACLs() throws {
        let outcome = parseHTTPFrontend(["http-request deny if is_bad", "redirect location /x if is_wrong"])
        #expect(outcome.alerts.map(\.location?.line) == [8, 9])
        #expect(outcome.alerts.allSatisfy { $0.message.contains("no such ACL") })
    }

    @Test func rulesNeedHTTPModeAsInHAProxy() throws {
        let outcome = parse(quietDefaults + "\nfrontend fe\n    bind :80\n    http-request deny\n    redirect location /x\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.warnings.map(\.location?.line) == [7, 8])
        #expect(outcome.warnings[0].message.contains("'http-request' rules ignored for frontend 'fe' as they require HTTP mode"))
        let fe = try outcome.proxy("fe")
        #expect(fe.httpRequestRules.isEmpty && fe.redirectRules.isEmpty)
    }
}
