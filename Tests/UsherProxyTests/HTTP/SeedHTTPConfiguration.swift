/// Configuration templates close to the seed's `:80` path (`frontend http-in` → `backend servers`),
/// with timeouts short enough for tests and the listener and server on the test's ports.
enum SeedHTTPConfiguration {
    /// The seed's `defaults`, logging left out, with test-sized timeouts. `forwardfor` replaces the
    /// seed's `option forwardfor except 127.0.0.0/8` (every test client comes from 127.0.0.1, so
    /// `except 10.0.0.0/8` makes the header appear); `extra` lines are appended.
    static func defaults(
        forwardfor: String? = "option forwardfor except 127.0.0.0/8",
        serverClose: Bool = true,
        httpRequest: String = "5s",
        server: String = "5s",
        retries: Int = 3,
        extra: [String] = []
    ) -> String {
        var lines = ["defaults", "    mode http"]
        if serverClose { lines.append("    option http-server-close") }
        if let forwardfor { lines.append("    " + forwardfor) }
        lines += [
            "    option redispatch",
            "    retries \(retries)",
            "    timeout http-request \(httpRequest)",
            "    timeout queue 5s",
            "    timeout connect 2s",
            "    timeout client 5s",
            "    timeout server \(server)",
            "    timeout http-keep-alive 5s",
            "    timeout check 2s",
        ]
        lines += extra.map { "    " + $0 }
        return lines.joined(separator: "\n")
    }

    /// The seed's `backend servers` lines before its `server` line.
    static let seedBackend = ["mode http", "option httpclose", "option forwardfor", "cookie JSESSIONID prefix"]

    /// The whole template: `defaults`, `frontend http-in` (`frontend` lines before its
    /// `default_backend servers`), `backend servers` (`backend` lines, then `server`), and `more`
    /// sections after.
    static func template(
        defaults: String = SeedHTTPConfiguration.defaults(),
        frontend: [String] = [],
        backend: [String] = seedBackend,
        server: String = "server server1 {{ORIGIN0}} cookie A",
        more: String = ""
    ) -> String {
        var lines = [defaults, "frontend http-in", "    bind 127.0.0.1:{{PORT}}"]
        lines += frontend.map { "    " + $0 }
        lines.append("    default_backend servers")
        lines.append("backend servers")
        lines += backend.map { "    " + $0 }
        lines.append("    " + server)
        if !more.isEmpty { lines.append(more) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The seed's path as it is (its `server` line keeps `check`, a plain TCP check here).
    static let seed = template(server: "server server1 {{ORIGIN0}} cookie A check")
}

/// Request text for the scenario tables.
enum Request {
    static let host = "www.example.test"

    /// A request head with `fields` (each `Name: value`), ended by the empty line, then `body`.
    static func make(_ method: String = "GET", _ target: String = "/", version: String = "HTTP/1.1", host: String? = Request.host, _ fields: [String] = [], body: String = "") -> String {
        var text = "\(method) \(target) \(version)\r\n"
        if let host { text += "Host: \(host)\r\n" }
        for field in fields { text += field + "\r\n" }
        return text + "\r\n" + body
    }

    static func get(_ target: String = "/", version: String = "HTTP/1.1", host: String? = Request.host, _ fields: [String] = []) -> String {
        make("GET", target, version: version, host: host, fields)
    }

    /// A request with a `Content-Length` body.
    static func post(_ target: String = "/", body: String, _ fields: [String] = []) -> String {
        make("POST", target, fields + ["Content-Length: \(HTTPWire.bytes(body).count)"], body: body)
    }

    /// A chunked body for `parts`.
    static func chunked(_ parts: [String]) -> String {
        parts.map { String(HTTPWire.bytes($0).count, radix: 16) + "\r\n" + $0 + "\r\n" }.joined() + "0\r\n\r\n"
    }
}
