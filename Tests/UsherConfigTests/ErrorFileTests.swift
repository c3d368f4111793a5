#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing

@testable import UsherConfig

@Suite("errorfile and errorloc")
struct ErrorFileTests {
    static let page503 = "HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<h1>down</h1>"

    @Test func errorFilesAreReadWhileParsingAndInherited() throws {
        let outcome = parse(
            httpDefaults + """
                    errorfile 503 /etc/haproxy/errors/503.http
                    errorfile 408 /dev/null
                frontend fe
                    bind :80
                    errorloc 403 https://example.com/forbidden
                    errorloc303 500 /oops
                    default_backend be
                backend be
                    errorfile 503 /srv/be-503.http
                    errorloc302 404 /missing
                    server s 127.0.0.1:80
                """,
            files: ["/etc/haproxy/errors/503.http": Self.page503, "/dev/null": "", "/srv/be-503.http": "HTTP/1.1 503 Busy\n\nbusy\n"]
        )
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let fe = try outcome.proxy("fe").settings.errorFiles
        #expect(fe.keys.sorted() == [403, 408, 500, 503])
        #expect(fe[503] == ErrorFile(status: 503, response: .file(path: "/etc/haproxy/errors/503.http", contents: Array(Self.page503.utf8)), location: .init(file: "t.cfg", line: 6)))
        // An empty file is allowed: HAProxy then closes the connection without answering.
        #expect(fe[408]?.response == .file(path: "/dev/null", contents: []))
        #expect(fe[403]?.response == .redirect(code: 302, url: "https://example.com/forbidden"))
        #expect(fe[500]?.response == .redirect(code: 303, url: "/oops"))
        let be = try outcome.proxy("be").settings.errorFiles
        #expect(be[503]?.response == .file(path: "/srv/be-503.http", contents: Array("HTTP/1.1 503 Busy\n\nbusy\n".utf8)))
        #expect(be[404]?.response == .redirect(code: 302, url: "/missing"))
        #expect(be[408] != nil)
    }

    /// `http-errors` sections and `errorfiles NAME [CODE…]`: imported in order (a later
    /// `errorfile` wins over an earlier import, an import over an earlier `errorfile`); as
    /// HAProxy 2.6: an unknown section is an alert, a status the section lacks a warning.
    @Test func httpErrorsSectionsAndImports() throws {
        let files = ["/e/503.http": Self.page503, "/e/404.http": "HTTP/1.1 404 Not Found\r\n\r\ngone\n", "/e/own.http": "HTTP/1.1 503 Mine\r\n\r\n"]
        let outcome = parse(
            httpDefaults + """
                    errorfiles site 404
                http-errors site
                    errorfile 503 /e/503.http
                    errorfile 404 /e/404.http
                frontend fe
                    bind :80
                    errorfile 503 /e/own.http
                    errorfiles site
                    default_backend be
                backend be
                    errorfiles site 504
                    errorfile 503 /e/own.http
                    server s 127.0.0.1:80
                """,
            files: files
        )
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let fe = try outcome.proxy("fe").settings.errorFiles
        #expect(fe[503]?.response == .file(path: "/e/503.http", contents: Array(Self.page503.utf8)))
        #expect(fe[404]?.response == .file(path: "/e/404.http", contents: Array("HTTP/1.1 404 Not Found\r\n\r\ngone\n".utf8)))
        let be = try outcome.proxy("be").settings.errorFiles
        #expect(be[503]?.response == .file(path: "/e/own.http", contents: Array("HTTP/1.1 503 Mine\r\n\r\n".utf8)))
        #expect(be[404] != nil, "inherited from defaults")
        #expect(outcome.warnings.contains { $0.location?.line == 16 && $0.message.contains("status 504 is not declared in http-errors section 'site'") }, "\(outcome.warnings)")
        let unknown = parseHTTPFrontend(["errorfiles nowhere"])
        #expect(unknown.alerts.first?.location?.line == 8 && unknown.alerts.first?.message.contains("unknown http-errors section 'nowhere'") == true, "\(unknown.alerts)")
        let bad = parse("http-errors site\n    errorloc 503 /x\n")
        #expect(bad.alerts.first?.location?.line == 2, "\(bad.alerts)")
    }

    @Test(arguments: [
        ("errorfile 418 /e.http", ["'errorfile': status '418'", "no error response to replace", "200, 400, 401"]),
        ("errorfile abc /e.http", ["status 'abc'"]),
        ("errorfile 503", ["'errorfile' expects a status code and a file"]),
        ("errorfile 503 /e.http extra", ["unexpected 'extra' after 'errorfile 503 /e.http'"]),
        ("errorfile 503 /missing.http", ["'errorfile 503': cannot read '/missing.http'", "No such file"]),
        ("errorfile 503 /text.http", ["'/text.http' is not a complete HTTP response", "must start with a status line"]),
        ("errorfile 503 /h2.http", ["unsupported version 'HTTP/2'"]),
        ("errorfile 503 /badstatus.http", ["invalid status line 'HTTP/1.0 abc X'"]),
        ("errorfile 503 /nohead.http", ["its headers do not end with an empty line"]),
        ("errorfile 503 /badheader.http", ["invalid header line 'no colon here'"]),
        ("errorfile 503 /length.http", ["its Content-Length is 3 but its body has 6 bytes"]),
        ("errorfile 503 /big.http", ["larger than a buffer (tune.bufsize, 16384 bytes)"]),
        ("errorloc 418 /x", ["'errorloc': status '418'"]),
        ("errorloc303 503", ["'errorloc303' expects a status code and a URL"]),
        ("errorfiles site", ["unknown http-errors section 'site'"]),
        ("http-error status 504 content-type text/plain lf-file /x", ["'lf-file' in 'http-error'", "not supported by usher yet"]),
    ])
    func badErrorFiles(line: String, needles: [String]) throws {
        let files = [
            "/e.http": Self.page503, "/text.http": "<h1>down</h1>\n", "/h2.http": "HTTP/2 503 X\r\n\r\n",
            "/badstatus.http": "HTTP/1.0 abc X\r\n\r\n", "/nohead.http": "HTTP/1.0 503 X\r\nServer: x\r\n",
            "/badheader.http": "HTTP/1.0 503 X\r\nno colon here\r\n\r\n", "/length.http": "HTTP/1.0 503 X\r\nContent-Length: 3\r\n\r\nabcdef",
            "/big.http": "HTTP/1.0 503 X\r\n\r\n" + String(repeating: "x", count: 16384),
        ]
        try parseHTTPBackend([line], files: files).expectSingleAlert(line: 8, needles)
    }

    @Test func statusLinesHAProxyAccepts() {
        for text in ["HTTP/1.0 503\r\n\r\n", "HTTP/1.1 200 OK\n\n", "HTTP/1.0 999 Odd\r\nX-A: b\r\n\r\nbody", "HTTP/1.1 503 X\r\nContent-Length: 4\r\n\r\nbody"] {
            #expect(ErrorFile.problem(inResponse: Array(text.utf8)) == nil, "\(text)")
        }
        #expect(ErrorFile.problem(inResponse: Array("http/1.0 503 X\r\n\r\n".utf8)) != nil)
    }

    /// The real reader: a file on disk, a missing one, a directory, and the size cut.
    @Test func systemFileReader() throws {
        let path = "/tmp/usher-errorfile-test-\(getpid()).http"
        let file = try #require(fopen(path, "w"))
        fputs(Self.page503, file)
        fclose(file)
        defer { unlink(path) }
        let reader = ConfigurationFileReader.system
        #expect(try reader.read(path, 16384) == Array(Self.page503.utf8))
        #expect(try reader.read(path, 10).count == 11)
        #expect(throws: ConfigurationFileReader.ReadError.self) { try reader.read("/nonexistent/usher", 100) }
        #expect(throws: ConfigurationFileReader.ReadError.self) { try reader.read("/tmp", 100) }
        let outcome = parseHTTPBackend(["errorfile 503 \(path)"])
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(try outcome.proxy("be").settings.errorFiles[503]?.response == .file(path: path, contents: Array(Self.page503.utf8)))
    }
}
