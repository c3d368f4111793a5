import Testing
@testable import UsherConfig
@testable import UsherRouting

/// How a request's `Accept-Encoding` and a response's head decide compression (HAProxy 2.6's rules).
@Suite struct HTTPCompressionPolicyTests {
    typealias F = RoutingFixtures

    func choose(_ acceptEncoding: String?, _ algorithms: [HTTPCompression.Algorithm], agent: String? = nil) -> String? {
        var headers: [String] = []
        if let acceptEncoding { headers.append("Accept-Encoding: \(acceptEncoding)") }
        if let agent { headers.append("User-Agent: \(agent)") }
        return HTTPCompressionPolicy.algorithm(for: F.request("GET / HTTP/1.1", headers), among: algorithms).map { "\($0.algorithm.rawValue)\($0.requested ? "" : " (fallback)")" }
    }

    @Test func acceptEncodingChoosesByQuality() {
        #expect(choose("gzip, deflate", [.gzip, .deflate]) == "gzip")
        #expect(choose("deflate;q=0.5, gzip;q=0.8", [.gzip, .deflate]) == "gzip")
        #expect(choose("deflate, gzip", [.gzip, .deflate]) == "deflate", "equal quality: the first element wins")
        #expect(choose("gzip;q=0", [.gzip]) == nil)
        #expect(choose("br", [.gzip]) == nil)
        #expect(choose("*", [.gzip, .deflate]) == "deflate", "a star takes the algorithm written last")
        #expect(choose("deflate", [.deflate, .rawDeflate]) == "raw-deflate", "both answer to 'deflate': the last written")
        #expect(choose("br", [.gzip, .identity]) == "identity (fallback)")
        #expect(choose(nil, [.gzip]) == nil)
        #expect(choose("GZIP ; Q=1.0", [.gzip]) == "gzip")
    }

    @Test func oldBrowsersGetNothing() {
        #expect(choose("gzip", [.gzip], agent: "Mozilla/4.0 (compatible; MSIE 5.5; Windows 98)") == nil)
        #expect(choose("gzip", [.gzip], agent: "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0)") == "gzip")
        #expect(choose("gzip", [.gzip], agent: "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)") == "gzip")
        #expect(choose("gzip", [.gzip], agent: "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)") == nil)
        #expect(choose("gzip", [.gzip], agent: "Mozilla/5.0 (X11; Linux x86_64)") == "gzip")
    }

    func qualifies(status: Int = 200, _ fields: [String] = ["Content-Type: text/plain"], framing: HTTPBodyFraming = .contentLength(10),
                   method: String = "GET", version: String = "HTTP/1.1", types: [String] = []) -> Bool {
        var response = HTTPResponseHead(version: .http1_1, status: status, reason: "OK")
        for field in fields {
            let parts = field.split(separator: ":", maxSplits: 1)
            response.headers.add(String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces))
        }
        return HTTPCompressionPolicy.qualifies(response, framing: framing, request: F.request("\(method) / \(version)", []), types: types)
    }

    @Test func whichResponsesQualify() {
        #expect(qualifies())
        #expect(qualifies(status: 203))
        #expect(!qualifies(status: 204))
        #expect(!qualifies(status: 404))
        #expect(!qualifies(method: "HEAD"))
        #expect(!qualifies(version: "HTTP/1.0"))
        #expect(!qualifies(framing: .untilClose))
        #expect(!qualifies(framing: .none))
        #expect(qualifies(framing: .chunked))
        #expect(!qualifies(["Content-Type: text/plain", "Content-Encoding: br"]))
        #expect(!qualifies(["Cache-Control: public, No-Transform"]))
        #expect(!qualifies(["ETag: \"a\"", "ETag: \"b\""]))
        #expect(!qualifies(["ETag: unquoted"]))
        #expect(qualifies(["ETag: W/\"a\""]))
        #expect(!qualifies(["Content-Type: multipart/form-data"]))
        #expect(qualifies(["Content-Type: text/html; charset=utf-8"], types: ["text/html"]))
        #expect(!qualifies(["Content-Type: image/png"], types: ["text/html"]))
        #expect(!qualifies([], types: ["text/html"]), "a type is required once types are listed")
        #expect(qualifies([]))
        // A type compared byte by byte: a listed type may end inside one of its characters.
        #expect(!qualifies(["Content-Type: tëxt/html"], types: ["text/html"]))
        #expect(!qualifies(["Content-Type: é/html"], types: ["t"]))
        #expect(qualifies(["Content-Type: TEXT/HTML"], types: ["text/html"]))
    }

    @Test func headRewrite() {
        var response = HTTPResponseHead(version: .http1_1, status: 200, reason: "OK")
        response.headers.add("Content-Length", "10")
        response.headers.add("ETag", "\"v1\"")
        HTTPCompressionPolicy.rewrite(&response, for: .gzip)
        #expect(response.headers.fields.map { "\($0.name): \($0.value)" } == [
            "ETag: W/\"v1\"", "Transfer-Encoding: chunked", "Vary: Accept-Encoding", "Content-Encoding: gzip",
        ])
        var identity = HTTPResponseHead(version: .http1_1, status: 200, reason: "OK")
        identity.headers.add("Transfer-Encoding", "chunked")
        HTTPCompressionPolicy.rewrite(&identity, for: .identity)
        #expect(identity.headers.fields.map(\.name) == ["Transfer-Encoding", "Vary"])
    }
}
