import Foundation

/// A real lighttpd (Debian's package), serving a directory on a free port on 127.0.0.1, setting the
/// seed's `JSESSIONID` cookie on every response, and logging for each request the client port (one
/// per connection), the request line, and the Cookie, Connection and X-Forwarded-For it received.
final class Lighttpd {
    let port: Int
    let directory: ScratchDirectory
    private let process: Process

    static var isInstalled: Bool { ExternalProcess.exists("lighttpd") }

    init(pages: [String: String]) throws {
        directory = try ScratchDirectory()
        for (name, text) in pages { _ = try directory.write(name, text) }
        port = freePort()
        let configuration = try directory.write("lighttpd.conf", """
            server.document-root = "\(directory.path)"
            server.port = \(port)
            server.bind = "127.0.0.1"
            server.modules = ("mod_setenv", "mod_accesslog")
            accesslog.filename = "\(directory.path)/access.log"
            accesslog.format = "%{remote}p|%r|%>s|%{Cookie}i|%{Connection}i|%{X-Forwarded-For}i"
            setenv.add-response-header = ( "Set-Cookie" => "JSESSIONID=abc123; Path=/" )
            mimetype.assign = (".html" => "text/html")
            """)
        process = try ExternalProcess.start(["lighttpd", "-D", "-f", configuration], logFile: directory.path + "/lighttpd.out")
        guard waitUntilListening(port) else {
            kill(process.processIdentifier, SIGKILL)
            throw UsherUnderTest.Failure(description: "lighttpd did not start")
        }
    }

    /// One logged request.
    struct Entry: Equatable {
        var clientPort: String
        var requestLine: String
        var status: String
        var cookie: String
        var connection: String
        var forwardedFor: String
    }

    /// What the access log holds so far (lighttpd writes it as each request ends).
    func accessLog() -> [Entry] {
        let text = (try? String(contentsOfFile: directory.path + "/access.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 6 else { return nil }
            return Entry(clientPort: parts[0], requestLine: parts[1], status: parts[2], cookie: parts[3], connection: parts[4], forwardedFor: parts[5])
        }
    }

    /// Waits until `count` requests are logged.
    func waitForEntries(_ count: Int, seconds: Double = 5) -> [Entry] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let entries = accessLog()
            if entries.count >= count { return entries }
            usleep(20_000)
        }
        return accessLog()
    }

    func stop() {
        // SIGKILL: lighttpd keeps the signal mask it is started with, and the test process's
        // threads block SIGTERM, so a plain terminate() would never reach it.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
